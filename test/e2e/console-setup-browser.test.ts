import type { Browser, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { type ApiClient, eventually } from '../support/api';
import { panelPackTemplate } from '../support/fixtures';
import { createScenarioNetwork, signOnePartnerPerPractice, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { expectGoodPage } from '../support/page-checks';
import type { InProcessStack } from '../support/stack';

const HEADER = 'Network,Practice,ODS code,List size,Name,Email,Roles';

/**
 * A facilitator sets up a programme through pages alone, in a real chromium: the programme, a wave,
 * a network from a CSV (refused, with its rows named, for a duplicate email and a bad ODS code, and
 * nothing written; then previewed and created), a commissioner invited, a template version refused
 * without its signature blocks, previewed and used, then the built-in one again; and anyone checks a
 * sealed PDF. Every page is axe clean at 320 and 1280 px, fits a phone's width and reads in plain
 * English (no raw status code, ISO date or id).
 */
describe('setting up a programme in the console', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  let browser: Browser;
  useStack({ browser: true }, (env) => ({ stack, api, browser } = env));

  const errorSummary = (page: Page) => page.locator('.nhsuk-error-summary').textContent();
  const csvFile = (name: string, lines: string[]) => ({ name, mimeType: 'text/csv', buffer: Buffer.from(`${[HEADER, ...lines].join('\r\n')}\r\n`) });

  it('creates a programme, a wave and a network from a CSV, invites a commissioner and manages a template, in pages alone', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${stack.baseUrl}/login`);
    await page.fill('#token', stack.token);
    await page.click('button[type=submit]');
    await page.goto(`${stack.baseUrl}/`);
    await expectGoodPage(page, 'the home page', { endAt: 1280 });

    // the programme: an empty form is explained field by field; what was typed is kept
    await page.click('#new-programme');
    await expectGoodPage(page, 'the new programme form', { endAt: 1280 });
    await page.fill('#name', 'Console Programme');
    await page.fill('#minListSize', '50,000');
    await page.fill('#maxListSize', '30000');
    await page.click('#create-programme');
    const problems = await errorSummary(page);
    expect(problems).toContain('Enter who sponsors the programme');
    expect(problems).toContain('The largest list size must be at least the smallest');
    expect(await page.inputValue('#name')).toBe('Console Programme');
    expect(await page.inputValue('#minListSize')).toBe('50,000');
    await expectGoodPage(page, 'the new programme form with errors', { endAt: 1280 });
    await page.fill('#sponsor', 'NHS North East London ICB');
    await page.fill('#minListSize', '30,000');
    await page.fill('#maxListSize', '50000');
    await page.check('#signingCodeByEmail');
    await page.fill('#voteWindowDays', '10');
    await page.click('#create-programme');
    await expect(page.locator('#notice').textContent()).resolves.toContain('Programme set up');
    const programmeId = new URL(page.url()).pathname.split('/')[2];
    const programme = (await api.get(`/programmes/${programmeId}`)).body;
    expect(programme).toMatchObject({
      name: 'Console Programme',
      footprint: { minListSize: 30000, maxListSize: 50000 },
      settings: { signingCodeByEmail: true, decideStagesByVote: false, voteWindowDays: 10 },
    });
    await expect(page.locator('#programme-summary').textContent()).resolves.toContain('30,000 to 50,000 patients');
    await expectGoodPage(page, 'the programme set-up page', { endAt: 1280 });

    // a wave, its panel date as a date input
    await page.click('#add-wave-link');
    await page.fill('#panelDate-day', '31');
    await page.fill('#panelDate-month', '2');
    await page.fill('#panelDate-year', '2027');
    await page.click('#add-wave');
    expect(await errorSummary(page)).toContain('The panel date must be a real date');
    await expectGoodPage(page, 'the wave form with an error', { endAt: 1280 });
    await page.fill('#panelDate-day', '16');
    await page.fill('#panelDate-month', '3');
    await page.click('#add-wave');
    await expect(page.locator('#waves').textContent()).resolves.toContain('16 March 2027');
    const [wave] = (await api.get(`/programmes/${programmeId}`)).body.waves;
    expect(wave).toMatchObject({ number: 1, panelDate: '2027-03-16' });

    // a network from a CSV: a duplicate email and a bad ODS code are refused with their rows, and nothing is written
    await page.click('#import-networks-link');
    await expectGoodPage(page, 'the CSV upload page', { endAt: 1280 });
    const example = await page.request.get(`${stack.baseUrl}${await page.locator('#example-link').getAttribute('href')}`);
    expect(await example.text()).toMatch(/^Network,Practice,ODS code,List size,Name,Email,Roles/);
    const good = [
      'Console Network,Stepney Green Practice,Y10001,"11,200",Dr Ruth Adeyemi,ruth.adeyemi@console.example.org,Partner; Caldicott guardian',
      'Console Network,Stepney Green Practice,Y10001,"11,200",Sam Price,sam.price@console.example.org,Practice manager',
      'Console Network,Limehouse Surgery,Y10002,9800,Dr Omar Haddad,omar.haddad@console.example.org,Partner',
    ];
    await page.setInputFiles(
      '#file',
      csvFile('duplicate.csv', [...good, 'Console Network,Limehouse Surgery,Y10002,9800,Dr Omar Again,Omar.Haddad@console.example.org,Partner']),
    );
    await page.click('#check-file');
    expect(await errorSummary(page)).toContain('Row 5, Email: omar.haddad@console.example.org is already in row 4');
    await expect(page.locator('#problems-table').textContent()).resolves.toContain('Email');
    await expectGoodPage(page, 'the CSV upload page with a duplicate email', { endAt: 1280 });
    await page.setInputFiles('#file', csvFile('bad-ods.csv', [good[0], good[1], good[2].replace('Y10002', 'Y1-0002')]));
    await page.click('#check-file');
    expect(await errorSummary(page)).toContain('Row 4, ODS code: “Y1-0002” is not an ODS code');
    expect(await stack.db('networks').where({ programme_id: programmeId })).toHaveLength(0);
    expect(await stack.db('staged_uploads').where({ programme_id: programmeId })).toHaveLength(0);

    await page.setInputFiles('#file', csvFile('networks.csv', good));
    await page.click('#check-file');
    await expect(page.locator('#import-summary').textContent()).resolves.toContain('make 1 network of 2 practices');
    await expect(page.locator('main').textContent()).resolves.toContain('Partner, Caldicott guardian');
    // the preview is not the network: nothing of the programme is written yet
    expect(await stack.db('networks').where({ programme_id: programmeId })).toHaveLength(0);
    await expectGoodPage(page, 'the CSV preview', { endAt: 1280 });
    await page.click('#confirm-import');
    await expect(page.locator('#notice').textContent()).resolves.toContain('One network created from your file.');
    const [network] = (await api.get(`/networks?programmeId=${programmeId}`)).body;
    const created = (await api.get(`/networks/${network.id}`)).body;
    expect(created.practices.map((p: { odsCode: string; listSize: number; people: unknown[] }) => [p.odsCode, p.listSize, p.people.length])).toEqual([
      ['Y10001', 11200, 2],
      ['Y10002', 9800, 1],
    ]);
    expect(await stack.db('staged_uploads').where({ programme_id: programmeId })).toHaveLength(0);
    await expectGoodPage(page, 'the set-up page after the import', { endAt: 1280 });

    // the network's practices and people, with what happens to rounds already out
    await page.goto(`${stack.baseUrl}/networks/${network.id}/people`);
    await expect(page.locator('#open-rounds-note').textContent()).resolves.toContain('keeps the people it was sent to');
    await expect(page.locator('#people-0').textContent()).resolves.toContain('Caldicott guardian');
    await expectGoodPage(page, 'the practices and people page', { endAt: 1280 });
    await page.goto(`${stack.baseUrl}/networks/${network.id}`);
    await expectGoodPage(page, 'the network page', { endAt: 1280 });

    // a commissioner invited to the programme
    await page.goto(`${stack.baseUrl}/programmes/${programmeId}/setup`);
    await page.click('#staff-link');
    await expectGoodPage(page, 'the staff page', { endAt: 1280 });
    await page.fill('#name', 'Cleo Commissioner');
    await page.fill('#email', 'cleo.console@icb.example.org');
    await page.click('#send-invitation');
    expect(await errorSummary(page)).toContain('Choose what they will do in the programme');
    expect(await page.inputValue('#email')).toBe('cleo.console@icb.example.org');
    await expectGoodPage(page, 'the staff page with an error', { endAt: 1280 });
    await page.check('#role-commissioner');
    await page.click('#send-invitation');
    await expect(page.locator('#notice').textContent()).resolves.toContain('Cleo Commissioner is now a commissioner of this programme');
    await expect(page.locator('#staff').textContent()).resolves.toContain('cleo.console@icb.example.org');
    const staff = (await api.get('/staff')).body.filter((g: { person: { email: string } }) => g.person.email === 'cleo.console@icb.example.org');
    expect(staff).toEqual([expect.objectContaining({ role: 'commissioner', programmeIds: [programmeId] })]);
    await expectGoodPage(page, 'the staff page after an invitation', { endAt: 1280 });

    // a template version: refused without its signature blocks, previewed, used, then the built-in one again
    await page.goto(`${stack.baseUrl}/programmes/${programmeId}/setup`);
    await page.click('#templates-link');
    await expectGoodPage(page, 'the templates page', { endAt: 1280 });
    await page.click('a[href$="/templates/panel-pack"]');
    await expect(page.locator('#required-sections').textContent()).resolves.toContain('Use of the new freedoms');
    await expectGoodPage(page, 'a template page', { endAt: 1280 });
    const templateFile = (name: string, source: string) => ({ name, mimeType: 'text/plain', buffer: Buffer.from(source) });
    await page.setInputFiles('#file', templateFile('no-signatures.md.hbs', panelPackTemplate('Console wording.', { signatures: false })));
    await page.click('#preview-template');
    const refused = await errorSummary(page);
    expect(refused).toContain('Refused: the signature block is missing for Stepney Green Practice and Limehouse Surgery');
    expect(await stack.db('template_overrides').where({ programme_id: programmeId })).toHaveLength(0);
    await expectGoodPage(page, 'a template page with a refusal', { endAt: 1280 });
    await page.setInputFiles('#file', templateFile('panel-pack.md.hbs', panelPackTemplate('Console wording for every practice.')));
    await page.click('#preview-template');
    await expect(page.locator('#template-preview').textContent()).resolves.toContain('Console wording for every practice.');
    await expect(page.locator('#rendered-with').textContent()).resolves.toContain('Console Network');
    expect(await stack.db('template_overrides').where({ programme_id: programmeId })).toHaveLength(0);
    await expectGoodPage(page, 'the template preview', { endAt: 1280 });
    await page.click('#use-template');
    await expect(page.locator('#notice').textContent()).resolves.toContain('Version 1 is now in use');
    await expect(page.locator('#in-use').textContent()).resolves.toContain('the programme’s version 1');
    await page.click('#revert-template');
    await expect(page.locator('#notice').textContent()).resolves.toContain('The built-in template is in use again');
    await expect(page.locator('#versions').textContent()).resolves.toContain('Back to the built-in template');
    expect((await stack.db('template_overrides').where({ programme_id: programmeId }).orderBy('version')).map((t) => Boolean(t.builtin))).toEqual([
      false,
      true,
    ]);
    await expectGoodPage(page, 'a template page after going back to the built-in one', { endAt: 1280 });

    // the wave and programme readiness pages, reached from the set-up page
    await page.goto(`${stack.baseUrl}/waves/${wave.id}`);
    await expectGoodPage(page, 'the wave readiness page', { endAt: 1280 });
    await page.goto(`${stack.baseUrl}/programmes/${programmeId}`);
    await expectGoodPage(page, 'the programme readiness page', { endAt: 1280 });
    await context.close();
    // two dozen pages, each checked by axe at two widths
  }, 300_000);

  it('checks a sealed PDF for anyone, and says in words why an altered one is not valid', async () => {
    // a round signed by every practice, so its document is sealed
    const { network } = await createScenarioNetwork(api, { practiceCount: 1, networkIndex: 6 });
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status).toBe(202);
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, issued.body.document.title);
      return found.length ? found : null;
    }, 'signing requests');
    await signOnePartnerPerPractice(stack.baseUrl, requests);
    const sealed = await eventually(
      async () => (await stack.db('sealed_documents').where({ document_id: issued.body.document.id }).first()) ?? null,
      'the sealed copy',
    );
    const pdf = await api.get(`/sealed/${sealed.id}/pdf`);
    expect(pdf.status).toBe(200);
    // the API's verdict on the same bytes, which the page must put in words
    const byApi = await api.call('POST', '/documents/verify', pdf.body, { 'content-type': 'application/pdf' });
    expect(byApi.body).toMatchObject({ valid: true, title: issued.body.document.title });

    const page = await (await browser.newContext()).newPage();
    await page.goto(`${stack.baseUrl}/verify`);
    await expectGoodPage(page, 'the verify page', { endAt: 1280 });
    await page.click('#check-pdf');
    expect(await errorSummary(page)).toContain('Choose the PDF to check');
    await expectGoodPage(page, 'the verify page with an error', { endAt: 1280 });

    await page.setInputFiles('#pdf', { name: 'sealed.pdf', mimeType: 'application/pdf', buffer: pdf.body as Buffer });
    await page.click('#check-pdf');
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('This is a valid sealed copy');
    const facts = await page.locator('#verify-facts').textContent();
    expect(facts).toContain(issued.body.document.title);
    expect(facts).toMatch(
      /Sealed\d{1,2} (January|February|March|April|May|June|July|August|September|October|November|December) \d{4} at \d{1,2}:\d{2}(am|pm) \(UK time\)/,
    );
    await expect(page.locator('#verify-signature').textContent()).resolves.toContain('Signed by Formwork');
    await expect(page.locator('#verify-signers').textContent()).resolves.toContain('Partner');
    await expectGoodPage(page, 'a valid verify result', { endAt: 1280 });

    // one byte changed: not the copy we sealed, said in words
    const altered = Buffer.from(pdf.body as Buffer);
    const at = altered.indexOf('Formwork');
    altered[at] = 'X'.charCodeAt(0);
    await page.setInputFiles('#pdf', { name: 'altered.pdf', mimeType: 'application/pdf', buffer: altered });
    await page.click('#check-pdf');
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('Not a valid sealed copy');
    expect(await page.locator('#verify-reason').textContent()).not.toBe('');
    await expectGoodPage(page, 'an invalid verify result', { endAt: 1280 });

    await page.setInputFiles('#pdf', { name: 'notes.pdf', mimeType: 'application/pdf', buffer: Buffer.from('not a pdf at all') });
    await page.click('#check-pdf');
    await expect(page.locator('#verify-result').textContent()).resolves.toContain('This file is not a PDF');
    await page.close();
  });
});
