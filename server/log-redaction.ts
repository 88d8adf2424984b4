import type { Request } from 'express';

/**
 * Keeping secrets out of logs. Tokens (API tokens, session cookies, action and sign-in links) and
 * one-time codes are bearer secrets: one in a log file is a credential handed to whoever reads it.
 * Every log line about a request goes through here, the error path included.
 */

const REDACTED = '[redacted]';

/** Anything shaped like one of our secrets: 256 random bits in base64url (43 characters) or longer. */
const SECRET_SHAPED = /(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{40,}(?![A-Za-z0-9_-])/g;

/** Paths that carry a secret (action links, sign-in links, anything secret-shaped), with the secret taken out. */
export function redactUrl(url: string): string {
  return url
    .replace(/\/(a|actions|signin)\/[^/?#]+/g, '/$1/[token]')
    .replace(/([?&](?:token|code)=)[^&#]+/g, `$1${REDACTED}`)
    .replace(SECRET_SHAPED, REDACTED);
}

/** The secrets a request carries, wherever they are: header, cookies, path, query and body fields. */
export function requestSecrets(req: Request): string[] {
  const found: unknown[] = [];
  const auth = req.get('authorization');
  if (auth) found.push(auth, auth.replace(/^\S+\s+/, ''));
  found.push(...Object.values((req.cookies as Record<string, unknown> | undefined) ?? {}));
  found.push((req.params as Record<string, unknown> | undefined)?.token);
  const query = (req.query as Record<string, unknown> | undefined) ?? {};
  found.push(query.token, query.code);
  const body = req.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && !Buffer.isBuffer(body)) found.push(body.token, body.code, body._csrf);
  // short strings (a 6-digit code is the shortest secret) are replaced too; nothing shorter is a secret
  return found.filter((v): v is string => typeof v === 'string' && v.length >= 6);
}

/**
 * A text with the request's secrets taken out, and anything shaped like one of our secrets (256
 * random bits in base64url, or a bearer header) whether or not this request carried it.
 */
export function redactText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(REDACTED);
  return redactUrl(out).replace(/Bearer\s+[^\s"']+/gi, `Bearer ${REDACTED}`);
}

/** An error as it may be logged: its type, code, message and stack, with secrets taken out. */
export function loggableError(err: unknown, secrets: readonly string[]): Record<string, unknown> {
  const e = err as { name?: string; message?: string; stack?: string; code?: unknown } | null;
  return {
    type: e?.name ?? typeof err,
    ...(e?.code !== undefined ? { code: String(e.code) } : {}),
    message: redactText(String(e?.message ?? err), secrets),
    ...(e?.stack ? { stack: redactText(e.stack, secrets) } : {}),
  };
}
