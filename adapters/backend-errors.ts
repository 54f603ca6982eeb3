/**
 * Errors an adapter throws from `run` that the runner must tell apart from a wrong answer:
 * - {@link UnsupportedError}: the backend declined the problem (an unsupported verdict, never an
 *   error and never a pass); the runner recognises it by `name === 'UnsupportedError'`;
 * - {@link ProtocolError}: an external implementation broke the JSON-lines protocol
 *   (docs/protocol.md): a non-JSON line, a wrong id, a wrong shape, a bad base64 payload.
 */

/** The backend cannot run this problem; `reason` says why (`numpy-conv: 3-D conv is not implemented`). */
export class UnsupportedError extends Error {
  /** Why the problem is unsupported, as the backend put it. */
  readonly reason: string;

  constructor(reason: string) {
    super(reason);
    this.name = 'UnsupportedError';
    this.reason = reason;
  }
}

/** Whether `error` is an {@link UnsupportedError} (by name, so that copies from other module graphs count). */
export function isUnsupportedError(error: unknown): error is UnsupportedError {
  return error instanceof Error && error.name === 'UnsupportedError';
}

/** A message from an external implementation that breaks the protocol; the message names what and where. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}
