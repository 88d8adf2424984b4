import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { axeViolations } from '../support/axe';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

/**
 * The signing page's other paths, in a real chromium: accessibility, a one-time code by email,
 * handing the request to a colleague, declining, and "my actions".
 */
describe('signing choices in a browser', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;

  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  async function issueFirstStage(opts: { networkIndex: number; practiceCount: number; signingCode?: boolean; signingRule?: unknown }) {
    const created = await createScenarioNetwork(api, { practiceCount: opts.practiceCount, networkIndex: opts.networkIndex });
    if (opts.signingCode) expect((await api.put(`/programmes/${created.programme.id}/settings`, { signingCodeByEmail: true })).status).toBe(200);
    expect((await api.post(`/networks/${created.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, created.network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(
      `/networks/${created.network.id}/stages/panel-presentation/issue`,
      opts.signingRule ? { signingRule: opts.signingRule } : undefined,
    );
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length > 0 ? found : null;
    }, 'sign requests');
    const anonymous = apiClient(stack.baseUrl);
    const described = await Promise.all(requests.map(async (r) => ({ ...r, action: (await anonymous.get(`/actions/${r.token}`)).body })));
    return { ...created, issued: issued.body, requests: described };
  }

  it('is accessible, and asks for an emailed code when the programme wants one', async () => {
    const { requests } = await issueFirstStage({ networkIndex: 5, practiceCount: 1, signingCode: true });
    const me = requests[0];
    expect(me.action.secondFactor).toBe('email-code');
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await page.goto(`${stack.baseUrl}/a/${me.token}`);
    expect(await axeViolations(page)).toEqual([]);

    // without a code the signature is refused with the reason
    await page.fill('#typedName', me.action.person.name);
    await page.check('#consent');
    await page.click('#sign-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('6-digit code');
    expect(await axeViolations(page)).toEqual([]);

    await page.click('#code-button');
    await expect(page.locator('#code-sent').textContent()).resolves.toContain('6-digit code');
    const mail = await eventually(
      async () =>
        ((await api.get(`/outbox?to=${encodeURIComponent(me.to)}`)).body as { subject: string; text: string }[]).find((m) =>
          m.subject.startsWith('Your signing code'),
        ),
      'the code email',
    );
    // the code is in the body only: subjects are shown to people who may not see codes
    expect(mail.subject).not.toMatch(/\d{6}/);
    const code = /(\d{6})/.exec(mail.text)![1];
    const wrong = code === '000000' ? '111111' : '000000';
    await page.fill('#typedName', me.action.person.name);
    await page.check('#consent');
    await page.fill('#code', wrong);
    await page.click('#sign-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('not right');
    await page.fill('#typedName', me.action.person.name);
    await page.check('#consent');
    await page.fill('#code', code);
    await page.click('#sign-button');
    await page.waitForSelector('#confirmation');
    expect(await axeViolations(page)).toEqual([]);
    const [row] = await stack.db('signatures').where({ person_id: me.action.person.id });
    expect(row.method).toBe('action-link+email-code');
    await page.close();
  });

  it('hands the request to a colleague, who signs; and a decline reaches the facilitator', async () => {
    const { network, requests } = await issueFirstStage({ networkIndex: 6, practiceCount: 2, signingRule: { partners: 'all-partners' } });
    const bigPractice = network.practices.find((p: { people: { roles: string[] }[] }) => p.people.filter((x) => x.roles.includes('partner')).length > 1);
    const mine = requests.filter((r) => r.action.practice.id === bigPractice.id);
    const [from, to] = mine;
    expect(from.action.delegateTo.map((d: { personId: string }) => d.personId)).toContain(to.action.person.id);

    const page = await browser.newPage();
    await page.goto(`${stack.baseUrl}/a/${from.token}`);
    await page.click('summary:has-text("Ask another partner")');
    await page.selectOption('#toPersonId', to.action.person.id);
    await page.click('#delegate-button');
    await expect(page.locator('#confirmation').textContent()).resolves.toContain(to.action.person.name);
    expect((await apiClient(stack.baseUrl).get(`/actions/${from.token}`)).body.status).toBe('delegated');
    const audit = await stack.db('audit_events').where({ type: 'signature.delegated' });
    expect(audit.map((a) => JSON.parse(a.data))).toEqual([expect.objectContaining({ fromPersonId: from.action.person.id, toPersonId: to.action.person.id })]);

    // the colleague now owes two signatures' worth of slots and fills both with one signature
    const handedOver = await eventually(async () => {
      const mail = (await api.get(`/outbox?to=${encodeURIComponent(to.to)}`)).body as { subject: string; links: string[] }[];
      return mail.find((m) => m.subject.startsWith('Please sign for')) ?? null;
    }, 'the delegated request');
    const colleague = apiClient(stack.baseUrl);
    const token = /\/a\/([^/?#]+)/.exec(handedOver.links[0])![1];
    const signed = await colleague.post(`/actions/${token}/sign`, { typedName: to.action.person.name, consent: true });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const [row] = await stack.db('signatures').where({ person_id: to.action.person.id });
    expect(JSON.parse(row.slot_ids)).toHaveLength(2);

    // "my actions" for someone still owed a signature lists the round and opens it with a fresh link
    const other = requests.find((r) => r.action.practice.id !== bigPractice.id)!;
    await page.goto(`${stack.baseUrl}/a/${other.token}/mine`);
    await expect(page.locator('#my-actions-list').textContent()).resolves.toContain(other.action.document.title);
    expect(await axeViolations(page)).toEqual([]);
    await page.click('#my-actions-list button');
    await expect(page.locator('h1.nhsuk-heading-l').textContent()).resolves.toContain('Sign');

    // decline with a reason
    await page.click('summary:has-text("I cannot sign")');
    await page.fill('#reason', 'Our partners meet on Thursday to agree it');
    await page.click('#decline-button');
    await expect(page.locator('#confirmation').textContent()).resolves.toContain('declined');
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const told = await eventually(
      async () => ((await api.get('/outbox?to=facilitator@localhost')).body as { subject: string; text: string }[]).find((m) => m.text.includes('Thursday')),
      'the facilitator to hear of the decline',
    );
    expect(told.subject).toContain('Declined');
    await page.close();
  });
});
