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
