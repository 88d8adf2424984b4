import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import { createFormationActivities } from '../activities/formation.activities';
import { createSmtpMailer, type Mailer } from '../activities/mailer';
import { createSealingActivities } from '../activities/sealing.activities';
import { createSigningActivities } from '../activities/signing.activities';
import { createTimestampTransport } from '../activities/timestamp-authority';
import { createVotesActivities } from '../activities/votes.activities';
import { ConfigError, type Config } from '../config';
import { createDb, migrateLatest } from '../db/knex';
import { createRepos, type Repos } from '../db/repos';
import type { SealSigning } from '../documents/seal';
import { generateSelfSignedIdentity, identityFromPem, identityFromPkcs12, SigningIdentityError } from '../documents/signing-identity';
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
  const activityDeps = { ...deps, publicUrl: config.publicUrl, actionTokenTtlDays: config.actionTokenTtlDays };
  const sealSigning = await loadSealSigning(config);
  const activities = { ...createFormationActivities(activityDeps), ...createSigningActivities(activityDeps), ...createSealingActivities({ ...activityDeps, sealSigning }), ...createVotesActivities(activityDeps) };
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

/** The generated default signing key and certificate, in DATA_DIR. */
export const SEAL_KEY_FILE = 'seal-key.pem';
export const SEAL_CERT_FILE = 'seal-certificate.pem';

/** Writes a file only if it does not exist yet; false when another process wrote it first. */
function writeNew(file: string, text: string, mode: number): boolean {
  try {
    fs.writeFileSync(file, text, { mode, flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/**
 * How sealed PDFs are signed: the key and certificate from SEAL_KEY_PATH/SEAL_CERT_PATH or
 * SEAL_P12_PATH, else a self-signed ECDSA P-256 pair generated into DATA_DIR on first start and
 * reused after; with SEAL_TSA_URL, signatures are time-stamped (PAdES B-T). A key that cannot be
 * used stops start-up with a message naming the variable.
 */
export async function loadSealSigning(config: Config): Promise<SealSigning> {
  const fail = (variable: string, err: unknown): never => {
    const message = err instanceof SigningIdentityError ? err.message : (err as Error).message;
    throw new ConfigError(`Invalid configuration:\n  ${variable}: ${message}`);
  };
  const timestamp = config.seal.tsaUrl ? createTimestampTransport(config.seal.tsaUrl) : undefined;
  if (config.seal.pem) {
    const { keyPath, certPath, passphrase } = config.seal.pem;
    let key: string, cert: string;
    try {
      key = fs.readFileSync(keyPath, 'utf8');
    } catch (err) {
      return fail('SEAL_KEY_PATH', err);
    }
    try {
      cert = fs.readFileSync(certPath, 'utf8');
    } catch (err) {
      return fail('SEAL_CERT_PATH', err);
    }
    const identity = await identityFromPem(key, cert, passphrase).catch((err) => fail('SEAL_KEY_PATH', err));
    return { identity, timestamp };
  }
  if (config.seal.pkcs12) {
    const { path: p12Path, password } = config.seal.pkcs12;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(p12Path);
    } catch (err) {
      return fail('SEAL_P12_PATH', err);
    }
    const identity = await identityFromPkcs12(bytes, password).catch((err) => fail('SEAL_P12_PATH', err));
    return { identity, timestamp };
  }
  const keyFile = path.join(config.dataDir, SEAL_KEY_FILE);
  const certFile = path.join(config.dataDir, SEAL_CERT_FILE);
  if (!fs.existsSync(keyFile)) {
    fs.mkdirSync(config.dataDir, { recursive: true });
    const generated = await generateSelfSignedIdentity('Formwork document sealing (self-signed)');
    // certificate first: a key file without its certificate would be unusable
    if (writeNew(certFile, generated.certificatePem, 0o644) && !writeNew(keyFile, generated.keyPem, 0o600)) fs.rmSync(certFile);
  }
  const identity = await identityFromPem(fs.readFileSync(keyFile, 'utf8'), fs.readFileSync(certFile, 'utf8')).catch((err) => fail('DATA_DIR', err));
  return { identity, timestamp };
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
