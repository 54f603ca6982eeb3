/**
 * onnxruntime-node as convcheck loads it: the package itself, with ONNX Runtime's usage telemetry
 * turned off in this process. Every convcheck module that runs ORT imports it from here.
 *
 * ORT 1.29 and later start a telemetry client (Microsoft 1DS) on Linux and macOS when they create
 * their environment, at the first session (onnxruntime#27379), unless `ORT_DISABLE_TELEMETRY=1`
 * or a CI variable (`CI=true`, `GITHUB_ACTIONS`, `TF_BUILD`, ...) is set. convcheck sets the
 * variable because:
 * - the client crashes the process when its command line is long (known discrepancy
 *   ort-long-command-line-crash, adapters/onnxruntime-known.ts);
 * - a test tool's verdicts must not depend on whether the machine looks like a CI runner;
 * - a conformance run has nothing to report to anyone: the client writes a device id and an event
 *   database under ~/.cache/Microsoft, runs `blkid; hostname` in a shell and tries to upload.
 *
 * ORT reads the variable once, when its environment is created at the first session, so setting it
 * as this module loads (before any session can exist) is enough. It must be the main thread: a
 * worker thread's `process.env` is a copy that native code does not see (no convcheck worker loads
 * ORT). An explicit `ORT_DISABLE_TELEMETRY=0` is overridden here; the processes convcheck starts
 * get the user's value (adapters/onnx/ort-telemetry.ts).
 */
import * as ort from 'onnxruntime-node';
import { turnOffOrtTelemetry } from './ort-telemetry.ts';

turnOffOrtTelemetry();

export { ort };
