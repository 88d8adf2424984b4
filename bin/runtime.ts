import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import { createFormationActivities } from '../activities/formation.activities';
import { createSmtpMailer, type Mailer } from '../mail/mailer';
import { createOutbox } from '../mail/outbox';
import { createPanelActivities } from '../activities/panel.activities';
import { createSealingActivities } from '../activities/sealing.activities';
import { createSigningActivities } from '../activities/signing.activities';
import { createVotesActivities } from '../activities/votes.activities';
import type { Config } from '../config';
import { createDb, migrateLatest } from '../db/knex';
import { createRepos, type Repos } from '../db/repos';
import { createApp } from '../server/app';

/** Shared building blocks of the composition roots in bin/. */

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.secret', '*.password', 'token', 'secret'], censor: '[redacted]' },
  });
}

export async function openDatabase(config: Pick<Config, 'database'>, log: Logger): Promise<{ db: Knex; repos: Repos }> {
  const db = createDb(config.database);
  await migrateLatest(db);
  log.info({ client: config.database.client }, 'database migrated');
  return { db, repos: createRepos() };
}

function tlsOptions(config: Config) {
  if (!config.temporal.tls) return undefined;
  if (config.temporal.tlsCertPath && config.temporal.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(config.temporal.tlsCertPath), key: fs.readFileSync(config.temporal.tlsKeyPath) } };
  }
  return {};
}

export async function connectClient(config: Config, address: string): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(config), apiKey: config.temporal.apiKey });
  return new Client({ connection, namespace: config.temporal.namespace });
}

let runtimeInstalled = false;

/**
 * The worker runtime logs at warning level unless LOG_LEVEL asks for more, and leaves signal
 * handling to the composition root, which stops things in order (HTTP, worker, Temporal, database).
 */
function installRuntime(config: Pick<Config, 'logLevel'>) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level = config.logLevel === 'trace' ? 'TRACE' : config.logLevel === 'debug' ? 'DEBUG' : config.logLevel === 'silent' || config.logLevel === 'fatal' ? 'ERROR' : 'WARN';
  try {
    Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
  } catch {
    // already installed in this process (tests install their own)
  }
}

/** The workflow bundle is built from workflows/index.ts, the only workflowsPath. */
export const WORKFLOWS_PATH = path.join(__dirname, '..', 'workflows', 'index.ts');

export async function createWorker(
  config: Config,
  address: string,
  deps: { db: Knex; repos: Repos; log: Logger; mailer?: Mailer },
  extra: Partial<WorkerOptions> = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime(config);
  const connection = await NativeConnection.connect({ address, tls: tlsOptions(config), apiKey: config.temporal.apiKey });
  const activityDeps = { ...deps, publicUrl: config.publicUrl, actionTokenTtlDays: config.actionTokenTtlDays, outbox: createOutbox({ ...deps, publicUrl: config.publicUrl }) };
  const activities = { ...createFormationActivities(activityDeps), ...createSigningActivities(activityDeps), ...createSealingActivities(activityDeps), ...createVotesActivities(activityDeps), ...createPanelActivities(activityDeps) };
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...(extra.workflowBundle ? {} : { workflowsPath: WORKFLOWS_PATH }),
    ...extra,
  });
  return { worker, connection };
}

export function createMailer(config: Config): Mailer | undefined {
  return config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.mailFrom) : undefined;
}

/** The CSRF secret for forms: stable across restarts so open forms keep working. */
export function formSecret(config: Config): string {
  if (config.formSecret) return config.formSecret;
  const file = path.join(config.dataDir, 'form-secret');
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const secret = crypto.randomBytes(32).toString('hex');
    fs.writeFileSync(file, secret, { mode: 0o600 });
    return secret;
  }
}

/**
 * The first facilitator. With FORMWORK_ADMIN_TOKEN that token is registered; otherwise one is
 * generated on first start. Only its hash is in the database; for the embedded default the token
 * is also kept in DATA_DIR (mode 600) so it can be shown again at each start.
 */
export async function ensureAdminToken(config: Config, db: Knex, repos: Repos, opts: { keepInDataDir: boolean }): Promise<{ token: string | null; created: boolean }> {
  if (config.adminToken) {
    if (!(await repos.tokens.apiTokenBySecret(db, config.adminToken))) {
      await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret: config.adminToken, name: 'Facilitator', role: 'facilitator', email: config.adminEmail });
      return { token: config.adminToken, created: true };
    }
    return { token: config.adminToken, created: false };
  }
  const file = path.join(config.dataDir, 'facilitator-token');
  if ((await repos.tokens.countApiTokens(db)) > 0) {
    return { token: opts.keepInDataDir && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null, created: false };
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret, name: 'Facilitator', role: 'facilitator', email: config.adminEmail });
  if (opts.keepInDataDir) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, secret, { mode: 0o600 });
  }
  return { token: secret, created: true };
}

export function listen(app: http.RequestListener, port: number, host: string): Promise<http.Server> {
  return new Promise((resolve, reject) => {
    const server = http.createServer(app);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export { createApp };
