import type { Browser } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, panelBody, scoreLinks, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { latestMail } from '../support/people';
import type { InProcessStack } from '../support/stack';
import { expectGoodPage } from '../support/page-checks';

const UK_TIME = /\d{1,2} [A-Z][a-z]+ \d{4} at \d{1,2}:\d{2}(am|pm) \(UK time\)/;
const SAM = 'sam.okafor@panel.example.org';
const JO = 'jo.reed@panel.example.org';
const KIM = 'kim.lee@panel.example.org';

/**
 * Panel members are people: setting a wave's panel gives each member a panel-member grant, so they
 * sign in by emailed link, land on what awaits their score, open a network with a fresh link and
 * score it; "my actions" lists their score links. Taking them off a panel keeps the grant while
 * they sit on another wave's panel of the programme, and ends it when they sit on none.
 */
describe('a panel member in a browser', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api: admin, browser } = env));

  const grantOf = async (email: string) =>
    ((await admin.get('/staff')).body as { person: { email: string }; role: string; programmeIds: string[] }[]).find(
      (g) => g.person.email === email && g.role === 'panel-member',
    ) ?? null;

  it('signs in by emailed link, lands on the panel page, opens a network and scores it; leaving every panel ends the grant', async () => {
    const { programme, waves, network } = await createScenarioNetwork(admin, { practiceCount: 2, networkIndex: 5 });
    expect((await admin.put(`/waves/${waves[0].id}/panel`, panelBody())).status).toBe(200);
    // each member is a person with a panel-member grant on the programme, audited
    expect((await grantOf(SAM))?.programmeIds).toEqual([programme.id]);
    expect((await grantOf(JO))?.programmeIds).toEqual([programme.id]);
    expect(await stack.db('audit_events').where({ type: 'panel.member-granted' }).count({ n: '*' }).first()).toMatchObject({ n: 2 });

    await admin.post(`/networks/${network.id}/formation`);
    await waitForStage(admin, network.id, 'panel-presentation', 'drafting');
    expect((await admin.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    const [emailed] = await eventually(async () => {
      const found = (await scoreLinks(admin, network.name)).filter((l) => l.to === SAM);
      return found.length ? found : null;
    }, 'Sam’s score link');

    // sign in by the emailed link (read from the outbox as the administrator)
    const context = await browser.newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/signin`);
    await page.fill('#email', SAM);
    await page.click('#send-link');
    const mail = await latestMail(admin, SAM, /sign in to Formwork/);
    await page.goto(mail.links[0]);
    await page.click('#sign-in');
    await page.waitForLoadState('domcontentloaded');
    expect(new URL(page.url()).pathname).toBe('/panel');
    await expect(page.locator('#wave-1-awaiting').textContent()).resolves.toContain(network.name);
    expect(await page.locator('#wave-1-scored').count()).toBe(0);
    await expectGoodPage(page, 'the panel page', { endAt: 320 });

    // "my actions" lists the emailed score link, signed in and from the link itself
    await page.click('#nav-my-actions');
    await expect(page.locator('#my-actions-list').textContent()).resolves.toContain(`Score ${network.name}'s panel presentation`);
    await expectGoodPage(page, 'my actions with a score link', { endAt: 320 });
    await page.goto(`${stack.baseUrl}/a/${emailed.token}/mine`);
    await expect(page.locator('#my-actions-list').textContent()).resolves.toContain(`Score ${network.name}'s panel presentation`);

    // from the panel page, a fresh link opens the scoring page
    await page.goto(`${stack.baseUrl}/panel`);
    await page.click('#wave-1-awaiting button');
    await expect(page.locator('h1').textContent()).resolves.toBe(`Score ${network.name}`);
    const opened = new URL(page.url()).pathname;
    expect(opened).not.toBe(`/a/${emailed.token}`);
    await page.check('#score-vision-4');
    await page.check('#score-freedoms-3');
    await page.check('#score-leadership-5');
    await page.check('#recommendation-pass');
    await page.click('#score-button');
    await page.waitForSelector('#confirmation');
    const [stored] = await stack.db('panel_scores').where({ network_id: network.id });
    expect(stored.recommendation).toBe('pass');

    // scored: done on the panel page, gone from my actions, and the reopened link says when
    await page.goto(`${stack.baseUrl}/panel`);
    await expect(page.locator('#wave-1-scored').textContent()).resolves.toMatch(new RegExp(`${network.name}: scored .*${UK_TIME.source}`));
    expect(await page.locator('#wave-1-awaiting').count()).toBe(0);
    await expectGoodPage(page, 'the panel page with a network scored', { endAt: 320 });
    await page.goto(`${stack.baseUrl}/me/actions`);
    expect(await page.locator('#my-actions-list').count()).toBe(0);
    await page.goto(`${stack.baseUrl}/a/${emailed.token}`);
    await expect(page.locator('#outcome-heading').textContent()).resolves.toBe('You have scored this presentation');
    await expect(page.locator('#outcome-text').textContent()).resolves.toMatch(UK_TIME);
    await expectGoodPage(page, 'the reopened score link', { endAt: 320 });
    // a presentation that is not waiting for this member opens nothing
    await page.goto(`${stack.baseUrl}/panel`);
    const csrf = (await page.locator('.fw-account__form input[name=_csrf]').getAttribute('value'))!;
    const again = await page.request.post(`${stack.baseUrl}/panel/${stored.presentation_id}/score`, { form: { _csrf: csrf }, maxRedirects: 0 });
    expect(again.status()).toBe(404);
    expect(await again.text()).toContain('not waiting for your score');

    // Sam also sits on wave 2's panel; leaving wave 1's keeps the grant, and Jo, on no other panel, loses hers
    expect(
      (
        await admin.put(`/waves/${waves[1].id}/panel`, {
          ...panelBody('2009-06-15'),
          members: [panelBody().members[1], { name: 'Kim Lee', email: KIM, organisation: 'Tower Hamlets PCT', external: false }],
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await admin.put(`/waves/${waves[0].id}/panel`, {
          ...panelBody(),
          members: [{ name: 'Kim Lee', email: KIM, organisation: 'Tower Hamlets PCT', external: false }],
        })
      ).status,
    ).toBe(200);
    expect((await grantOf(SAM))?.programmeIds).toEqual([programme.id]);
    expect(await grantOf(JO)).toBeNull();
    const withdrawn = (await stack.db('audit_events').where({ type: 'panel.member-withdrawn' })).map((e) => JSON.parse(e.data));
    expect(withdrawn).toEqual([expect.objectContaining({ waveId: waves[0].id, grantRevoked: true, credentialsEnded: true })]);
    await page.goto(`${stack.baseUrl}/panel`);
    expect(new URL(page.url()).pathname).toBe('/panel');

    // off wave 2's panel too: the grant ends, and so does Sam's session
    expect(
      (
        await admin.put(`/waves/${waves[1].id}/panel`, {
          ...panelBody('2009-06-15'),
          members: [{ name: 'Kim Lee', email: KIM, organisation: 'Tower Hamlets PCT', external: false }],
        })
      ).status,
    ).toBe(200);
    expect(await grantOf(SAM)).toBeNull();
    await page.goto(`${stack.baseUrl}/panel`);
    expect(new URL(page.url()).pathname).toBe('/signin');
    await context.close();
  }, 180_000);
});
