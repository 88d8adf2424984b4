import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { createRepos } from '../../db/repos';
import { DELIVERY_CONCURRENCY } from '../../mail/delivery';
import type { MailMessage, Mailer } from '../../mail/mailer';
import { createOutbox } from '../../mail/outbox';
import { testAuditEvidence } from '../support/codec';
import { freshMigratedDb } from '../support/databases';
import { onePracticeNetwork, seedNetwork, signLinkMail } from '../support/network-seed';

/** A relay that takes a while to answer, counts how many messages it holds at once, and refuses some addresses. */
function slowRelay(refuse: Set<string>) {
  const sent: string[] = [];
  let inFlight = 0;
  let most = 0;
  const mailer: Mailer = {
    async send(message: MailMessage) {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight -= 1;
      if (refuse.has(message.to)) throw new Error(`550 mailbox unavailable: ${message.to}`);
      sent.push(message.to);
    },
    close() {},
  };
  return { mailer, sent, most: () => most };
}

describe('delivering a batch of outbox messages over SMTP', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('sends several at once, marks each, and on a retry sends only what failed', async () => {
    const db = await freshMigratedDb('sqlite', cleanups);
    const repos = createRepos(testAuditEvidence());
    const people = Array.from({ length: 12 }, (_, i) => ({ id: `p${i}`, name: `Partner ${i}`, email: `p${i}@example.org` }));
    const { networkId } = await seedNetwork(db, repos, { network: onePracticeNetwork(people) });
    const refused = new Set(['p3@example.org']);
    const relay = slowRelay(refused);
    const outbox = createOutbox({ db, repos, log: pino({ level: 'silent' }), publicUrl: 'https://formwork.example', mailer: relay.mailer });
    const keys = await db.transaction((trx) =>
      outbox.queueManyWithLinks(
        trx,
        people.map((person) => signLinkMail(person, networkId)),
      ),
    );

    await expect(outbox.deliver(keys)).rejects.toThrow('1 message(s) could not be delivered');
    expect(relay.most()).toBe(DELIVERY_CONCURRENCY);
    expect([...relay.sent].sort()).toEqual(
      people
        .map((p) => p.email)
        .filter((e) => !refused.has(e))
        .sort(),
    );
    const rows = await db('outbox').where({ network_id: networkId });
    expect(rows.filter((r) => r.delivery === 'sent')).toHaveLength(11);
    expect(rows.find((r) => r.to_email === 'p3@example.org')).toMatchObject({ delivery: 'failed', delivery_error: expect.stringContaining('550') });

    // the activity is retried: what was sent stays sent, and only the refused message goes again
    refused.clear();
    relay.sent.length = 0;
    await outbox.deliver(keys);
    expect(relay.sent).toEqual(['p3@example.org']);
    expect((await db('outbox').where({ network_id: networkId })).every((r) => r.delivery === 'sent')).toBe(true);
  });
});
