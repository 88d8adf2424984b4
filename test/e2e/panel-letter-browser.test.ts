import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { signInWithToken } from '../support/console-pages';
import { failingActivity } from '../support/failing-activities';
import { createScenarioNetwork, passPanel, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { expectGoodPage } from '../support/page-checks';
import type { InProcessStack } from '../support/stack';

/** While set, the outcome letter's activity fails as a letter whose template cannot be filled in does. */
let failLetters = true;
const WHY = 'The outcome letter could not be filled in.';
const failingLetters = failingActivity({
  activityType: 'sendPanelOutcomeLetter',
  when: () => failLetters,
  failure: { message: WHY, type: 'TEMPLATE_CONTEXT_INVALID' },
});

describe('a panel outcome letter that could not be sent', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true, workerInterceptors: { activity: [failingLetters] } }, (env) => ({ stack, api, browser } = env));

  const letterOf = async (networkId: string) => (await api.get(`/networks/${networkId}/panel`)).body.current.outcome.letter;
  const lettersMailed = async (networkName: string) =>
    ((await api.get('/outbox?limit=1000')).body as { subject: string; links: string[] }[]).filter((m) =>
      m.subject.startsWith(`Panel outcome for ${networkName}`),
    );
  const auditTypes = async (networkId: string) =>
    (await stack.db('audit_events').where({ network_id: networkId }).orderBy('seq').select('type')).map((r: { type: string }) => r.type);

  it('leaves the outcome standing, says why, and is sent again when the facilitator asks', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2 });
    expect((await api.post(`/networks/${network.id}/formation`)).status).toBe(202);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    expect((await api.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);

    // nothing to send again before there is an outcome
    const early = await api.post(`/networks/${network.id}/panel/letter`);
    expect(early.status).toBe(409);
    expect(early.body.error.code).toBe('LETTER_NOT_FAILED');

    // the facilitator is answered; the letter then fails, and the panel view says why
    expect((await passPanel(api, network.id)).letterDocumentId).toBeNull();
    const failed = await eventually(async () => {
      const letter = await letterOf(network.id);
      return letter.status === 'failed' ? letter : null;
    }, 'the letter to fail');
    expect(failed).toEqual({ status: 'failed', documentId: null, error: WHY, failedAt: expect.any(String) });
    expect((await api.get(`/networks/${network.id}/panel`)).body.current.outcome.outcome).toBe('pass');
    expect(await lettersMailed(network.name)).toEqual([]);
    expect(await auditTypes(network.id)).toContain('panel.letter-failed');

    // sent again while it still fails: the failure is cleared as the attempt starts, then recorded anew
    const again = await api.post(`/networks/${network.id}/panel/letter`);
    expect(again.status, JSON.stringify(again.body)).toBe(202);
    expect(again.body).toEqual({ presentationId: expect.any(String), letter: 'sending' });
    await eventually(async () => ((await auditTypes(network.id)).filter((t) => t === 'panel.letter-failed').length === 2 ? true : null), 'the second failure');
    expect((await letterOf(network.id)).status).toBe('failed');

    // the facilitator sees it on the panel page, and once the cause is mended sends it from there
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithToken(page, stack.baseUrl, stack.token);
    await page.goto(`${stack.baseUrl}/networks/${network.id}/panel`);
    await expect(page.locator('#outcome-letter').textContent()).resolves.toContain('The letter could not be sent');
    await expectGoodPage(page, 'the panel page with a letter that could not be sent', { endAt: 1280 });
    failLetters = false;
    await page.click('#resend-letter');
    await expect(page.locator('#done').textContent()).resolves.toContain('The letter is being sent again');
    await expectGoodPage(page, 'the panel page with the letter being sent again', { endAt: 1280 });
    const sent = await eventually(async () => {
      const letter = await letterOf(network.id);
      return letter.status === 'sent' ? letter : null;
    }, 'the letter to be sent');
    expect(sent).toEqual({ status: 'sent', documentId: expect.any(String), error: null, failedAt: null });
    const mailed = await lettersMailed(network.name);
    expect(mailed.length).toBeGreaterThanOrEqual(2);
    expect(mailed[0].links[0]).toContain(`/api/v1/documents/${sent.documentId}/pdf?token=`);
    const events = await auditTypes(network.id);
    expect(events.filter((t) => t === 'panel.letter-resent')).toHaveLength(2);
    expect(events.at(-1)).toBe('panel.letter-sent');

    await page.reload();
    await expect(page.locator('#outcome-letter a').textContent()).resolves.toBe('Outcome letter (PDF)');
    await context.close();

    // a sent letter is not sent again
    const twice = await api.post(`/networks/${network.id}/panel/letter`);
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('LETTER_NOT_FAILED');
  }, 120_000);
});
