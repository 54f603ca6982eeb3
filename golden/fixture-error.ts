/**
 * The error every fixture reader throws for a malformed or truncated file (`.pb`, `.npy`,
 * `model.onnx`, `manifest.json`): it names the file and what is wrong with it, e.g.
 * `x.npy: truncated data: shape [2, 3] of <f4 needs 24 bytes after the header, but 20 remain.`
 * It is a ConvInputError whose field is the file, so callers that report bad input report it too.
 */
import { ConvInputError } from '../problem/errors.ts';

/** A fixture file that cannot be read as what it claims to be. */
export class FixtureFormatError extends ConvInputError {
  /** The file at fault, as the caller named it. */
  readonly file: string;

  constructor(file: string, problem: string) {
    super(file, `${file}: ${problem}`);
    this.name = 'FixtureFormatError';
    this.file = file;
  }
}

/** Largest element count a fixture tensor may declare: 2^31 - 1, as problem/validate.ts allows. */
const MAX_FIXTURE_ELEMENTS = 2 ** 31 - 1;

/**
 * The element count of `dims`, checked before anything is allocated: every dimension an integer
 * >= 0 and the running product never above {@link MAX_FIXTURE_ELEMENTS}. Throws naming the file.
 */
export function checkedElementCount(file: string, dims: readonly number[], what = 'shape'): number {
  let count = 1;
  for (let axis = 0; axis < dims.length; axis++) {
    const d = dims[axis];
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new FixtureFormatError(file, `${what} [${dims.join(', ')}] has dimension ${axis} = ${d}, but dimensions must be integers >= 0.`);
    }
    if (d > MAX_FIXTURE_ELEMENTS) {
      throw new FixtureFormatError(file, `${what} [${dims.join(', ')}] has dimension ${axis} = ${d}, more than 2^31-1; refusing to allocate it.`);
    }
    count *= d;
    if (count > MAX_FIXTURE_ELEMENTS) {
      throw new FixtureFormatError(file, `${what} [${dims.join(', ')}] declares more than 2^31-1 elements; refusing to allocate it.`);
    }
  }
  return count;
}
