import type { Knex } from 'knex';
import type { Logger } from 'pino';
import type { Repos } from '../db/repos';
import type { Mailer } from './mailer';

export interface DeliveryDeps {
  db: Knex;
  repos: Repos;
  log: Logger;
  /** absent when no SMTP is configured: the outbox is then the only record */
  mailer?: Mailer;
}

/**
 * Sends every named outbox message not yet delivered. Messages are written first (with the change
 * that caused them) and delivered after the commit, so an SMTP failure only delays mail: the caller
 * fails, Temporal retries it, and messages already sent are not sent again.
 */
export async function deliverPending(deps: DeliveryDeps, dedupeKeys: readonly string[]): Promise<void> {
  const { db, repos, mailer, log } = deps;
  if (!mailer) return;
  let failures = 0;
  for (const key of dedupeKeys) {
    const message = await repos.outbox.byDedupeKey(db, key);
    if (!message || message.delivery === 'sent' || message.delivery === 'outbox') continue;
    try {
      await mailer.send({ to: message.to, subject: message.subject, text: message.text });
      await repos.outbox.markDelivered(db, message.id);
    } catch (err) {
      failures += 1;
      await repos.outbox.markFailed(db, message.id, (err as Error).message);
      log.warn({ outboxId: message.id, err: (err as Error).message }, 'mail delivery failed; will retry');
    }
  }
  if (failures > 0) throw new Error(`${failures} message(s) could not be delivered`);
}
