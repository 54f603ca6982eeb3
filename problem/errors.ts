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

/**
 * Characters a terminal acts on instead of showing them: C0 (escape sequences, carriage return,
 * line breaks; a NUL shows as nothing), DEL and C1, the Unicode line and paragraph separators, and
 * the bidirectional overrides and isolates (U+202A-202E, U+2066-2069), which reorder the text
 * shown after them (a message could then read other than it is).
 */
const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const CONTROL_CHARACTERS = new RegExp(CONTROL_CHARACTER.source, 'g');
const SHORT_ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** Whether `text` holds a character a terminal would act on (see {@link escapeControlCharacters}). */
export function hasControlCharacters(text: string): boolean {
  return CONTROL_CHARACTER.test(text);
}

/** `text` with its control characters written as escapes (`\n`, `\u001b`), safe to print: it can neither clear the screen, set the window title nor break a table's lines. */
export function escapeControlCharacters(text: string): string {
  return text.replace(CONTROL_CHARACTERS, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A text from the user's input as an error message quotes it: in double quotes, its control
 * characters escaped ({@link escapeControlCharacters}), and cut after `max` characters with how
 * many follow (a 2.4 MB token was echoed whole).
 * @example quoted('ab\u0000c') // '"ab\u0000c"' with the NUL written as \u0000
 */
export function quoted(text: string, max = 120): string {
  const shown = text.length <= max ? text : text.slice(0, max);
  return `"${escapeControlCharacters(shown)}"${text.length > max ? `... (${text.length - max} more characters)` : ''}`;
}
