import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type http from 'node:http';
import { workflowBundle, quietRuntime } from './bundle';
export { workflowBundle } from './bundle';
import type { Client } from '@temporalio/client';
import type { WorkerOptions } from '@temporalio/worker';
import knexFactory, { type Knex } from 'knex';
import pino from 'pino';
import { loadConfig } from '../../config';
import { closeServer, connectClient, createApp, createWorker, ensureAdminToken, listen, openDatabase, payloadCodec } from '../../bin/runtime';
import type { Mailer } from '../../mail/mailer';
import type { Repos } from '../../db/repos';
import type { RateLimits } from '../../server/route-edge';
import { testCodecKeys } from './codec';

/** A fresh database on the shared Postgres cluster, so test files never see each other's rows. */
export async function freshPostgresDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `fw_${crypto.randomBytes(6).toString('hex')}`;
  const admin = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`create database ${name}`);
  await admin.destroy();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const again = knexFactory({ client: 'pg', connection: adminUrl, pool: { min: 0, max: 1 } });
      await again.raw(`drop database if exists ${name} with (force)`);
      await again.destroy();
    },
  };
}

export interface InProcessStack {
  baseUrl: string;
  token: string;
  db: Knex;
  /** the stack's repositories (its evidence key and checkpoint directory included) */
  repos: Repos;
  /** the stack's data directory: evidence key, codec keys, audit checkpoints */
  dataDir: string;
  taskQueue: string;
  /** the stack's Temporal client (with its payload codec), for reading what a workflow recorded */
  temporal: Client;
  stop(): Promise<void>;
}

/**
 * Server and worker in this process against a real Temporal server and a real database, on a task
 * queue of its own. The same composition code as bin/start, minus the embedded Temporal.
 */
export async function startInProcessStack(opts: {
  temporalAddress: string;
  database: 'sqlite' | { postgresUrl: string };
  mailer?: Mailer;
  env?: Record<string, string>;
  signinLimits?: { perEmail: number; perIp: number };
  rateLimit?: Partial<RateLimits>;
  /** the worker's interceptors: a test that must see an activity fail makes it fail here */
  workerInterceptors?: WorkerOptions['interceptors'];
}): Promise<InProcessStack> {
  quietRuntime();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'formwork-test-'));
  const taskQueue = `test-${crypto.randomBytes(4).toString('hex')}`;
  const adminToken = crypto.randomBytes(24).toString('base64url');
  const env: Record<string, string> = {
    DATA_DIR: dataDir,
    TEMPORAL_ADDRESS: opts.temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    FORMWORK_ADMIN_TOKEN: adminToken,
    PORT: '0',
    LOG_LEVEL: 'silent',
    // the codec key of this test file, so its replayer and own clients read the stack's histories
    TEMPORAL_CODEC_KEYS: testCodecKeys,
    ...(opts.database === 'sqlite' ? {} : { DATABASE_URL: opts.database.postgresUrl }),
    ...opts.env,
  };
  // the public URL is only known once a port is chosen
  const provisional = loadConfig(env);
  const log = pino({ level: 'silent' });
  const { db, repos } = await openDatabase(provisional, log);
  await ensureAdminToken(provisional, db, repos, { keepInDataDir: false });
  const codec = payloadCodec(provisional);
  const client = await connectClient(provisional, opts.temporalAddress, codec);
  const appDeps = {
    db,
    repos,
    temporal: client,
    taskQueue,
    log,
    formSecret: 'test-form-secret',
    secureCookies: false,
    rateLimit: {
      actionsPerMinutePerIp: 100_000,
      actionsPerMinutePerToken: 10_000,
      publicPerMinutePerIp: 100_000,
      lookupsPerMinutePerIp: 100_000,
      verifyPerMinutePerIp: 100_000,
      signinPerEmail: opts.signinLimits?.perEmail,
      signinPerIp: opts.signinLimits?.perIp,
      ...opts.rateLimit,
    },
    payloadCodec: codec,
    codecCorsOrigins: provisional.codec.corsOrigins,
    trustProxy: provisional.trustProxy,
    // every JSON answer is held against its documented schema: a drifting schema fails the test that hit it
    validateResponses: true,
  };
  // listen first on a free port, then build the app with the real public URL
  const placeholder = await listen((_req, res) => res.end(), 0, '127.0.0.1');
  const port = (placeholder.address() as { port: number }).port;
  await closeServer(placeholder);
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({ ...env, PORT: String(port), PUBLIC_URL: baseUrl });
  const server: http.Server = await listen(createApp({ ...appDeps, mailer: opts.mailer, publicUrl: baseUrl }), port, '127.0.0.1');
  const { worker, connection } = await createWorker(
    config,
    opts.temporalAddress,
    { db, repos, log, mailer: opts.mailer, codec },
    { workflowBundle: await workflowBundle(), ...(opts.workerInterceptors ? { interceptors: opts.workerInterceptors } : {}) },
  );
  const running = worker.run();
  return {
    baseUrl,
    token: adminToken,
    db,
    repos,
    dataDir,
    taskQueue,
    temporal: client,
    async stop() {
      await closeServer(server);
      worker.shutdown();
      await running;
      await connection.close();
      await client.connection.close();
      await db.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
