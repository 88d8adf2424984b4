import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { axeViolations } from '../support/axe';
import { signInWithToken } from '../support/console-pages';
import { expectGoodPage } from '../support/page-checks';
import { createScenarioNetwork, signRequests } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

type Person = { id: string; name: string; email: string; roles: string[] };
type Practice = { id: string; name: string; people: Person[] };

/**
 * A facilitator takes a network's panel stage from start to sealed copy through the pages alone
 * (the network itself is created over the API; its set-up pages are tested elsewhere): start
 * formation, the stage's form generated from its schema (an error, then right), a draft saved, the
 * preview, issuing under a rule chosen in words, the round practice by practice, chasing one
 * partner, a decline with its reason, a second version and what changed, partners signing on their
 * own pages, the panel's outcome, and the sealed PDF and evidence pack. Every page is axe clean at
 * 320 px and 1280 px and shows no UUID, ISO date or raw status code.
 */
describe('a facilitator forms a network through the pages', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  /** Reloads until the check passes: the workflow moves on a moment after the page's request. */
  async function until(page: Page, check: () => Promise<boolean>, what: string) {
    await eventually(async () => {
      await page.reload();
      return (await check()) || null;
    }, what);
  }

  const mailCount = async (email: string) => ((await api.get(`/outbox?to=${encodeURIComponent(email)}&limit=1000`)).body as unknown[]).length;

  it('starts formation, drafts, previews, issues, chases, revises, collects signatures and seals the panel stage', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2 });
    const [jubilee, highway] = network.practices as Practice[];
    const jubileePartners = jubilee.people.filter((p) => p.roles.includes('partner'));
    const highwayPartner = highway.people.find((p) => p.roles.includes('partner'))!;

    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithToken(page, stack.baseUrl, stack.token);

    // the network: formation not started, and a button to start it
    await page.goto(`${stack.baseUrl}/networks/${network.id}`);
    await expect(page.locator('h1').textContent()).resolves.toBe(network.name);
    await expect(page.locator('.nhsuk-caption-l').textContent()).resolves.toBe('Formation: Not started');
    await expectGoodPage(page, 'the network page', { endAt: 1280 });
    await page.click('#start-formation');
    await expect(page.locator('#done').textContent()).resolves.toContain('Formation has started');
    await until(page, async () => (await page.locator('#stage-panel-presentation').textContent())!.includes('Drafting'), 'the panel stage to open');
    await expectGoodPage(page, 'the network page, formation started', { endAt: 1280 });

    // the stage and its form, generated from the panel pack's schema
    await page.click('#stage-panel-presentation a');
    await expect(page.locator('h1').textContent()).resolves.toBe('Panel presentation');
    await expectGoodPage(page, 'the stage page, drafting', { endAt: 1280 });
    await page.click('#edit-details');
    await expect(page.locator('label[for="f-vision"]').textContent()).resolves.toBe('Vision');
    await expectGoodPage(page, 'the stage form', { endAt: 1280 });
    await page.fill('#f-vision', 'Every patient of the Highway practices gets the same care.');
    await page.fill('#f-aspirations', `A shared dashboard\n${'x'.repeat(1001)}`);
    await page.fill('#f-chair', 'Dr James Evans');
    await page.click('#save-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Aspirations, line 2 must be 1,000 characters or fewer');
    await expect(page.locator('#f-aspirations-error').textContent()).resolves.toContain('line 2');
    // nothing typed is lost, and nothing was saved
    expect(await page.inputValue('#f-vision')).toBe('Every patient of the Highway practices gets the same care.');
    expect(await page.inputValue('#f-chair')).toBe('Dr James Evans');
    expect((await stack.db('stages').where({ network_id: network.id, stage_key: 'panel-presentation' }).first()).data_revision).toBe(0);
    await expectGoodPage(page, 'the stage form with an error', { endAt: 1280 });
    await page.fill('#f-aspirations', 'A shared dashboard\nExtended hours at every practice');
    await page.click('#save-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('saved as a draft');
    await expect(page.locator('#saved').textContent()).resolves.toBe('Details saved 1 time.');
    const saved = await api.get(`/networks/${network.id}/stages/panel-presentation/preview`);
    expect(saved.body.markdown).toContain('Extended hours at every practice');

    // the preview, rendered
    await page.click('#preview-link');
    await expect(page.locator('#preview').textContent()).resolves.toContain('Every patient of the Highway practices gets the same care.');
    expect(await page.locator('#preview').innerHTML()).not.toContain('## ');
    await expectGoodPage(page, 'the preview', { endAt: 1280 });

    // issuing: a rule nobody can meet is refused with the reason, then the default rule goes out
    await page.goto(`${stack.baseUrl}/networks/${network.id}/stages/panel-presentation/issue`);
    await expect(page.locator('#partners-hint').textContent()).resolves.toBe('Now: one partner of each practice.');
    await expectGoodPage(page, 'the issue page', { endAt: 1280 });
    await page.check('#officers-chair');
    await page.click('#issue-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain("Nobody can sign for the network's chair under this rule");
    expect(await page.isChecked('#officers-chair')).toBe(true);
    await expectGoodPage(page, 'the issue page with an error', { endAt: 1280 });
    await page.uncheck('#officers-chair');
    await page.click('#issue-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('The document is issued');
    await until(page, async () => (await page.locator('#round-practices').count()) > 0, 'the round to open');
    const practices = await page.locator('#round-practices').textContent();
    expect(practices).toContain(`${jubilee.name}`);
    expect(practices).toContain('any one of its 7 partners');
    expect(practices).toContain(`${highwayPartner.name} (partner)`);
    await expect(page.locator('#round-progress').textContent()).resolves.toBe('0 of 2 practices');
    await expectGoodPage(page, 'the stage page, awaiting signatures', { endAt: 1280 });

    // chase one partner: one fresh link to them alone
    const title = (await api.get(`/networks/${network.id}/formation`)).body.stages[0].documents[0].title as string;
    const v1 = await eventually(async () => {
      const found = await signRequests(api, 1, title);
      return found.length === jubileePartners.length + 1 ? found : null;
    }, 'version 1 requests');
    const chased = jubileePartners[1];
    const [before, colleague] = [await mailCount(chased.email), await mailCount(jubileePartners[2].email)];
    await page.selectOption('#personId', chased.id);
    await page.click('#chase-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('fresh link has been sent');
    await eventually(async () => (await mailCount(chased.email)) === before + 1 || null, 'the chase to be sent');
    expect(await mailCount(jubileePartners[2].email)).toBe(colleague);
    await expectGoodPage(page, 'the stage page after a chase', { endAt: 1280 });

    // fresh links to everyone still owed; more time, refused outside 1 to 90 days, then given
    const owedBefore = await mailCount(jubileePartners[2].email);
    await page.click('#resend-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('Fresh links have been sent to everyone still to sign');
    await eventually(async () => (await mailCount(jubileePartners[2].email)) === owedBefore + 1 || null, 'fresh links to everyone owed');
    const closesBefore = await page.locator('#round-closes').textContent();
    await page.fill('#days', '91');
    await page.click('#extend-button');
    await expect(page.locator('#days-error').textContent()).resolves.toContain('Enter a whole number of days from 1 to 90');
    await expectGoodPage(page, 'the stage page with a refused extension', { endAt: 1280 });
    await page.fill('#days', '7');
    await page.click('#extend-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('more time');
    await until(page, async () => (await page.locator('#round-closes').textContent()) !== closesBefore, 'the round to close later');

    // a partner declines version 1, with a reason the facilitator reads on the stage page
    const decliner = v1.find((r) => r.to === jubileePartners[3].email)!;
    expect((await apiClient(stack.baseUrl).post(`/actions/${decliner.token}/decline`, { reason: 'The vision leaves out our branch surgery.' })).status).toBe(
      200,
    );
    await until(page, async () => (await page.locator('#declines').count()) > 0, 'the decline to show');
    await expect(page.locator('#declines').textContent()).resolves.toContain(`${jubileePartners[3].name} (${jubilee.name}) declined version 1`);
    await expect(page.locator('#declines').textContent()).resolves.toContain('The vision leaves out our branch surgery.');
    await expectGoodPage(page, 'the stage page after a decline', { endAt: 1280 });

    // version 2: the vision revised, issued again, and what changed read as text
    await page.click('#edit-details');
    expect(await page.inputValue('#f-chair')).toBe('Dr James Evans');
    await page.fill('#f-vision', 'Every patient of the Highway and Jubilee Street surgeries, branch included, gets the same care.');
    await page.click('#save-button');
    await page.click('#issue-link');
    await page.click('#issue-button');
    await expect(page.locator('#done').textContent()).resolves.toContain('The document is issued');
    await until(
      page,
      async () => (await page.locator('#version-2').count()) > 0 && (await page.locator('#round h2, h2#round').textContent())!.includes('version 2'),
      'version 2 to go out',
    );
    await page.click('#version-2 a:has-text("What changed")');
    await expect(page.locator('h1').textContent()).resolves.toBe('What changed from version 1 to version 2');
    const changes = (await page.locator('#changes').textContent())!;
    expect(changes).toContain('Changed');
    // the vision rewritten word by word: what went struck through, what came underlined
    expect(await page.locator('#changes del').allTextContents()).toEqual(expect.arrayContaining([expect.stringContaining('practices')]));
    expect((await page.locator('#changes ins').allTextContents()).join(' ')).toContain('branch included');
    expect(changes).not.toMatch(/\*\*|##|\|---/);
    await expectGoodPage(page, 'what changed', { endAt: 1280 });

    // partners sign version 2: Highway's on their own signing page, one of Jubilee Street's over the API
    const v2 = await eventually(async () => {
      const found = await signRequests(api, 2, title);
      return found.length === jubileePartners.length + 1 ? found : null;
    }, 'version 2 requests');
    const signer = await context.newPage();
    await signer.goto(`${stack.baseUrl}/a/${v2.find((r) => r.to === highwayPartner.email)!.token}`);
    expect(await axeViolations(signer)).toEqual([]);
    await signer.fill('#typedName', highwayPartner.name);
    await signer.check('#consent');
    await signer.click('#sign-button');
    await expect(signer.locator('h1').textContent()).resolves.toContain('You have signed');
    await signer.close();
    const jubileeSigner = jubileePartners[0];
    const signed = await apiClient(stack.baseUrl).post(`/actions/${v2.find((r) => r.to === jubileeSigner.email)!.token}/sign`, {
      typedName: jubileeSigner.name,
      consent: true,
    });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);

    // the signed pack waits for the panel's outcome
    await page.goto(`${stack.baseUrl}/networks/${network.id}/stages/panel-presentation`);
    await until(page, async () => (await page.locator('#stage-status').textContent()) === "Awaiting the panel's outcome", 'the pack to be signed');
    await expect(page.locator('#round-progress').textContent()).resolves.toBe('2 of 2 practices');
    await expect(page.locator('#round-practices').textContent()).resolves.toContain(`${jubileeSigner.name} on `);
    await expectGoodPage(page, 'the stage page, awaiting the outcome', { endAt: 1280 });
    await page.click('#panel-outcome-link');
    await page.waitForURL('**/panel/outcome');
    expect(await page.locator('h1').textContent(), await page.evaluate(() => document.body.innerText)).toBe('The panel’s outcome');
    await expectGoodPage(page, 'the panel outcome page', { endAt: 1280 });
    await page.click('#record-outcome');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Choose the panel’s outcome');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Say why the panel decided this');
    await expectGoodPage(page, 'the panel outcome page with errors', { endAt: 1280 });
    await page.check('#outcome-pass');
    await page.fill('#reason', 'A shared vision every practice supports.');
    await page.click('#record-outcome');
    await expect(page.locator('#done').textContent()).resolves.toContain('outcome is recorded');

    // the stage completes and is sealed: the signed copy and the evidence pack download
    await until(
      page,
      async () => (await page.locator('#stage-status').textContent()) === 'Completed' && (await page.locator('#sealed-2').count()) > 0,
      'the stage to complete and be sealed',
    );
    const text = await expectGoodPage(page, 'the completed stage', { endAt: 1280 });
    expect(text).toContain('Version 2: Signed');
    expect(text).toContain('Version 1: Declined');
    const sealed = await page.request.get(`${stack.baseUrl}${await page.locator('#sealed-2').getAttribute('href')}`);
    expect(sealed.status()).toBe(200);
    expect((await sealed.body()).subarray(0, 5).toString()).toBe('%PDF-');
    const pack = await page.request.get(`${stack.baseUrl}${await page.locator('#evidence-pack').getAttribute('href')}`);
    expect(pack.status()).toBe(200);
    expect((await pack.body()).subarray(0, 2).toString()).toBe('PK');

    // the panel scores page links to the outcome letter once it is sent
    await page.goto(`${stack.baseUrl}/networks/${network.id}/panel`);
    await until(page, async () => (await page.locator('#outcome-letter a').count()) > 0, 'the outcome letter to be sent');
    const letter = await page.request.get(`${stack.baseUrl}${await page.locator('#outcome-letter a').getAttribute('href')}`);
    expect(letter.status()).toBe(200);
    expect((await letter.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await expectGoodPage(page, 'the panel scores page with its outcome letter', { endAt: 1280 });

    // and the network page says where formation stands, in words
    await page.goto(`${stack.baseUrl}/networks/${network.id}`);
    await expect(page.locator('#stage-panel-presentation').textContent()).resolves.toContain('Completed');
    await expectGoodPage(page, 'the network page, first stage done', { endAt: 1280 });
    await context.close();
  }, 300_000);
});
