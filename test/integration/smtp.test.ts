import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SMTPServer } from 'smtp-server';
import { createSmtpMailer } from '../../mail/mailer';
import { apiClient, eventually } from '../support/api';
import { createScenarioNetwork, waitForStage } from '../support/formation-driver';
import { startInProcessStack, type InProcessStack } from '../support/stack';
import { injectedTemporalAddress } from '../setup/temporal-env';

/** With SMTP configured, every outbox message is also delivered through a real SMTP conversation. */
describe('mail delivery over SMTP', () => {
  const received: { to: string[]; data: string }[] = [];
  let smtp: SMTPServer;
  let port = 0;
  let stack: InProcessStack;

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      onData(stream, session, callback) {
        let data = '';
        stream.on('data', (c: Buffer) => (data += c.toString()));
        stream.on('end', () => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    port = (smtp.server.address() as { port: number }).port;
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'Formwork <formwork@example.org>');
    stack = await startInProcessStack({ temporalAddress: injectedTemporalAddress(), database: 'sqlite', mailer });
  });
  afterAll(async () => {
    await stack?.stop();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('sends each sign request and marks it delivered', async () => {
    const api = apiClient(stack.baseUrl, stack.token);
    const { network } = await createScenarioNetwork(api, { practiceCount: 2, networkIndex: 4 });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    const partners: string[] = network.practices.flatMap((p: { people: { email: string; roles: string[] }[] }) =>
      p.people.filter((x) => x.roles.includes('partner')).map((x) => x.email),
    );
    await eventually(async () => (received.length >= partners.length ? true : null), 'mail to every partner');
    expect(received.flatMap((m) => m.to).sort()).toEqual([...partners].sort());
    expect(received[0].data).toContain('Please sign');
    expect(received[0].data).toMatch(/\/a\/[A-Za-z0-9_-]{40,}/);
    const outbox = await eventually(async () => {
      const res = await api.get('/outbox');
      return res.body.every((m: { delivery: string }) => m.delivery === 'sent') ? res.body : null;
    }, 'outbox marked sent');
    expect(outbox).toHaveLength(partners.length);
  });
});
