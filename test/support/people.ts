import { expect } from 'vitest';
import { type ApiClient, apiClient, eventually } from './api';

/** A form page's CSRF value and the cookies the browser would hold after loading it. */
export async function loadForm(url: string, cookies: Map<string, string>): Promise<string> {
  const res = await fetch(url, { headers: { cookie: cookieHeader(cookies) }, redirect: 'manual' });
  keepCookies(res, cookies);
  const html = await res.text();
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error(`no form at ${url} (status ${res.status}): ${html.slice(0, 300)}`);
  return match[1];
}

function keepCookies(res: Response, cookies: Map<string, string>) {
  for (const line of res.headers.getSetCookie()) {
    const [pair] = line.split(';');
    const [name, ...value] = pair.split('=');
    if (/expires=Thu, 01 Jan 1970/i.test(line)) cookies.delete(name.trim());
    else cookies.set(name.trim(), value.join('='));
  }
}

/** The Cookie header a browser holding these cookies would send. */
export function cookieHeaderOf(cookies: Map<string, string>): string {
  return cookieHeader(cookies);
}

function cookieHeader(cookies: Map<string, string>): string {
  return [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** Posts a form as a browser would, after loading the page that holds it. */
export async function postForm(
  baseUrl: string,
  formPage: string,
  action: string,
  fields: Record<string, string>,
  cookies: Map<string, string>,
): Promise<Response> {
  const csrf = await loadForm(`${baseUrl}${formPage}`, cookies);
  const res = await fetch(`${baseUrl}${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeader(cookies) },
    body: new URLSearchParams({ ...fields, _csrf: csrf }).toString(),
    redirect: 'manual',
  });
  keepCookies(res, cookies);
  return res;
}

/** The newest message to an address with this subject, as the administrator reads the outbox. */
export async function latestMail(admin: ApiClient, to: string, subject: RegExp): Promise<{ subject: string; text: string; links: string[] }> {
  return eventually(async () => {
    const res = await admin.get(`/outbox?to=${encodeURIComponent(to)}`);
    return (res.body as { subject: string; text: string; links: string[] }[]).find((m) => subject.test(m.subject)) ?? null;
  }, `a message to ${to} matching ${subject}`);
}

/** The path part of a sign-in link (`/signin/<secret>`). */
export function signinPath(link: string): string {
  return new URL(link).pathname;
}

/**
 * Signs in by emailed link over HTTP, as a browser would: asks for a link, reads it from the
 * outbox as the administrator, opens it and presses "Sign in". Returns the session cookies and
 * where the person landed.
 */
export async function signInByEmail(baseUrl: string, admin: ApiClient, email: string): Promise<{ cookies: Map<string, string>; landing: string }> {
  const cookies = new Map<string, string>();
  const asked = await postForm(baseUrl, '/signin', '/signin', { email }, cookies);
  expect(asked.status).toBe(200);
  const mail = await latestMail(admin, email, /sign in to Formwork/);
  const path = signinPath(mail.links[0]);
  const done = await postForm(baseUrl, path, path, {}, cookies);
  expect(done.status, await done.clone().text()).toBe(303);
  return { cookies, landing: done.headers.get('location') ?? '' };
}

/** An API client that authenticates with a browser's session cookies (the API reads them for GET only). */
export function sessionClient(baseUrl: string, cookies: Map<string, string>) {
  return {
    get: async (path: string) => {
      const res = await fetch(`${baseUrl}/api/v1${path}`, { headers: { cookie: cookieHeader(cookies) } });
      return { status: res.status, body: (res.headers.get('content-type') ?? '').includes('json') ? await res.json() : await res.text() };
    },
    post: async (path: string, body: unknown) => {
      const res = await fetch(`${baseUrl}/api/v1${path}`, {
        method: 'POST',
        headers: { cookie: cookieHeader(cookies), 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: await res.json() };
    },
    page: async (path: string) => {
      const res = await fetch(`${baseUrl}${path}`, { headers: { cookie: cookieHeader(cookies) }, redirect: 'manual' });
      return { status: res.status, location: res.headers.get('location'), html: await res.text() };
    },
  };
}

/** Invites a staff member as the administrator and mints them an API token: their client, person and grant. */
export async function inviteStaff(
  admin: ApiClient,
  baseUrl: string,
  input: { name: string; email: string; role: 'facilitator' | 'commissioner' | 'panel-member'; programmeIds: string[] },
) {
  const invited = await admin.post('/staff', input);
  expect(invited.status, JSON.stringify(invited.body)).toBe(201);
  const minted = await admin.post(`/staff/${invited.body.id}/tokens`, { label: `${input.role} for tests` });
  expect(minted.status, JSON.stringify(minted.body)).toBe(201);
  return {
    grantId: invited.body.id as string,
    personId: invited.body.personId as string,
    token: minted.body.token as string,
    api: apiClient(baseUrl, minted.body.token),
  };
}
