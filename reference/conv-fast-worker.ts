/**
 * The worker thread of reference/conv-fast-pool.ts: runs the shares of parallel fast-path runs it
 * is sent (reference/conv-fast-kernel.ts) and answers each with `{ ok }` or `{ ok: false, message }`.
 * It answers `{ ready: true }` once loaded. Only the pool starts it (workerData marks it), so
 * importing this module anywhere else does nothing.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runFastJob, type FastJob } from './conv-fast-kernel.ts';

/** The workerData the pool starts its workers with. */
export const FAST_WORKER_MARK = 'convcheck-fast-conv-worker';

const port = parentPort;
if (port !== null && (workerData as { mark?: unknown } | null)?.mark === FAST_WORKER_MARK) {
  port.on('message', (job: FastJob) => {
    try {
      runFastJob(job);
      port.postMessage({ ok: true });
    } catch (error) {
      port.postMessage({ ok: false, message: error instanceof Error ? error.stack ?? error.message : String(error) });
    }
  });
  port.postMessage({ ready: true });
}
