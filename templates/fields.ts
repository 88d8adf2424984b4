/**
 * The kinds of text a facilitator types into stage data, each with a limit long enough for any real
 * answer and short enough that no field can carry a book; every one refuses characters a document
 * cannot hold (documents/text.ts). Lists are capped too.
 */
import { z } from 'zod';
import { documentText } from '../documents/text';

/** a person's or an organisation's name, a reference, an owner */
export const NAME_MAX = 200;
/** one item of a list, or a one-line statement */
export const LINE_MAX = 1000;
/** a paragraph: a purpose, a vision, a case for change */
export const PARAGRAPH_MAX = 5000;
/** items in any list */
export const LIST_MAX = 50;

export const nameField = () => documentText(NAME_MAX);
export const lineField = () => documentText(LINE_MAX);
export const paragraphField = () => documentText(PARAGRAPH_MAX);

/** A list of 1 to LIST_MAX items. */
export function listOf<T extends z.ZodType>(item: T) {
  return z.array(item).min(1).max(LIST_MAX);
}
