/**
 * ONNX Runtime's usage telemetry, off in convcheck's own process (adapters/onnx/onnxruntime-node.ts
 * says why) and as the user set it in the processes convcheck starts: an external implementation
 * that runs ORT itself runs under the user's environment, whether or not convcheck's ORT adapter
 * was loaded first in this process.
 */

/** ORT 1.29-1.30's opt-out, and the name later ORT sources read (set too, for when the pin moves). */
const VARIABLES = ['ORT_DISABLE_TELEMETRY', 'ORT_TELEMETRY_DISABLED'] as const;

/** Their values before convcheck set them (undefined: unset), or undefined while it has not. */
let userValues: ReadonlyMap<string, string | undefined> | undefined;

/** Turns ORT's telemetry off in this process: before any ORT session, on the main thread (a worker's process.env is a copy native code does not see). */
export function turnOffOrtTelemetry(): void {
  userValues ??= new Map(VARIABLES.map((name) => [name, process.env[name]]));
  for (const name of VARIABLES) process.env[name] = '1';
}

/** This process's environment with the telemetry variables as the user gave them: for the processes convcheck starts. */
export function userEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const [name, value] of userValues ?? []) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
