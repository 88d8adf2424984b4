import type { NextFunction, Request, Response } from 'express';
import multer from 'multer';
import { AppError } from '../errors';

/** A problem with one field of a form (`field` is the id the error summary links to). */
export interface FieldError {
  field: string;
  message: string;
}

/** Errors keyed by field, for `{{> fieldError id="x" message=fieldErrors.x}}`. */
export function byField(errors: FieldError[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of errors) out[e.field] ??= e.message;
  return out;
}

/** A form's text field as typed (trimmed), or '' when absent. */
export function text(body: unknown, name: string): string {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value.trim() : '';
}

/** The values of a repeated field (checkboxes), whether one or several were sent. */
export function values(body: unknown, name: string): string[] {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

/** The day, month and year inputs of an NHS date input as an ISO day, or null when they do not make a date. */
export function dateFromParts(day: string, month: string, year: string): string | null {
  if (!/^\d{1,2}$/.test(day) || !/^\d{1,2}$/.test(month) || !/^\d{4}$/.test(year)) return null;
  const iso = `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`;
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso ? iso : null;
}

/** A whole number as typed, with or without thousands separators; null when it is not one. */
export function wholeNumber(value: string): number | null {
  const plain = value.replace(/[,\s]/g, '');
  return /^\d+$/.test(plain) && plain.length <= 9 ? Number(plain) : null;
}

/**
 * Reads a form with one file (multipart/form-data) into memory, at most `maxBytes`. A file over the
 * limit is not an error page: the handler finds `uploadTooLarge(res)` true and says so on the form.
 * The CSRF field comes before the file in every such form, so it is read even then.
 */
export function fileForm(field: string, maxBytes: number) {
  const single = multer({ storage: multer.memoryStorage(), limits: { fileSize: maxBytes, files: 1, fields: 20, fieldSize: 100_000 } }).single(field);
  return (req: Request, res: Response, next: NextFunction) => {
    single(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError) {
        if (err.code === 'LIMIT_FILE_SIZE') {
          res.locals.uploadTooLarge = true;
          return next();
        }
        return next(new AppError('MALFORMED_REQUEST', 'The form could not be read. Choose the file again and send it.'));
      }
      next(err);
    });
  };
}

export function uploadTooLarge(res: Response): boolean {
  return res.locals.uploadTooLarge === true;
}

/** The uploaded file's bytes, or null when none was chosen. */
export function uploadedFile(req: Request): Buffer | null {
  const file = (req as Request & { file?: { buffer: Buffer; size: number } }).file;
  return file && file.size > 0 ? file.buffer : null;
}
