/**
 * The one error type for bad input: it names the field, the value and the rule, e.g.
 * `conv: group must divide input channels, but group=3 and C=4.`
 */
export class ConvInputError extends Error {
  /** The field at fault, in ONNX or descriptor terms (`group`, `strides[1]`, `x.data.length`). */
  readonly field: string;

  constructor(field: string, message: string) {
    super(message);
    this.name = 'ConvInputError';
    this.field = field;
  }
}

/**
 * Runs `f` and returns the ConvInputError it throws; rethrows any other error, and throws when
 * `f` returns normally. For callers (and tests) that inspect which field a rule named.
 * @example inputErrorOf(() => validateProblem(p)).field // 'group'
 */
export function inputErrorOf(f: () => unknown): ConvInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConvInputError) return e;
    throw e;
  }
  throw new Error('expected a ConvInputError, but nothing was thrown');
}
