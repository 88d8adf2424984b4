import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Knex } from 'knex';
import pino, { type Logger } from 'pino';
import lockfile from 'proper-lockfile';
import { createDisputesActivities } from '../activities/disputes.activities';
import { createFormationActivities } from '../activities/formation.activities';
import { createRisksActivities } from '../activities/risks.activities';
import { createSmtpMailer, type Mailer } from '../mail/mailer';
import { createOutbox } from '../mail/outbox';
import { createPanelActivities } from '../activities/panel.activities';
import { createSealingActivities } from '../activities/sealing.activities';
import { createSigningActivities } from '../activities/signing.activities';
import { createElectionsActivities } from '../activities/elections.activities';
import { createMotionsActivities } from '../activities/motions.activities';
import { AesGcmPayloadCodec, formworkDataConverter, newCodecKeyEntry, parseCodecKeys } from '../codec/payload-codec';
import { ConfigError, type Config } from '../config';
import { evidenceKey } from '../db/audit-chain';
import { createCheckpointStore } from '../db/audit-checkpoints';
import { createDb, migrateLatest } from '../db/knex';
import { type AuditEvidence, createRepos, type Repos } from '../db/repos';
import { createTimestampTransport } from '../activities/timestamp-authority';
import type { SealSigning } from '../documents/seal';
import { generateSelfSignedIdentity, identityFromPem, identityFromPkcs12, SigningIdentityError } from '../documents/signing-identity';
import { createApp } from '../server/app';
import { retriedTransactionGuard } from '../server/workflow-guard';
import { scaledRateLimits } from '../server/route-edge';
import { workflowCode } from './workflow-code';

/** Shared building blocks of the composition roots in bin/. */

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', '*.token', '*.secret', '*.password', 'token', 'secret'], censor: '[redacted]' },
  });
}

/**
 * A secret kept in DATA_DIR (mode 600), created on first start. Created under a temporary name and
 * linked into place, so processes starting together on one data directory end up with the same one.
 */
function dataDirSecret(dataDir: string, name: string, make: () => string): string {
  const file = path.join(dataDir, name);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
    fs.writeFileSync(tmp, `${make()}\n`, { mode: 0o600 });
    try {
      fs.linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  return fs.readFileSync(file, 'utf8').trim();
}

/**
 * The audit chain's evidence key (EVIDENCE_KEY, else DATA_DIR/evidence-key) and its checkpoint
 * store. The key never goes into the database; every server and worker must hold the same one.
 */
export function auditEvidence(config: Pick<Config, 'evidence' | 'dataDir'>, log: Logger): AuditEvidence {
  const key = evidenceKey(config.evidence.key ?? dataDirSecret(config.dataDir, 'evidence-key', () => crypto.randomBytes(32).toString('hex')));
  const checkpoints = createCheckpointStore({
    dir: config.evidence.checkpointDir,
    key,
    onError: (err) => log.error({ err }, 'could not write an audit checkpoint'),
  });
  return { key, checkpoints };
}

/** The Temporal payload codec: TEMPORAL_CODEC_KEYS, else DATA_DIR/codec-keys (same `id:key,…` format). */
export function payloadCodec(config: Pick<Config, 'codec' | 'dataDir'>): AesGcmPayloadCodec {
  return new AesGcmPayloadCodec(config.codec.keys ?? parseCodecKeys(dataDirSecret(config.dataDir, 'codec-keys', () => newCodecKeyEntry())));
}

export async function openDatabase(config: Pick<Config, 'database' | 'evidence' | 'dataDir'>, log: Logger): Promise<{ db: Knex; repos: Repos }> {
  const db = createDb(config.database);
  await migrateLatest(db);
  log.info({ client: config.database.client }, 'database migrated');
  const repos = createRepos(auditEvidence(config, log));
  try {
    const { rekeyedRows } = await repos.audit.ensureKeyed(db);
    if (rekeyedRows > 0)
      log.warn({ rows: rekeyedRows, keyId: repos.audit.key.id }, 'audit chain re-keyed under the evidence key (recorded as an audit.rekeyed event)');
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, repos };
}

function tlsOptions(config: Config) {
  if (!config.temporal.tls) return undefined;
  if (config.temporal.tlsCertPath && config.temporal.tlsKeyPath) {
    return { clientCertPair: { crt: fs.readFileSync(config.temporal.tlsCertPath), key: fs.readFileSync(config.temporal.tlsKeyPath) } };
  }
  return {};
}

/**
 * Every client encrypts payloads with the codec, so nothing it sends is in clear in Temporal's
 * history, and refuses a workflow call from inside a transaction that may run again.
 */
export async function connectClient(config: Config, address: string, codec: AesGcmPayloadCodec): Promise<Client> {
  const connection = await Connection.connect({ address, tls: tlsOptions(config), apiKey: config.temporal.apiKey });
  return new Client({
    connection,
    namespace: config.temporal.namespace,
    dataConverter: formworkDataConverter(codec),
    interceptors: { workflow: [retriedTransactionGuard] },
  });
}

let runtimeInstalled = false;

/**
 * The worker runtime logs at warning level unless LOG_LEVEL asks for more, and leaves signal
 * handling to the composition root, which stops things in order (HTTP, worker, Temporal, database).
 */
function installRuntime(config: Pick<Config, 'logLevel'>) {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  const level =
    config.logLevel === 'trace'
      ? 'TRACE'
      : config.logLevel === 'debug'
        ? 'DEBUG'
        : config.logLevel === 'silent' || config.logLevel === 'fatal'
          ? 'ERROR'
          : 'WARN';
  try {
    Runtime.install({ logger: new DefaultLogger(level), shutdownSignals: [] });
  } catch {
    // already installed in this process (tests install their own)
  }
}

export async function createWorker(
  config: Config,
  address: string,
  deps: { db: Knex; repos: Repos; log: Logger; mailer?: Mailer; codec: AesGcmPayloadCodec },
  extra: Partial<WorkerOptions> = {},
): Promise<{ worker: Worker; connection: NativeConnection }> {
  installRuntime(config);
  const connection = await NativeConnection.connect({ address, tls: tlsOptions(config), apiKey: config.temporal.apiKey });
  const { codec, ...rest } = deps;
  const activityDeps = {
    ...rest,
    publicUrl: config.publicUrl,
    actionTokenTtlDays: config.actionTokenTtlDays,
    outbox: createOutbox({ ...rest, publicUrl: config.publicUrl }),
  };
  const sealSigning = await loadSealSigning(config);
  const activities = {
    ...createFormationActivities(activityDeps),
    ...createSigningActivities(activityDeps),
    ...createSealingActivities({ ...activityDeps, sealSigning }),
    ...createMotionsActivities(activityDeps),
    ...createElectionsActivities(activityDeps),
    ...createDisputesActivities(activityDeps),
    ...createRisksActivities(activityDeps),
    ...createPanelActivities(activityDeps),
  };
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    activities,
    ...config.worker,
    // a bundle built ahead of time must have been built with the same failure converter (see codec/)
    dataConverter: formworkDataConverter(codec),
    ...(extra.workflowBundle ? {} : workflowCode()),
    ...extra,
  });
  return { worker, connection };
}

/** The generated default signing key and certificate, in DATA_DIR. */
export const SEAL_KEY_FILE = 'seal-key.pem';
export const SEAL_CERT_FILE = 'seal-certificate.pem';

/** Writes a file whole or not at all: a reader never sees it half-written. */
function writeWhole(file: string, text: string, mode: number): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, text, { mode });
  fs.renameSync(temporary, file);
}

/**
 * Makes a file of DATA_DIR once, whichever of several processes starting together on the same
 * directory (a server and workers) gets there first: the others wait for it and then use what it
 * wrote. `make` runs under a lock on the file and only while the file is still missing. A lock left
 * by a process that died is taken over once stale.
 */
async function makeOnce(file: string, make: () => Promise<void>): Promise<void> {
  if (fs.existsSync(file)) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const release = await lockfile.lock(file, { realpath: false, stale: 20_000, retries: { retries: 120, minTimeout: 50, maxTimeout: 500 } });
  try {
    if (!fs.existsSync(file)) await make();
  } finally {
    await release();
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
  await makeOnce(keyFile, async () => {
    const generated = await generateSelfSignedIdentity('Formwork document sealing (self-signed)');
    // the key last: once it is there, its certificate is complete beside it
    writeWhole(certFile, generated.certificatePem, 0o644);
    writeWhole(keyFile, generated.keyPem, 0o600);
  });
  const identity = await identityFromPem(fs.readFileSync(keyFile, 'utf8'), fs.readFileSync(certFile, 'utf8')).catch((err) => fail('DATA_DIR', err));
  return { identity, timestamp };
}

export function createMailer(config: Config): Mailer | undefined {
  return config.smtpUrl ? createSmtpMailer(config.smtpUrl, config.mailFrom) : undefined;
}

/** Where the Temporal UI finds the codec endpoint (it appends /decode and /encode). */
export function codecEndpoint(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}/api/v1/codec`;
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
 * The first facilitator, who is the administrator: a person (FORMWORK_ADMIN_EMAIL) holding an API
 * token. With FORMWORK_ADMIN_TOKEN that token is registered; otherwise one is generated on first
 * start. Only its hash is in the database; for the embedded default the token is also kept in
 * DATA_DIR (mode 600) so it can be shown again at each start.
 */
export async function ensureAdminToken(
  config: Config,
  db: Knex,
  repos: Repos,
  opts: { keepInDataDir: boolean },
): Promise<{ token: string | null; created: boolean }> {
  const admin = await repos.persons.ensureAdmin(db, { email: config.adminEmail, name: 'Administrator' });
  if (config.adminToken) {
    if (!(await repos.tokens.apiTokenBySecret(db, config.adminToken))) {
      await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret: config.adminToken, personId: admin.id, label: 'FORMWORK_ADMIN_TOKEN' });
      return { token: config.adminToken, created: true };
    }
    return { token: config.adminToken, created: false };
  }
  const file = path.join(config.dataDir, 'facilitator-token');
  if ((await repos.tokens.countApiTokens(db)) > 0) {
    return { token: opts.keepInDataDir && fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : null, created: false };
  }
  const secret = crypto.randomBytes(32).toString('base64url');
  await repos.tokens.insertApiToken(db, { id: crypto.randomUUID(), secret, personId: admin.id, label: 'first start' });
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

/** The HTTP server of the app as configured, listening on the configured port: one way for every process that serves. */
export function serveApp(
  config: Config,
  deps: { db: Knex; repos: Repos; temporal: Client; log: Logger; mailer: Mailer | undefined; codec: AesGcmPayloadCodec },
): Promise<http.Server> {
  const app = createApp({
    db: deps.db,
    repos: deps.repos,
    temporal: deps.temporal,
    taskQueue: config.temporal.taskQueue,
    log: deps.log,
    mailer: deps.mailer,
    publicUrl: config.publicUrl,
    formSecret: formSecret(config),
    secureCookies: config.publicUrl.startsWith('https:'),
    trustProxy: config.trustProxy,
    rateLimit: scaledRateLimits(config.rateLimitScale),
    payloadCodec: deps.codec,
    codecCorsOrigins: config.codec.corsOrigins,
    warmReadiness: true,
  });
  return listen(app, config.port, config.host);
}

export function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export { createApp };
