import nodemailer from 'nodemailer';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Delivers mail. Absent when no SMTP_URL is configured: the outbox is then the only record. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/**
 * Over a pool of SMTP connections (nodemailer's default of at most five, each reused for up to 100
 * messages), not a new connection and handshake per message: a round's requests go out together.
 * `?pool=false` in the URL turns it off.
 */
export function createSmtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, pool: true });
  return {
    async send(message) {
      await transport.sendMail({ from, to: message.to, subject: message.subject, text: message.text });
    },
    close() {
      transport.close();
    },
  };
}
