import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { assertOutsideRetriedTransaction } from '../db/knex';
import type { Repos } from '../db/repos';
import type { Mailer } from './mailer';

export interface DeliveryDeps {
  db: Knex;
  repos: Repos;
  log: Logger;
  /** absent when no SMTP is configured: the outbox is then the only record */
  mailer?: Mailer;
}

/** Messages one delivery sends at once: as many as the mailer's pool has connections. */
export const DELIVERY_CONCURRENCY = 5;

/**
 * Sends every named outbox message not yet delivered. Messages are written first (with the change
 * that caused them) and delivered after the commit, so an SMTP failure only delays mail: the caller
 * fails, Temporal retries it, and messages already sent are not sent again.
 *
 * Up to DELIVERY_CONCURRENCY messages go at once. Delivery runs inside the activity that wrote the
 * messages, whose worker slot is held until the last is sent: one after another, a round's requests
 * held a slot for a round trip to the relay per message, and under a wave's load that kept
 * rendering (and so a facilitator's issue) waiting for a slot.
 */
export async function deliverPending(deps: DeliveryDeps, dedupeKeys: readonly string[]): Promise<void> {
  const { db, repos, mailer, log } = deps;
  assertOutsideRetriedTransaction('sending mail');
  if (!mailer) return;
  const pending = (await repos.outbox.byDedupeKeys(db, dedupeKeys)).filter((m) => m.delivery !== 'sent' && m.delivery !== 'outbox');
  let failures = 0;
  let next = 0;
  const deliverNext = async (): Promise<void> => {
    for (let message = pending[next++]; message !== undefined; message = pending[next++]) {
      try {
        await mailer.send({ to: message.to, subject: message.subject, text: message.text });
        await repos.outbox.markDelivered(db, message.id);
      } catch (err) {
        failures += 1;
        await repos.outbox.markFailed(db, message.id, (err as Error).message);
        log.warn({ outboxId: message.id, err: (err as Error).message }, 'mail delivery failed; will retry');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(DELIVERY_CONCURRENCY, pending.length) }, deliverNext));
  if (failures > 0) throw new Error(`${failures} message(s) could not be delivered`);
}
