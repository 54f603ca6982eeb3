/**
 * The error of an external implementation that breaks the JSON-lines protocol (docs/protocol.md):
 * a non-JSON line, a wrong id, a wrong shape, a bad base64 payload. The message names what and where.
 */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * An implementation's `error` reply: it tried and refused or failed, and said so (docs/protocol.md).
 * An error verdict for a well-formed problem; the expected refusal of an ill-formed one.
 */
export class ImplementationError extends Error {
  constructor(message: string, readonly reported: string) {
    super(message);
    this.name = 'ImplementationError';
  }
}
