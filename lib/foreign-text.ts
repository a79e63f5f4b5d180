/**
 * Text the SDK did not write (an SFU's error message, a library's exception) is cut before it goes
 * into an `RxsfuError.message` or a log line: a hostile or buggy peer must not grow our logs or
 * errors without bound.
 */

/** The most characters of foreign text kept in an error message or log field. */
export const FOREIGN_TEXT_MAX_CHARS = 200;

/** `text` cut to `FOREIGN_TEXT_MAX_CHARS` (with `…(N more)` saying how much was dropped); non-strings → ''. */
export function foreignText(text: unknown): string {
  if (typeof text !== 'string') return '';
  if (text.length <= FOREIGN_TEXT_MAX_CHARS) return text;
  return `${text.slice(0, FOREIGN_TEXT_MAX_CHARS)}…(${text.length - FOREIGN_TEXT_MAX_CHARS} more)`;
}
