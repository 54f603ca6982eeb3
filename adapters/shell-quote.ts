/**
 * Quoting a word for a POSIX shell: the commands of process backends (`sh -c`) and the replay
 * commands reports print.
 */

/**
 * The word as is when it holds only characters no shell treats specially, else single-quoted
 * (`=` is quoted: a first word holding one is an assignment to sh).
 */
export function shellQuote(word: string): string {
  return /^[\w@%+:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
