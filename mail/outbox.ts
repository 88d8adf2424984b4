import crypto from 'node:crypto';
import type { Executor } from '../db/repos';
import { newTokenSecret } from '../db/repos/tokens.repo';
import type { ActionKind } from '../domain/action-kinds';
import { composeMail, type MailData, type MailTemplate } from './compose';
import { deliverPending, type DeliveryDeps } from './delivery';

export interface OutboxDeps extends DeliveryDeps {
  /** base of the links in messages */
  publicUrl: string;
}

export interface QueuedMail<T extends MailTemplate> {
  /** a message is written once per key, however often its caller is retried */
  key: string;
  to: string;
  networkId: string | null;
  template: T;
  data: MailData[T];
  links?: string[];
}

/** The action link a message carries: a bearer secret for one person and one subject. */
export interface LinkSpec {
  kind: ActionKind;
  personId: string;
  subjectId: string;
  documentId?: string | null;
  documentVersion?: number | null;
  workflowId: string;
  expiresAt: string;
  /** where the link points; by default the person's action page, /a/<secret> */
  url?: (secret: string, publicUrl: string) => string;
}

/** A message that carries an action link: its text is written once the link is known. */
export type MailWithLink<T extends MailTemplate> = Omit<QueuedMail<T>, 'data' | 'links'> & { link: LinkSpec; data: (link: string) => MailData[T] };

/**
 * The one way Formwork sends a message: written to the outbox in the caller's transaction, with the
 * change that caused it, and delivered after the commit (`deliver`). A message that carries
 * an action link mints the link's token in the same transaction, so a link never exists without
 * its message nor a message without its link. Used by activities and by the server alike.
 */
export function createOutbox(deps: OutboxDeps) {
  const { repos, publicUrl } = deps;
  const smtp = Boolean(deps.mailer);

  type Message = Parameters<typeof repos.outbox.insertMany>[1][number];

  function compose<T extends MailTemplate>(mail: QueuedMail<T>): Message {
    const { subject, text } = composeMail(mail.template, mail.data);
    return {
      id: crypto.randomUUID(),
      dedupeKey: mail.key,
      to: mail.to,
      subject,
      text,
      links: mail.links ?? [],
      networkId: mail.networkId,
      delivery: smtp ? 'pending' : 'outbox',
    };
  }

  async function queue<T extends MailTemplate>(trx: Executor, mail: QueuedMail<T>): Promise<string> {
    if (await repos.outbox.byDedupeKey(trx, mail.key)) return mail.key;
    await repos.outbox.insertMany(trx, [compose(mail)]);
    return mail.key;
  }

  /**
   * Mints an action link for each message and writes the messages carrying them, once per key: one
   * look-up of the keys and one write each of the tokens and the messages, however many people.
   */
  async function queueManyWithLinks<T extends MailTemplate>(trx: Executor, mails: readonly MailWithLink<T>[]): Promise<string[]> {
    const used = await repos.outbox.usedDedupeKeys(
      trx,
      mails.map((m) => m.key),
    );
    const fresh = mails.filter((m) => !used.has(m.key));
    const tokens = [];
    const messages = [];
    for (const mail of fresh) {
      const secret = newTokenSecret();
      const { url, ...token } = mail.link;
      const link = url ? url(secret, publicUrl) : `${publicUrl}/a/${secret}`;
      tokens.push({ id: crypto.randomUUID(), secret, documentId: null, documentVersion: null, ...token });
      messages.push(compose({ key: mail.key, to: mail.to, networkId: mail.networkId, template: mail.template, data: mail.data(link), links: [link] }));
    }
    await repos.tokens.insertActionTokens(trx, tokens);
    await repos.outbox.insertMany(trx, messages);
    return mails.map((m) => m.key);
  }

  return {
    queue,
    queueManyWithLinks,

    /** Mints an action link and writes the message carrying it, once per key. */
    async queueWithLink<T extends MailTemplate>(trx: Executor, mail: MailWithLink<T>): Promise<string> {
      return (await queueManyWithLinks(trx, [mail]))[0];
    },

    /**
     * Delivers the named messages over SMTP once their transaction has committed (a no-op without
     * SMTP). Throws when any could not be sent, so a retried activity tries again; sent ones stay sent.
     */
    deliver(keys: readonly string[]): Promise<void> {
      return deliverPending(deps, keys);
    },
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
