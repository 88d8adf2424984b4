/**
 * The bench's mail server. Formwork delivers every message over SMTP, as a deployment does, and the
 * driver takes each person's link from what arrived for them, as the person would from their inbox:
 * no one reads the administrator's outbox to find their link.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string;
  subject: string;
  /** the action links the message carries (`…/a/<token>`) */
  links: string[];
}

export interface MailSink {
  /** SMTP_URL for the stack's processes */
  url: string;
  /** what has arrived for this address so far, oldest first */
  to(address: string): readonly ReceivedMail[];
  /** messages received, and those that could not be read */
  counts(): { received: number; unreadable: number };
  stop(): Promise<void>;
}

const ACTION_LINK = /https?:\/\/\S+?\/a\/[A-Za-z0-9_-]+/g;

export async function startMailSink(): Promise<MailSink> {
  const inbox = new Map<string, ReceivedMail[]>();
  let received = 0;
  let unreadable = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          received += 1;
          const links = (mail.text ?? '').match(ACTION_LINK) ?? [];
          for (const rcpt of session.envelope.rcptTo) {
            const to = rcpt.address.toLowerCase();
            const mine = inbox.get(to) ?? [];
            inbox.set(to, mine);
            mine.push({ to, subject: mail.subject ?? '', links });
          }
          callback();
        })
        .catch((err: Error) => {
          unreadable += 1;
          callback(err);
        });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    to: (address) => inbox.get(address.toLowerCase()) ?? [],
    counts: () => ({ received, unreadable }),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * The first action link each person has received in a message whose subject `matches`, in the
 * order asked, or null while any is still on its way.
 */
export function firstLinks(mail: MailSink, wanted: readonly { to: string; matches: (subject: string) => boolean }[]): string[] | null {
  const links = wanted.map(({ to, matches }) => mail.to(to).find((m) => matches(m.subject) && m.links[0])?.links[0]);
  return links.every(Boolean) ? (links as string[]) : null;
}

/**
 * The first action link each address has received in a message whose subject starts with
 * `subject` (any subject when omitted), in the order of `addresses`, once every address has one;
 * polled every 50 ms, as a person would open the mail that has just arrived.
 */
export async function linksDelivered(
  mail: MailSink,
  addresses: readonly string[],
  what: string,
  { subject = '', timeoutMs = 120_000 }: { subject?: string; timeoutMs?: number } = {},
): Promise<{ to: string; link: string }[]> {
  const deadline = Date.now() + timeoutMs;
  const wanted = addresses.map((to) => ({ to, matches: (s: string) => s.startsWith(subject) }));
  for (;;) {
    const links = firstLinks(mail, wanted);
    if (links) return links.map((link, i) => ({ to: addresses[i], link }));
    if (Date.now() > deadline) {
      const missing = wanted.filter((w) => !firstLinks(mail, [w])).length;
      throw new Error(`timed out waiting for ${what}: ${missing} of ${addresses.length} not delivered`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
