import { describe, expect, it } from 'vitest';
import { hashToken } from '../../db/repos/tokens.repo';
import { type ApiClient } from '../support/api';
import { buildAccessWorld } from '../support/access-world';
import { useStack } from '../support/lifecycle';
import { cookieHeaderOf, latestMail, loadForm, postForm, sessionClient, signInByEmail, signinPath } from '../support/people';
import type { InProcessStack } from '../support/stack';

/** Signing in to the pages by emailed link, sessions, signing out, and the administrator's API-token sign-in. */
describe('sign-in by emailed link', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  useStack({}, (env) => ({ stack, api: admin } = env));

  /** A person we know (a commissioner), fresh for each test so the per-address limit is not shared. */
  let programmeId: string | undefined;
  const known = async (name: string) => {
    programmeId ??= (await admin.post('/programmes', { name: 'Sign-in programme', sponsor: 'ICB', footprint: { minListSize: 1, maxListSize: 100000 } })).body
      .id;
    const email = `${name}@example.org`;
    expect((await admin.post('/staff', { name, email, role: 'commissioner', programmeIds: [programmeId] })).status).toBe(201);
    return email;
  };
  const audit = async (type: string) =>
    (await stack.db('audit_events').where({ type }).orderBy('seq')).map((r) => ({ actor: r.actor as string, data: JSON.parse(r.data) }));

  it("writes an API token's last use at most once a minute, without a statement on the requests in between", async () => {
    const updates: string[] = [];
    const watch = (q: { sql: string }) => {
      if (/^update\s+["`]api_tokens["`]/i.test(q.sql)) updates.push(q.sql);
    };
    const token = () => stack.db('api_tokens').whereNull('revoked_at').orderBy('created_at').first();
    const first = await token();
    stack.db.on('query', watch);
    try {
      // the administrator's token was used moments ago (setting up this stack): no write is due
      await stack.db('api_tokens').where({ id: first.id }).update({ last_used_at: new Date().toISOString() });
      updates.length = 0;
      for (let i = 0; i < 3; i++) expect((await admin.get('/me')).status).toBe(200);
      expect(updates).toEqual([]);
      // a use more than a minute after the last is written
      const old = new Date(Date.now() - 2 * 60_000).toISOString();
      await stack.db('api_tokens').where({ id: first.id }).update({ last_used_at: old });
      updates.length = 0;
      expect((await admin.get('/me')).status).toBe(200);
      expect(updates).toHaveLength(1);
      expect(Date.parse((await token()).last_used_at)).toBeGreaterThan(Date.parse(old));
    } finally {
      stack.db.off('query', watch);
    }
  });

  it('answers a known and an unknown address the same way, and mails a link only to the known one', async () => {
    await known('kit');
    const ask = async (email: string) => {
      const res = await postForm(stack.baseUrl, '/signin', '/signin', { email }, new Map());
      return { status: res.status, text: (await res.text()).replace(email, '<email>') };
    };
    const knownAnswer = await ask('kit@example.org');
    const unknownAnswer = await ask('nobody@example.org');
    expect(knownAnswer.status).toBe(200);
    expect(unknownAnswer).toEqual(knownAnswer);
    expect(knownAnswer.text).toContain('If we know <email>, we have sent a link');
    expect((await admin.get('/outbox?to=nobody@example.org')).body).toEqual([]);
    const mail = await latestMail(admin, 'kit@example.org', /sign in to Formwork/);
    expect(mail.text).toContain('It works once');
    // only the hash of the link is stored
    const secret = signinPath(mail.links[0]).split('/').pop()!;
    const stored = await stack
      .db('signin_links')
      .where({ token_hash: hashToken(secret) })
      .first();
    expect(stored.purpose).toBe('signin');
    expect(JSON.stringify(await stack.db('signin_links'))).not.toContain(secret);
    expect(Date.parse(stored.expires_at) - Date.parse(stored.created_at)).toBe(15 * 60_000);
  });

  it('does not use the link when it is only opened (a mail scanner), and uses it once when the button is pressed', async () => {
    const email = await known('kim');
    const cookies = new Map<string, string>();
    await postForm(stack.baseUrl, '/signin', '/signin', { email }, cookies);
    const mail = await latestMail(admin, email, /sign in to Formwork/);
    const path = signinPath(mail.links[0]);
    for (let i = 0; i < 3; i++) {
      const opened = await fetch(`${stack.baseUrl}${path}`);
      expect(opened.status).toBe(200);
      expect(await opened.text()).toContain('id="sign-in"');
    }
    const csrf = await loadForm(`${stack.baseUrl}${path}`, cookies);
    const press = () =>
      fetch(`${stack.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeaderOf(cookies) },
        body: `_csrf=${encodeURIComponent(csrf)}`,
        redirect: 'manual',
      });
    const done = await press();
    for (const c of done.headers.getSetCookie()) cookies.set(c.split('=')[0], c.split(';')[0].split('=').slice(1).join('='));
    expect(done.status).toBe(303);
    const setCookie = done.headers.getSetCookie().find((c) => c.startsWith('fw_session='))!;
    expect(setCookie).toMatch(/HttpOnly/);
    expect(setCookie).toMatch(/SameSite=Lax/);
    const session = sessionClient(stack.baseUrl, cookies);
    expect((await session.get('/me')).body.person.email).toBe(email);
    // the session is stored by hash only
    expect(
      await stack
        .db('sessions')
        .where({ token_hash: hashToken(cookies.get('fw_session')!) })
        .first(),
    ).toBeTruthy();

    const again = await press();
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('This link has been used');
    const failed = await audit('person.sign-in-failed');
    expect(failed.at(-1)!.data).toMatchObject({ method: 'email-link', reason: 'used' });
    const signedIn = await audit('person.signed-in');
    expect(signedIn.at(-1)!.data).toMatchObject({ method: 'email-link' });
    expect(signedIn.at(-1)!.actor).toMatch(/^person:[\w-]+ session:[\w-]+$/);
  });

  it('refuses a link past its 15 minutes, even with the page already open, and audits it', async () => {
    const email = await known('kip');
    await postForm(stack.baseUrl, '/signin', '/signin', { email }, new Map());
    const path = signinPath((await latestMail(admin, email, /sign in to Formwork/)).links[0]);
    const cookies = new Map<string, string>();
    const csrf = await loadForm(`${stack.baseUrl}${path}`, cookies);
    await stack
      .db('signin_links')
      .where({ token_hash: hashToken(path.split('/').pop()!) })
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    const late = await fetch(`${stack.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeaderOf(cookies) },
      body: `_csrf=${encodeURIComponent(csrf)}`,
      redirect: 'manual',
    });
    expect(late.status).toBe(410);
    expect(late.headers.getSetCookie().some((c) => c.startsWith('fw_session='))).toBe(false);
    expect((await fetch(`${stack.baseUrl}${path}`)).status).toBe(410);
    expect((await fetch(`${stack.baseUrl}/signin/not-a-link-we-ever-sent-xxxxxxxxxxxxxxxxxxxxxxx`)).status).toBe(404);
    expect((await audit('person.sign-in-failed')).at(-1)!.data).toMatchObject({ method: 'email-link', reason: 'expired', ip: expect.any(String) });
  });

  it('rotates the session at sign-in, ends it after 12 idle hours or 7 days, and at sign-out', async () => {
    const email = await known('kai');
    const first = await signInByEmail(stack.baseUrl, admin, email);
    const oldSession = first.cookies.get('fw_session')!;
    // signing in again in the same browser ends the session it had
    const again = await postForm(stack.baseUrl, '/signin', '/signin', { email }, first.cookies);
    expect(again.status).toBe(200);
    const path = signinPath((await latestMail(admin, email, /sign in to Formwork/)).links[0]);
    expect((await postForm(stack.baseUrl, path, path, {}, first.cookies)).status).toBe(303);
    expect(first.cookies.get('fw_session')).not.toBe(oldSession);
    expect((await sessionClient(stack.baseUrl, new Map([['fw_session', oldSession]])).get('/me')).status).toBe(401);
    const current = sessionClient(stack.baseUrl, first.cookies);
    expect((await current.get('/me')).status).toBe(200);

    const row = await stack
      .db('sessions')
      .where({ token_hash: hashToken(first.cookies.get('fw_session')!) })
      .first();
    await stack
      .db('sessions')
      .where({ id: row.id })
      .update({ last_seen_at: new Date(Date.now() - 13 * 3600_000).toISOString() });
    expect((await current.get('/me')).status).toBe(401);
    await stack
      .db('sessions')
      .where({ id: row.id })
      .update({ last_seen_at: new Date().toISOString(), expires_at: new Date(Date.now() - 1000).toISOString() });
    expect((await current.get('/me')).status).toBe(401);
    await stack
      .db('sessions')
      .where({ id: row.id })
      .update({ expires_at: new Date(Date.now() + 3600_000).toISOString() });
    expect((await current.get('/me')).status).toBe(200);

    const out = await postForm(stack.baseUrl, '/me', '/signout', {}, first.cookies);
    expect(out.status).toBe(200);
    expect(first.cookies.has('fw_session')).toBe(false);
    expect((await sessionClient(stack.baseUrl, new Map([['fw_session', row.token_hash]])).get('/me')).status).toBe(401);
    expect((await stack.db('sessions').where({ id: row.id }).first()).ended_at).not.toBeNull();
    expect((await audit('person.signed-out')).at(-1)!.data.sessionId).toBe(row.id);
  });

  it('lets the API read with a session cookie but not change anything with one', async () => {
    const { cookies } = await signInByEmail(stack.baseUrl, admin, await known('kaz'));
    const session = sessionClient(stack.baseUrl, cookies);
    expect((await session.get('/programmes')).status).toBe(200);
    const write = await session.post('/tokens', { label: 'from a page elsewhere' });
    expect(write.status).toBe(401);
    expect(write.body.error.message).toMatch(/reading only/);
  });

  it('signs the administrator in with the API token into a session, never putting the token in the cookie', async () => {
    const cookies = new Map<string, string>();
    const wrong = await postForm(stack.baseUrl, '/login', '/login', { token: 'not-the-token-at-all-0000000000' }, cookies);
    expect(wrong.status).toBe(401);
    const ok = await postForm(stack.baseUrl, '/login', '/login', { token: stack.token }, cookies);
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/');
    expect([...cookies.values()]).not.toContain(stack.token);
    const home = await sessionClient(stack.baseUrl, cookies).page('/');
    expect(home.status).toBe(200);
    expect(home.html).toContain('id="sign-out"');
    expect(home.html).toContain('My actions');
    expect((await audit('person.sign-in-failed')).some((e) => e.data.method === 'api-token' && e.data.reason === 'unknown')).toBe(true);
    expect((await audit('person.signed-in')).some((e) => e.data.method === 'api-token')).toBe(true);
  });

  it('limits requests for links per address, whether or not the address is known', async () => {
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await postForm(stack.baseUrl, '/signin', '/signin', { email: 'flood@example.org' }, new Map())).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
  });

  it('lands each role on its own page after signing in', async () => {
    const world = await buildAccessWorld(admin, stack.baseUrl, 'landing');
    expect(world.chair.landing).toBe(`/networks/${world.NA.id}`);
    // each landing page is there for that person, with their name in the header
    const land = async (email: string, shows: string) => {
      const signed = await signInByEmail(stack.baseUrl, admin, email);
      const page = await sessionClient(stack.baseUrl, signed.cookies).page(signed.landing);
      expect(page.status, signed.landing).toBe(200);
      expect(page.html).toContain(shows);
      expect(page.html).toContain('id="sign-out"');
      return signed.landing;
    };
    expect(await land(world.email('cleo'), 'Wave 1 readiness')).toBe(`/waves/${world.A.waveId}`);
    expect(await land(world.email('pip'), 'Panels awaiting your scores')).toBe('/panel');
    expect(await land(world.email('fay'), 'Alpha Network landing')).toBe('/');
    expect(await land(world.email('pat'), 'My actions')).toBe('/me/actions');
    // the home page lists only what its reader may read
    const fay = sessionClient(stack.baseUrl, (await signInByEmail(stack.baseUrl, admin, world.email('fay'))).cookies);
    const home = (await fay.page('/')).html;
    expect(home).toContain('Programme A landing');
    expect(home).not.toContain('Beta Network landing');
  });
});

/** The per-IP limit, on a stack of its own with a low limit (it counts every address asked for). */
describe('sign-in requests per IP', () => {
  let stack: InProcessStack;
  useStack({ signinLimits: { perEmail: 5, perIp: 3 } }, (env) => ({ stack } = env));

  it('stops answering with links after too many requests from one address', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postForm(stack.baseUrl, '/signin', '/signin', { email: `person${i}@example.org` }, new Map())).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect(Number((await stack.db('signin_requests').count({ n: '*' }).first())?.n)).toBe(4);
  });
});
