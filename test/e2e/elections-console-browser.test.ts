import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient } from '../support/api';
import { signInWithToken } from '../support/console-pages';
import { expectGoodPage } from '../support/page-checks';
import { createScenarioNetwork } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';
import { ballotLinks } from '../support/votes-driver';

type Person = { id: string; name: string; roles: string[] };
type Practice = { id: string; name: string; people: Person[] };

/**
 * A facilitator runs a board election in pages alone: opening it (a constituency without seats and
 * a term of office of none are refused, keeping what was typed; a 36-month term chosen), nominating
 * three partners (a missing statement refused; one withdraws and is nominated again), closing
 * nominations, and after the practices vote, closing the ballot: the result names the elected, goes
 * round by round by name, says the tie in words and links the certificate. Every page is axe clean
 * at 320 px and 1280 px, in plain words.
 */
describe('a facilitator runs an election through the pages', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  it('opens an STV election, takes nominations, closes each phase and shows the count in words', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 3, networkIndex: 6 });
    const practices = network.practices as Practice[];
    const standing = practices.map((p) => p.people.find((x) => x.roles.includes('partner'))!);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signInWithToken(page, stack.baseUrl, stack.token);

    await page.goto(`${stack.baseUrl}/networks/${network.id}`);
    await page.click('#network-links a:has-text("Elections")');
    await expect(page.locator('#no-elections').textContent()).resolves.toContain('No election');
    await expectGoodPage(page, 'the elections page, empty', { endAt: 1280 });
    await page.click('#open-election');
    await expectGoodPage(page, 'the election form', { endAt: 1280 });

    const year = new Date().getUTCFullYear() + 1;
    await page.fill('#title', 'Shadow board');
    await page.fill('#c1-seats', 'none');
    // the usual term is offered; a term of none is refused beside the box
    expect(await page.inputValue('#termMonths')).toBe('24');
    await page.fill('#termMonths', '0');
    for (const [name, month] of [
      ['nominationsCloseAt', '5'],
      ['ballotCloseAt', '6'],
    ] as const) {
      await page.fill(`#${name}-day`, '16');
      await page.fill(`#${name}-month`, month);
      await page.fill(`#${name}-year`, String(year));
      await page.fill(`#${name}-time`, '12:00');
    }
    await page.click('#open-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Enter the seats in Whole network as a whole number from 1 to 50');
    expect(await page.inputValue('#title')).toBe('Shadow board');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Enter the term of office as a whole number of months, from 1 to 120');
    expect(await page.inputValue('#ballotCloseAt-month')).toBe('6');
    expect(await page.inputValue('#termMonths')).toBe('0');
    await expectGoodPage(page, 'the election form with an error', { endAt: 1280 });
    await page.fill('#c1-seats', '1');
    await page.fill('#termMonths', '36');
    await page.click('#open-button');
    await page.waitForURL('**/elections/*?done=opened');
    await expect(page.locator('#election-phase').textContent()).resolves.toContain(`Taking nominations. Nominations close 16 May ${year} at 12:00pm`);
    const electionId = page.url().split('/elections/')[1].split('?')[0];
    await expect(page.locator('#term').textContent()).resolves.toBe('Those elected serve for 36 months.');
    expect((await api.get(`/elections/${electionId}`)).body.termMonths).toBe(36);
    await expectGoodPage(page, 'the election, taking nominations', { endAt: 1280 });

    // a nomination without a statement is refused; three partners then stand
    await page.selectOption('#personId', standing[0].id);
    await page.click('#nominate-button');
    await expect(page.locator('.nhsuk-error-summary').textContent()).resolves.toContain('Enter the candidate’s statement');
    expect(await page.inputValue('#personId')).toBe(standing[0].id);
    await expectGoodPage(page, 'the nomination with an error', { endAt: 1280 });
    for (const person of standing) {
      await page.selectOption('#personId', person.id);
      await page.fill('#statement', `${person.name} will speak for every practice.`);
      await page.click('#nominate-button');
      await page.waitForURL('**?done=nominated');
    }
    await expect(page.locator('#candidates-1').textContent()).resolves.toContain(standing[2].name);

    // the third stands down, then is nominated again before nominations close
    const third = ((await api.get(`/elections/${electionId}`)).body.constituencies[0].candidates as { id: string; personId: string }[]).find(
      (c) => c.personId === standing[2].id,
    )!;
    await page.click(`#withdraw-${third.id}`);
    await page.waitForURL('**?done=withdrawn');
    await expect(page.locator('#done').textContent()).resolves.toContain('The candidate has withdrawn');
    await expect(page.locator('#candidates-1').textContent()).resolves.not.toContain(standing[2].name);
    await expectGoodPage(page, 'the election after a withdrawal', { endAt: 1280 });
    await page.selectOption('#personId', standing[2].id);
    await page.fill('#statement', `${standing[2].name} will speak for every practice.`);
    await page.click('#nominate-button');
    await page.waitForURL('**?done=nominated');
    await expect(page.locator('#candidates-1').textContent()).resolves.toContain(standing[2].name);

    await page.click('#advance-button');
    await page.waitForURL('**?done=advanced');
    await expect(page.locator('#election-phase').textContent()).resolves.toContain('Voting');
    await expectGoodPage(page, 'the election, voting', { endAt: 1280 });

    // two of the three practices vote, each putting its own partner first: the third candidate has
    // no votes and goes out, then the other two are level with nothing earlier to part them
    const candidates = (await api.get(`/elections/${electionId}`)).body.constituencies[0].candidates as { id: string; personId: string }[];
    const candidateOf = (i: number) => candidates.find((c) => c.personId === standing[i].id)!.id;
    const links = await ballotLinks(api, stack.baseUrl, 'Election ballot: Shadow board', 3);
    for (const link of links) {
      const i = practices.findIndex((p) => p.id === link.practiceId);
      if (i === 2) continue;
      const res = await apiClient(stack.baseUrl).post(`/actions/${link.token}/ballot`, { preferences: [candidateOf(i), candidateOf(i + 1)] });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    }
    await page.reload();
    await expect(page.locator('#turnout').textContent()).resolves.toBe('Turnout: 2 of 3 practices have voted.');

    await page.click('#advance-button');
    await page.waitForURL('**?done=advanced');
    await expect(page.locator('#election-phase').textContent()).resolves.toContain('Counted');
    const elected = (await page.locator('#elected-1').textContent())!.trim();
    expect(standing.map((p) => p.name)).toContain(elected);
    const rounds = (await page.locator('#rounds-1').textContent())!;
    expect(rounds).toContain('Round 1');
    expect(rounds).toContain(elected);
    expect(rounds).toContain(`${standing[2].name} excluded`);
    const ties = (await page.locator('#ties-1').textContent())!;
    for (const person of standing.slice(0, 2)) expect(ties).toContain(person.name);
    expect(ties).toContain('settled by lot');
    const text = await expectGoodPage(page, 'the counted election', { endAt: 1280 });
    expect(text).not.toMatch(/\bstv\b|\bfptp\b/);

    // the certificate is issued after the count
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.locator('#certificate-pdf').count();
        },
        { timeout: 30_000 },
      )
      .toBe(1);
    const certificate = await page.request.get(`${stack.baseUrl}${await page.locator('#certificate-pdf').getAttribute('href')}`);
    expect((await certificate.body()).subarray(0, 5).toString()).toBe('%PDF-');

    await page.goto(`${stack.baseUrl}/networks/${network.id}/elections`);
    await expect(page.locator('#elections').textContent()).resolves.toContain('Counted');
    await expectGoodPage(page, 'the elections page', { endAt: 1280 });
    await context.close();
  }, 240_000);
});
