import crypto from 'node:crypto';
import fs from 'node:fs';
import type http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import cookieParser from 'cookie-parser';
import express from 'express';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testAuditEvidence, testCodec, testDataConverter } from '../support/codec';
import { closeServer, listen } from '../../bin/runtime';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { newTokenSecret } from '../../db/repos/tokens.repo';
import { createApp } from '../../server/app';
import { errorMiddleware } from '../../server/errors';
import { requestLogger } from '../../server/request-log';
import { injectedTemporalAddress } from '../setup/temporal-env';

/**
 * Tokens never reach the logs, the 5xx path included. The log is read back from the pino
 * destination the app writes to, after requests that carry every kind of secret and fail inside.
 */
describe('secrets stay out of the logs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fw-logs-'));
  const logFile = path.join(dir, 'app.log');
  const destination = pino.destination({ dest: logFile, sync: true });
  const log = pino({ level: 'debug' }, destination);
  const db = createDb({ client: 'sqlite', filename: path.join(dir, 'f.db') });
  const repos = createRepos(testAuditEvidence());
  let temporal: Client;
  let server: http.Server;
  let baseUrl: string;
  const secrets = {
    apiToken: newTokenSecret(),
    session: newTokenSecret(),
    link: newTokenSecret(),
    signin: newTokenSecret(),
    code: '493817',
    stranger: newTokenSecret(),
  };

  beforeAll(async () => {
    await migrateLatest(db);
    temporal = new Client({ connection: await Connection.connect({ address: injectedTemporalAddress() }), dataConverter: testDataConverter });
    const admin = await repos.persons.ensureAdmin(db, { email: 'admin@example.org', name: 'Ada Admin' });
    await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret: secrets.apiToken, personId: admin.id, label: 'test' });
    await repos.sessions.createSession(db, {
      id: crypto.randomUUID(),
      secret: secrets.session,
      personId: admin.id,
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      ip: null,
      userAgent: null,
    });
    server = await listen(
      createApp({
        db,
        repos,
        temporal,
        taskQueue: 'logs',
        log,
        publicUrl: 'http://formwork.test',
        formSecret: 'form-secret',
        secureCookies: false,
        payloadCodec: testCodec,
        codecCorsOrigins: [],
      }),
      0,
      '127.0.0.1',
    );
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await closeServer(server);
    await temporal.connection.close();
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const logText = () => fs.readFileSync(logFile, 'utf8');
  const expectNoSecret = (text: string) => {
    for (const [name, secret] of Object.entries(secrets)) expect(text.includes(secret), `${name} in the log`).toBe(false);
  };

  it('logs ordinary requests with their credentials and links taken out', async () => {
    const auth = { authorization: `Bearer ${secrets.apiToken}`, cookie: `fw_session=${secrets.session}` };
    expect((await fetch(`${baseUrl}/api/v1/programmes`, { headers: auth })).status).toBe(200);
    expect((await fetch(`${baseUrl}/api/v1/actions/${secrets.link}`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/api/v1/documents/x/pdf?token=${secrets.link}`, { headers: auth })).status).toBe(401);
    expect((await fetch(`${baseUrl}/signin/${secrets.signin}`)).status).toBe(404);
    const text = logText();
    expect(text).toContain('/api/v1/actions/[token]');
    expect(text).toContain('/signin/[token]');
    expectNoSecret(text);
  });

  it('logs a failure inside a request (a 500) without the token, cookie, link or code it carried', async () => {
    // the tables that credentials are looked up in are gone: each lookup fails unexpectedly
    await db.schema.dropTable('signing_codes');
    await db.schema.dropTable('action_tokens');
    await db.schema.dropTable('signin_links');
    await db.schema.dropTable('sessions');
    await db.schema.dropTable('api_tokens');
    const failures = [
      await fetch(`${baseUrl}/api/v1/networks`, { headers: { authorization: `Bearer ${secrets.apiToken}` } }),
      await fetch(`${baseUrl}/api/v1/networks`, { headers: { cookie: `fw_session=${secrets.session}` } }),
      await fetch(`${baseUrl}/api/v1/actions/${secrets.link}/sign`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ typedName: 'A', consent: true, code: secrets.code }),
      }),
      await fetch(`${baseUrl}/signin/${secrets.signin}`),
    ];
    expect(failures.map((r) => r.status)).toEqual([500, 500, 500, 500]);
    const text = logText();
    expect(text.match(/unhandled error/g)?.length).toBe(4);
    expectNoSecret(text);
  });

  it('takes secrets out of an error message itself, ours or shaped like ours', async () => {
    // a handler whose error names the very secrets the request carried, and one it did not
    const app = express();
    app.use(cookieParser());
    app.use(requestLogger(log));
    app.post('/boom/:token', express.json(), () => {
      throw new Error(`lookup failed for ${secrets.apiToken}, ${secrets.session}, ${secrets.link}, code ${secrets.code}; also ${secrets.stranger}`);
    });
    app.use(errorMiddleware(log));
    const boom = await listen(app, 0, '127.0.0.1');
    try {
      const res = await fetch(`http://127.0.0.1:${(boom.address() as { port: number }).port}/boom/${secrets.link}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secrets.apiToken}`, cookie: `fw_session=${secrets.session}`, 'content-type': 'application/json' },
        body: JSON.stringify({ code: secrets.code }),
      });
      expect(res.status).toBe(500);
      expect(JSON.stringify(await res.json())).not.toContain(secrets.apiToken);
    } finally {
      await closeServer(boom);
    }
    const text = logText();
    expect(text).toContain('lookup failed for [redacted]');
    expectNoSecret(text);
  });
});
