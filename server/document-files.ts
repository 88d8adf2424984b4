import type { Response } from 'express';

/** The media type of each file a document is kept as: what a route documents and what it answers with. */
export const DOCUMENT_MEDIA_TYPE = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
} as const;

export type DocumentFileKind = keyof typeof DOCUMENT_MEDIA_TYPE;

/** Answers with a document's file, to be shown in the browser (inline) under the name given, if any. */
export function sendDocumentFile(res: Response, kind: DocumentFileKind, bytes: Buffer, fileName?: string): void {
  if (fileName) res.setHeader('Content-Disposition', `inline; filename="${fileName}"`);
  res.type(DOCUMENT_MEDIA_TYPE[kind]).send(bytes);
}
