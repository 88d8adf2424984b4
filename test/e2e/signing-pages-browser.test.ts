import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { cookieHeaderOf, loadForm, postForm } from '../support/people';
import { plainEnglishProblems } from '../support/plain-english';
import type { InProcessStack } from '../support/stack';
import { expectGoodPage } from '../support/page-checks';

/** "16 March 2009 at 2:05pm (UK time)" */
const UK_TIME = /\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4} at \d{1,2}:\d{2}(am|pm) \(UK time\)/;

/**
 * The partner's pages on a 320 px phone, as a partner walks them: the deadline and who else must
 * sign, a code that does not cost what was typed, a decline reason over the limit, the receipt,
 * a reopened link that says what happened and when, what changed between versions, and the
 * completed copy once sealed. Each page is axe-clean at 320 and 1280 px and in plain English.
 */
describe('signing pages on a phone', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  async function issue(opts: { networkIndex: number; practiceCount: number; signingCode?: boolean }) {
    const created = await createScenarioNetwork(api, { networkIndex: opts.networkIndex, practiceCount: opts.practiceCount });
    if (opts.signingCode) expect((await api.put(`/programmes/${created.programme.id}/settings`, { signingCodeByEmail: true })).status).toBe(200);
    expect((await api.post(`/networks/${created.network.id}/formation`)).status).toBe(202);
    await waitForStage(api, created.network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${created.network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length > 0 ? found : null;
    }, 'sign requests');
    const described = await Promise.all(requests.map(async (r) => ({ ...r, action: (await apiClient(stack.baseUrl).get(`/actions/${r.token}`)).body })));
    return { ...created, document: issued.body.document as { id: string; title: string; version: number }, requests: described };
  }

  /** The newest signing code sent to this address since `after` (the outbox lists newest first). */
  async function codeFor(email: string, after: number) {
    const mail = await eventually(
      async () =>
        ((await api.get(`/outbox?to=${encodeURIComponent(email)}`)).body as { subject: string; text: string; sentAt: string }[]).find(
          (m) => m.subject.startsWith('Your signing code') && Date.parse(m.sentAt) >= after - 2000,
        ),
      'the code email',
    );
    return /(\d{6})/.exec(mail.text)![1];
  }

  it('shows the deadline and who must sign, keeps what was typed, says the decline limit, names the document and, once sealed, gives the completed copy to a signer only', async () => {
    const { network, document, requests } = await issue({ networkIndex: 2, practiceCount: 2, signingCode: true });
    const practices = network.practices as { id: string; name: string; people: { email: string }[] }[];
    const small = practices.find((p) => requests.filter((r) => r.action.practice.id === p.id).length === 1)!;
    const big = practices.find((p) => p !== small)!;
    const me = requests.find((r) => r.action.practice.id === small.id)!;
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });

    // the deadline in UK time, and who else must sign, per practice in words, without an email address
    await page.goto(`${stack.baseUrl}/a/${me.token}`);
    await expect(page.locator('#deadline').textContent()).resolves.toMatch(UK_TIME);
    const parties = (await page.locator('#parties-list').textContent()) ?? '';
    const bigPartners = requests.filter((r) => r.action.practice.id === big.id).length;
    expect(parties).toContain(`${big.name}: Waiting for any one of its ${bigPartners} partners`);
    expect(parties).toContain(`${small.name} (your practice): Waiting for`);
    const body = (await page.locator('body').textContent()) ?? '';
    for (const person of practices.flatMap((p) => p.people)) expect(body).not.toContain(person.email);
    await expectGoodPage(page, 'the signing page', { endAt: 320 });

    // "Email me a code" keeps the typed name and the consent tick
    const since = Date.now();
    await page.fill('#typedName', me.action.person.name);
    await page.check('#consent');
    await page.click('#code-button');
    await expect(page.locator('#code-sent').textContent()).resolves.toContain('6-digit code');
    expect(await page.inputValue('#typedName')).toBe(me.action.person.name);
    expect(await page.isChecked('#consent')).toBe(true);
    await expectGoodPage(page, 'the signing page after asking for a code', { endAt: 320 });

    // a reason over the limit comes back as the page, the limit said and the text kept; nothing is declined
    await expect(page.locator('#reason-info').count()).resolves.toBe(1);
    await page.click('summary:has-text("I cannot sign")');
    const long = 'Our partners have not yet agreed the vision. '.repeat(50);
    await page.fill('#reason', long);
    const declined = page.waitForResponse((r) => r.url().endsWith('/decline'));
    await page.click('#decline-button');
    const answer = await declined;
    expect(answer.status()).toBe(422);
    expect(answer.headers()['content-type']).toContain('text/html');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('2,000 characters or fewer');
    expect(await page.inputValue('#reason')).toBe(long.trim());
    expect(await stack.db('declines').count({ n: '*' }).first()).toMatchObject({ n: 0 });
    await expectGoodPage(page, 'the signing page with a decline reason too long', { endAt: 320 });
    // a form too large to read is a page with an error summary too, never JSON
    const cookies = new Map<string, string>();
    const huge = await postForm(stack.baseUrl, `/a/${me.token}`, `/a/${me.token}/decline`, { reason: 'x'.repeat(300_000) }, cookies);
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('text/html');
    expect(await huge.text()).toContain('nhsuk-error-summary');

    // signing: the receipt names the document
    await page.fill('#typedName', me.action.person.name);
    await page.check('#consent');
    await page.fill('#code', await codeFor(me.to, since));
    await page.click('#sign-button');
    await page.waitForSelector('#confirmation');
    await expect(page.locator('#receipt-document').textContent()).resolves.toBe(`${document.title}, version 1`);
    await expectGoodPage(page, 'the receipt', { endAt: 320 });

    // reopened: what happened and when, in UK time; the reference is the signature's, short, in a details element
    await page.goto(`${stack.baseUrl}/a/${me.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('You have signed');
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(UK_TIME);
    expect(await page.locator('#sealed-copy-button').count()).toBe(0);
    await expectGoodPage(page, 'the reopened signed link', { endAt: 320 });
    const [signature] = await stack.db('signatures').where({ person_id: me.action.person.id });
    expect(await page.locator('#reference .nhsuk-details__text').isVisible()).toBe(false);
    await page.click('#reference summary');
    const shortRef = (signature.id as string).replace(/-/g, '').slice(0, 12).match(/.{4}/g)!.join(' ');
    await expect(page.locator('#reference .nhsuk-details__text').textContent()).resolves.toContain(shortRef);

    // the other practice signs; the round is sealed; the reopened link now offers the completed copy
    const other = requests.find((r) => r.action.practice.id === big.id)!;
    // a colleague who will not sign loads their form now, while it is there, to ask for the copy later
    const colleague = requests.find((r) => r.action.practice.id === big.id && r.token !== other.token)!;
    const colleagueCookies = new Map<string, string>();
    const colleagueCsrf = await loadForm(`${stack.baseUrl}/a/${colleague.token}`, colleagueCookies);
    const anonymous = apiClient(stack.baseUrl);
    const since2 = Date.now();
    expect((await anonymous.post(`/actions/${other.token}/code`)).status).toBe(200);
    const signed = await anonymous.post(`/actions/${other.token}/sign`, {
      typedName: other.action.person.name,
      consent: true,
      code: await codeFor(other.to, since2),
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    await expect
      .poll(
        async () => {
          await page.goto(`${stack.baseUrl}/a/${me.token}`);
          return page.locator('#sealed-copy-button').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    await expectGoodPage(page, 'the reopened link with the completed copy', { endAt: 320 });
    const download = page.waitForEvent('download');
    await page.click('#sealed-copy-button');
    const pdf = await (await download).createReadStream().then(async (stream) => {
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    });
    const [sealed] = await stack.db('sealed_documents').where({ document_id: document.id });
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect((await import('node:crypto')).createHash('sha256').update(pdf).digest('hex')).toBe(sealed.sealed_sha256);

    // a colleague whose practice signed through someone else sees that, and gets no completed copy from their link
    await page.goto(`${stack.baseUrl}/a/${colleague.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('Your practice has signed');
    await expect(page.locator('#outcome-text').textContent()).resolves.toContain(`${other.action.person.name} signed for your practice`);
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(UK_TIME);
    expect(await page.locator('#sealed-copy-button').count()).toBe(0);
    await expectGoodPage(page, 'the link of a colleague whose practice has signed', { endAt: 320 });
    const refused = await fetch(`${stack.baseUrl}/a/${colleague.token}/sealed-copy`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieHeaderOf(colleagueCookies) },
      body: new URLSearchParams({ _csrf: colleagueCsrf }).toString(),
      redirect: 'manual',
    });
    expect(refused.status).toBe(404);
    expect(refused.headers.get('content-type')).toContain('text/html');
    expect(await refused.text()).toContain('goes to the people who signed it');
    await page.close();
  }, 180_000);

  it('says when a version was replaced, shows what changed as text, and says when a partner declined', async () => {
    const { network, requests } = await issue({ networkIndex: 3, practiceCount: 1 });
    const me = requests[0];
    const page = await browser.newPage({ viewport: { width: 320, height: 800 } });
    await page.goto(`${stack.baseUrl}/a/${me.token}`);
    await expect(page.locator('#sign-heading').textContent()).resolves.toContain('Sign');

    // the facilitator revises the vision and issues version 2: version 1's link says so, and when
    expect((await api.put(`/networks/${network.id}/stages/panel-presentation`, { vision: 'One front door for urgent care, open every evening.' })).status).toBe(
      200,
    );
    const v2 = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(v2.status, JSON.stringify(v2.body)).toBe(202);
    const [next] = await eventually(async () => {
      const found = (await signRequests(api, 2, v2.body.document.title)).filter((r) => r.to === me.to);
      return found.length ? found : null;
    }, 'the version 2 request');
    await page.goto(`${stack.baseUrl}/a/${me.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('A newer version has been issued');
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(/replaced by version 2 on .*\(UK time\)/);
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(UK_TIME);
    expect(await page.locator('#document').count()).toBe(0);
    await expectGoodPage(page, 'the superseded link', { endAt: 320 });

    // version 2's page says what changed as a reader sees it: words added and removed, no Markdown
    await page.goto(`${stack.baseUrl}/a/${next.token}`);
    const changes = page.locator('#changes');
    await expect(changes.locator('h2').textContent()).resolves.toContain('What changed since version 1');
    await expect(changes.locator('ins').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('front door')]));
    expect(await changes.locator('del').count()).toBeGreaterThan(0);
    const changed = (await changes.textContent()) ?? '';
    expect(changed).toContain('Vision');
    expect(changed).not.toMatch(/\*\*|^#|\n#|\n- /);
    await expectGoodPage(page, 'the page of version 2 with what changed', { endAt: 320 });

    // declining version 2: the receipt names it; reopened, the link says when, with the reason and a reference
    await page.click('summary:has-text("I cannot sign")');
    await page.fill('#reason', 'The partners meet on Thursday to agree the new vision.');
    await page.click('#decline-button');
    await expect(page.locator('#confirmation').textContent()).resolves.toContain('You declined to sign');
    await expect(page.locator('#receipt-document').textContent()).resolves.toBe(`${v2.body.document.title}, version 2`);
    await page.goto(`${stack.baseUrl}/a/${next.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('You declined to sign');
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(UK_TIME);
    await expect(page.locator('#outcome').textContent()).resolves.toContain('The partners meet on Thursday');
    await expect(page.locator('#reference summary').textContent()).resolves.toContain('Your reference');
    await expectGoodPage(page, 'the declined link', { endAt: 320 });
    await page.close();
  }, 120_000);

  it('has a plain-English check that catches what a page must not show', async () => {
    const page = await browser.newPage();
    await page.setContent(
      '<body><p>Round 3f2a91c0-7be4-4d5e-a6f7-08192a3b4c5d is awaiting-signatures since 2026-03-16T14:05:00Z (VALIDATION_FAILED)</p><details><summary>Reference</summary>hidden 2026-01-01</details></body>',
    );
    const problems = await plainEnglishProblems(page);
    expect(problems).toEqual([
      'raw status code: awaiting-signatures',
      'ISO date: 2026-03-16T14:05:00Z',
      'UUID: 3f2a91c0-7be4-4d5e-a6f7-08192a3b4c5d',
      'error code: VALIDATION_FAILED',
    ]);
    await page.close();
  });
});
