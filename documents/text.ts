/**
 * What text a document can carry. Word documents are XML, and XML 1.0 has no place for C0 control
 * characters (other than tab, line feed and carriage return), for U+FFFE and U+FFFF, or for a lone
 * UTF-16 surrogate (half of a character, which no encoding can store: databases turn it into
 * U+FFFD). Input is checked at the edge with `documentText` (a clear 422, nothing stored); the
 * renderers also replace any such character that reaches them, so a document is always well formed.
 */
import { z } from 'zod';

// C0 controls but tab, LF and CR; U+FFFE and U+FFFF; a high surrogate not followed by a low one; a
// low surrogate not preceded by a high one
// eslint-disable-next-line no-control-regex -- control characters are exactly what this looks for
const NOT_IN_DOCUMENTS_ONE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const NOT_IN_DOCUMENTS_ALL = new RegExp(NOT_IN_DOCUMENTS_ONE.source, 'g');

function describe(ch: string): string {
  const code = ch.charCodeAt(0);
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `half of a character (lone surrogate ${hex})`;
  if (code < 0x20) return `a control character (${hex})`;
  return `a non-character (${hex})`;
}

/** Why `text` cannot go into a document, or null when it can. */
export function textProblem(text: string): string | null {
  const m = NOT_IN_DOCUMENTS_ONE.exec(text);
  return m ? `contains ${describe(m[0])} at position ${m.index + 1}, which a document cannot hold` : null;
}

/** `text` with every character a document cannot hold replaced by U+FFFD. */
export function documentSafe(text: string): string {
  return text.replace(NOT_IN_DOCUMENTS_ALL, '\uFFFD');
}

/** A trimmed, non-empty string of at most `max` characters that a document can hold. */
export function documentText(max: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(max)
    .superRefine((value, ctx) => {
      const problem = textProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}
