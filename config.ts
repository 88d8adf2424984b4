import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { type CodecKey, parseCodecKeys } from './codec/payload-codec';

/**
 * All configuration, parsed once from the environment. Nothing else in the code base reads
 * process.env: composition roots call loadConfig() and pass the parsed value on.
 */
const boolish = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/**
 * Which proxies' X-Forwarded-For to believe, in express's terms: a hop count (`1`: the one proxy in
 * front), or addresses and subnets (and the names loopback, linklocal, uniquelocal), comma-separated.
 * `true` (every proxy) is refused: any client could then name its own address.
 */
const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): number | false | string[] => {
    if (value === 'false' || value === '0') return false;
    if (/^\d+$/.test(value)) {
      const hops = Number(value);
      if (hops <= 10) return hops;
    }
    if (value === 'true') {
      ctx.addIssue({
        code: 'custom',
        message: "true would believe any client that names its own address: give a hop count (e.g. 1) or the proxies' addresses",
      });
      return z.NEVER;
    }
    const items = value
      .split(',')
      .map((v) => v.trim())
      .filter(Boolean);
    const bad = items.filter((item) => {
      if (PROXY_NAMES.includes(item)) return false;
      const [ip, bits, ...rest] = item.split('/');
      const family = net.isIP(ip);
      if (!family || rest.length) return true;
      return bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
    });
    if (bad.length || !items.length) {
      ctx.addIssue({
        code: 'custom',
        message: `must be a hop count (0-10), or addresses, subnets or ${PROXY_NAMES.join(', ')}, comma-separated${bad.length ? ` (not: ${bad.join(', ')})` : ''}`,
      });
      return z.NEVER;
    }
    return items;
  });

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  TRUST_PROXY: trustProxy.default(['loopback']),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|sqlite:)/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional(),
  TEMPORAL_ADDRESS: z
    .string()
    .regex(/^[^\s:]+:\d+$/, 'must be host:port')
    .optional(),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default'),
  TEMPORAL_TASK_QUEUE: z.string().min(1).default('formwork'),
  TEMPORAL_TLS: boolish.default(false),
  TEMPORAL_TLS_CERT_PATH: z.string().optional(),
  TEMPORAL_TLS_KEY_PATH: z.string().optional(),
  TEMPORAL_API_KEY: z.string().optional(),
  TEMPORAL_CLI_PATH: z.string().optional(),
  TEMPORAL_PORT: z.coerce.number().int().min(1).max(65535).default(7233),
  TEMPORAL_UI_PORT: z.coerce.number().int().min(1).max(65535).default(8233),
  FORMWORK_ADMIN_TOKEN: z.string().min(24, 'must be at least 24 characters').optional(),
  FORMWORK_ADMIN_EMAIL: z.email().default('facilitator@localhost'),
  FORM_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  MAIL_FROM: z.string().min(3).default('Formwork <formwork@localhost>'),
  ACTION_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  RATE_LIMIT_SCALE: z.coerce.number().int().min(1).max(10_000).default(1),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // worker tuning: how much one worker process takes on at once (README "Worker tuning")
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce.number().int().min(2).max(1000).default(10),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce.number().int().min(1).max(1000).default(20),
  WORKER_MAX_CACHED_WORKFLOWS: z.coerce.number().int().min(2).max(100_000).default(1000),
  // evidence: the audit chain's key and checkpoints, and the Temporal payload codec
  EVIDENCE_KEY: z.string().trim().min(32, 'must be at least 32 characters').optional(),
  EVIDENCE_CHECKPOINT_DIR: z.string().min(1).optional(),
  TEMPORAL_CODEC_KEYS: z
    .string()
    .transform((value, ctx) => {
      try {
        return parseCodecKeys(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
  TEMPORAL_CODEC_CORS_ORIGINS: z
    .string()
    .transform((value) =>
      value
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url().regex(/^https?:\/\/[^/]+$/, 'must be origins such as http://localhost:8233, without a path')))
    .optional(),

  // sealed PDFs: the organisation's signing key (PEM pair or PKCS#12) and a time-stamp authority
  SEAL_KEY_PATH: z.string().optional(),
  SEAL_CERT_PATH: z.string().optional(),
  SEAL_KEY_PASSPHRASE: z.string().optional(),
  SEAL_P12_PATH: z.string().optional(),
  SEAL_P12_PASSWORD: z.string().optional(),
  SEAL_TSA_URL: z.url({ protocol: /^https?$/ }).optional(),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  /**
   * Proxies whose X-Forwarded-For is believed, so the client's address (recorded with each
   * signature) is the client's and not the proxy's: express's `trust proxy` setting.
   */
  trustProxy: number | false | string[];
  dataDir: string;
  database: { client: 'sqlite'; filename: string } | { client: 'pg'; url: string };
  temporal: {
    /** undefined means: start the embedded dev server */
    address?: string;
    namespace: string;
    taskQueue: string;
    tls: boolean;
    tlsCertPath?: string;
    tlsKeyPath?: string;
    apiKey?: string;
    cliPath?: string;
    devPort: number;
    uiPort: number;
  };
  adminToken?: string;
  /** where the first facilitator is told of declines, expiries and escalations */
  adminEmail: string;
  /** secret for CSRF tokens on forms; shared by every server process (else kept in DATA_DIR) */
  formSecret?: string;
  smtpUrl?: string;
  mailFrom: string;
  actionTokenTtlDays: number;
  /**
   * Multiplies every per-minute rate limit of the HTTP edge (not the sign-in limits, counted in the
   * database): 1 in production; raised for a fuzzing or load run against a stack of one's own.
   */
  rateLimitScale: number;
  logLevel: Env['LOG_LEVEL'];
  /**
   * How much one worker process takes on at once. Workflow tasks of a worker share one thread, so
   * admitting many at once only makes each one slower (past Temporal's task timeout on a busy
   * machine); activities render PDFs and write to the database, so a bounded number keeps a worker's
   * CPU and memory in hand. Tasks beyond these wait in Temporal's task queue for the next free slot,
   * on this worker or another.
   */
  worker: {
    maxConcurrentWorkflowTaskExecutions: number;
    maxConcurrentActivityTaskExecutions: number;
    /** workflows kept in memory between tasks (evicted ones are replayed from history when next needed) */
    maxCachedWorkflows: number;
  };
  evidence: {
    /** the audit chain's HMAC key; else kept in DATA_DIR/evidence-key, created on first start */
    key?: string;
    /** where chain-head checkpoints are appended (outside the database) */
    checkpointDir: string;
  };
  codec: {
    /** payload codec keys, newest (encrypting) first; else kept in DATA_DIR/codec-keys */
    keys?: CodecKey[];
    /** origins (the Temporal UI) allowed to call the codec endpoint from a browser */
    corsOrigins: string[];
  };
  /**
   * How sealed PDFs are signed. With neither `pem` nor `pkcs12`, a self-signed key is generated
   * into DATA_DIR on first start. `tsaUrl` adds an RFC 3161 time-stamp (PAdES B-T).
   */
  seal: {
    pem?: { keyPath: string; certPath: string; passphrase?: string };
    pkcs12?: { path: string; password: string };
    tsaUrl?: string;
  };
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a ConfigError naming each offending variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.TEMPORAL_TLS_CERT_PATH && !e.TEMPORAL_TLS_KEY_PATH) {
    throw new ConfigError('Invalid configuration:\n  TEMPORAL_TLS_KEY_PATH: required when TEMPORAL_TLS_CERT_PATH is set');
  }
  if (Boolean(e.SEAL_KEY_PATH) !== Boolean(e.SEAL_CERT_PATH)) {
    throw new ConfigError(`Invalid configuration:\n  ${e.SEAL_KEY_PATH ? 'SEAL_CERT_PATH' : 'SEAL_KEY_PATH'}: SEAL_KEY_PATH and SEAL_CERT_PATH go together`);
  }
  if (e.SEAL_P12_PATH && e.SEAL_KEY_PATH) {
    throw new ConfigError('Invalid configuration:\n  SEAL_P12_PATH: give either SEAL_P12_PATH or SEAL_KEY_PATH and SEAL_CERT_PATH, not both');
  }
  const dataDir = path.resolve(e.DATA_DIR);
  let database: Config['database'];
  if (e.DATABASE_URL?.startsWith('postgres')) database = { client: 'pg', url: e.DATABASE_URL };
  else if (e.DATABASE_URL?.startsWith('sqlite:')) database = { client: 'sqlite', filename: path.resolve(e.DATABASE_URL.slice('sqlite:'.length)) };
  else database = { client: 'sqlite', filename: path.join(dataDir, 'formwork.db') };
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
    trustProxy: e.TRUST_PROXY,
    dataDir,
    database,
    temporal: {
      address: e.TEMPORAL_ADDRESS,
      namespace: e.TEMPORAL_NAMESPACE,
      taskQueue: e.TEMPORAL_TASK_QUEUE,
      tls: e.TEMPORAL_TLS || Boolean(e.TEMPORAL_TLS_CERT_PATH) || Boolean(e.TEMPORAL_API_KEY),
      tlsCertPath: e.TEMPORAL_TLS_CERT_PATH,
      tlsKeyPath: e.TEMPORAL_TLS_KEY_PATH,
      apiKey: e.TEMPORAL_API_KEY,
      cliPath: e.TEMPORAL_CLI_PATH,
      devPort: e.TEMPORAL_PORT,
      uiPort: e.TEMPORAL_UI_PORT,
    },
    adminToken: e.FORMWORK_ADMIN_TOKEN,
    adminEmail: e.FORMWORK_ADMIN_EMAIL,
    formSecret: e.FORM_SECRET,
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    actionTokenTtlDays: e.ACTION_TOKEN_TTL_DAYS,
    rateLimitScale: e.RATE_LIMIT_SCALE,
    logLevel: e.LOG_LEVEL,
    worker: {
      // the SDK refuses more concurrent workflow tasks than cached workflows
      maxConcurrentWorkflowTaskExecutions: Math.min(e.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS, e.WORKER_MAX_CACHED_WORKFLOWS),
      maxConcurrentActivityTaskExecutions: e.WORKER_MAX_CONCURRENT_ACTIVITIES,
      maxCachedWorkflows: e.WORKER_MAX_CACHED_WORKFLOWS,
    },
    evidence: {
      key: e.EVIDENCE_KEY,
      checkpointDir: path.resolve(e.EVIDENCE_CHECKPOINT_DIR ?? path.join(dataDir, 'audit-checkpoints')),
    },
    codec: {
      keys: e.TEMPORAL_CODEC_KEYS,
      // the embedded UI is reached on localhost or 127.0.0.1; an external UI must be named
      corsOrigins:
        e.TEMPORAL_CODEC_CORS_ORIGINS ?? (e.TEMPORAL_ADDRESS ? [] : [`http://localhost:${e.TEMPORAL_UI_PORT}`, `http://127.0.0.1:${e.TEMPORAL_UI_PORT}`]),
    },
    seal: {
      ...(e.SEAL_KEY_PATH && e.SEAL_CERT_PATH
        ? { pem: { keyPath: path.resolve(e.SEAL_KEY_PATH), certPath: path.resolve(e.SEAL_CERT_PATH), passphrase: e.SEAL_KEY_PASSPHRASE } }
        : {}),
      ...(e.SEAL_P12_PATH ? { pkcs12: { path: path.resolve(e.SEAL_P12_PATH), password: e.SEAL_P12_PASSWORD ?? '' } } : {}),
      tsaUrl: e.SEAL_TSA_URL,
    },
  };
}
