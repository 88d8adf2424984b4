import type { Client } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Mailer } from '../mail/mailer';
import type { Repos } from '../db/repos';
import type { RateLimits } from './route-edge';

/** What the HTTP layer needs, built by a composition root in bin/. */
export interface ServerDeps {
  db: Knex;
  repos: Repos;
  temporal: Client;
  taskQueue: string;
  log: Logger;
  /** for mail the server sends itself (signing codes); absent means the outbox only */
  mailer?: Mailer;
  publicUrl: string;
  /** secret for CSRF tokens on HTML forms */
  formSecret: string;
  /** true when requests reach us through HTTPS (cookies are then marked Secure) */
  secureCookies: boolean;
  /** the Temporal payload codec, behind the codec endpoint that Temporal's UI calls */
  payloadCodec: PayloadCodec;
  /** browser origins (the Temporal UI) allowed to call the codec endpoint with credentials */
  codecCorsOrigins: string[];

  /** optional rate limits; tests may raise them (sign-in link requests are per 15 minutes) */
  rateLimit?: RateLimits & { signinPerEmail?: number; signinPerIp?: number };
  /** express's `trust proxy`: which proxies' X-Forwarded-For names the client (config TRUST_PROXY; default loopback) */
  trustProxy?: number | false | string[];
  /** check every JSON answer against its documented schema (tests) */
  validateResponses?: boolean;
  /**
   * gather every programme's readiness rows once at start, in the background, so the first
   * dashboard read after a start or a deploy does not build 1,250 rows (serveApp sets it)
   */
  warmReadiness?: boolean;
}
