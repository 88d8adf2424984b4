import type http from 'node:http';
import { defaultPayloadConverter } from '@temporalio/common';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../../bin/runtime';
import { KEY_ID_METADATA } from '../../codec/payload-codec';
import { payloadsFromJson, payloadsToJson } from '../../codec/remote-codec';
import { inviteStaff } from '../support/people';
import { apiClient } from '../support/api';
import { launchBrowser } from '../support/browser';
import { testCodec } from '../support/codec';
import { startInProcessStack, type InProcessStack } from '../support/stack';
import { injectedTemporalAddress } from '../setup/temporal-env';

const partner = { name: 'Dr Ada Lovelace', email: 'ada@example.org' };

/**
 * The remote codec endpoint the Temporal UI calls to show decrypted payloads: staff only, by bearer
 * token or by the staff sign-in cookie from a real browser on the configured UI origin, and
 * unreadable from any other origin.
 */
describe('codec endpoint for the Temporal UI', () => {
  let stack: InProcessStack;
  let browser: Browser;
  let ui: http.Server;
  let elsewhere: http.Server;
  let uiOrigin: string;
  let otherOrigin: string;

  beforeAll(async () => {
    // stand-ins for the Temporal UI's origin and some other site: each serves an empty page
    const page = (_req: http.IncomingMessage, res: http.ServerResponse) =>
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>ui</title>');
    ui = await listen(page, 0, '127.0.0.1');
    elsewhere = await listen(page, 0, '127.0.0.1');
    uiOrigin = `http://127.0.0.1:${(ui.address() as { port: number }).port}`;
    otherOrigin = `http://127.0.0.1:${(elsewhere.address() as { port: number }).port}`;
    stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: 'sqlite', env: { TEMPORAL_CODEC_CORS_ORIGINS: uiOrigin } });
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    if (ui) await closeServer(ui);
    if (elsewhere) await closeServer(elsewhere);
  });

  const encrypted = async () => payloadsToJson(await testCodec.encode([defaultPayloadConverter.toPayload(partner)]));

  it('decodes for staff, encodes for facilitators, and names what it cannot decrypt', async () => {
    const body = await encrypted();
    const anonymous = apiClient(stack.baseUrl);
    const staff = apiClient(stack.baseUrl, stack.token);
    expect((await anonymous.post('/codec/decode', body)).status).toBe(401);

    const decoded = await staff.post('/codec/decode', body);
    expect(decoded.status, JSON.stringify(decoded.body)).toBe(200);
    expect(defaultPayloadConverter.fromPayload(payloadsFromJson(decoded.body)[0])).toEqual(partner);

    const programme = (await staff.post('/programmes', { name: 'Codec programme', sponsor: 'S', footprint: { minListSize: 1, maxListSize: 2 } })).body;
    const { api: commissioner } = await inviteStaff(staff, stack.baseUrl, {
      name: 'Cora Commissioner',
      email: 'cora@commissioner.test',
      role: 'commissioner',
      programmeIds: [programme.id],
    });
    expect((await commissioner.post('/codec/decode', body)).status).toBe(200);
    const plain = payloadsToJson([defaultPayloadConverter.toPayload('a signal from the UI')]);
    expect((await commissioner.post('/codec/encode', plain)).body.error.code).toBe('FORBIDDEN');
    const encoded = await staff.post('/codec/encode', plain);
    expect(encoded.status).toBe(200);
    const [back] = payloadsFromJson(encoded.body);
    expect(Buffer.from(back.metadata![KEY_ID_METADATA]!).toString()).toBe(testCodec.currentKeyId);
    expect(defaultPayloadConverter.fromPayload((await testCodec.decode([back]))[0])).toBe('a signal from the UI');

    const data = Buffer.from(body.payloads[0].data!, 'base64');
    data[data.length - 1] ^= 1;
    const altered = await staff.post('/codec/decode', { payloads: [{ ...body.payloads[0], data: data.toString('base64') }] });
    expect(altered.status).toBe(422);
    expect(altered.body.error).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringMatching(/does not authenticate/) });
    expect((await staff.post('/codec/decode', { payloads: [{ data: '%%%' }] })).status).toBe(422);
  });

  it('answers the UI in a browser with the staff sign-in cookie, from the configured origin only', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${stack.baseUrl}/login`);
      await page.fill('#token', stack.token);
      await Promise.all([page.waitForURL(`${stack.baseUrl}/`), page.click('button[type=submit]')]);

      const body = JSON.stringify(await encrypted());
      const call = (credentials: RequestCredentials) =>
        page.evaluate(
          async ({ url, body, credentials }) => {
            try {
              const res = await fetch(url, { method: 'POST', credentials, headers: { 'Content-Type': 'application/json', 'X-Namespace': 'default' }, body });
              return { status: res.status, body: await res.json() };
            } catch (err) {
              return { blocked: String(err) };
            }
          },
          { url: `${stack.baseUrl}/api/v1/codec/decode`, body, credentials },
        );

      // the Temporal UI with "include cross-origin credentials": the sign-in cookie goes along
      await page.goto(uiOrigin);
      const withCookie = await call('include');
      expect(withCookie.status).toBe(200);
      expect(defaultPayloadConverter.fromPayload(payloadsFromJson(withCookie.body)[0])).toEqual(partner);
      const withoutCookie = await call('same-origin');
      expect(withoutCookie.status).toBe(401);

      // any other origin gets nothing it may read, signed in or not
      await page.goto(otherOrigin);
      expect(await call('include')).toEqual({ blocked: expect.stringContaining('Failed to fetch') });
    } finally {
      await context.close();
    }
  });
});
