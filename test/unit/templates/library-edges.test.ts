import { describe, expect, it } from 'vitest';
import { TemplateContextError } from '../../../documents';
import { renderTemplate, STAGE_TEMPLATES } from '../../../templates';
import { ISSUE_META, makeNetwork, towerHamletsFacts } from '../../fixtures/network-facts';
import { docxParagraphs, flat, pdfText } from '../documents/extract';
import { voteResultContext as voteContext } from '../../support/document-contexts';

/** The template library at its edges: the smallest and largest networks, bad contexts and stage data, and overrides. */
const facts = towerHamletsFacts('Highway Network');

describe('edge cases', () => {
  it('renders a one-practice network', async () => {
    const one = makeNetwork({ practiceCount: 1 });
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(one, {}), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('a network of one general practice');
    expect(text).toContain('With one member practice, that means at least one practice.');
    expect(text.match(/Signed for and on behalf of/g)?.length).toBe(1);
  });

  it('renders a twelve-practice network, repeating the table header on each page', async () => {
    const twelve = makeNetwork({ practiceCount: 12 });
    const doc = await renderTemplate('financial-framework', STAGE_TEMPLATES['financial-framework'].buildContext(twelve, {}), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text.match(/Signed for and on behalf of/g)?.length).toBe(12);
    for (const p of twelve.practices) expect(text).toContain(p.odsCode);
    const tor = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(twelve, {}), ISSUE_META);
    expect(flat(pdfText(tor.pdf))).toContain('With twelve member practices, that means at least seven practices.');
  });

  it('repeats a table’s header row when the table crosses a page', async () => {
    const many = makeNetwork({ practiceCount: 60 });
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(many, {}), ISSUE_META);
    const pagesWithSchedule = pdfText(doc.pdf, true)
      .split('\f')
      .filter((p) => /Y10\d{3}\s+[\d,]+\s+\d+\s*$/m.test(p));
    expect(pagesWithSchedule.length).toBeGreaterThan(1);
    for (const page of pagesWithSchedule) expect(page).toMatch(/Practice\s+ODS code\s+Registered\s+patients/);
  });

  it('wraps very long names instead of running off the page', async () => {
    const longName =
      'The Very Long Named Group Practice of St Katharine’s, Wapping, Shadwell, Limehouse and the Isle of Dogs Partnership (Ó Súilleabháin & Żółkiewski)';
    const base = makeNetwork({ practiceCount: 2 });
    const network = {
      ...base,
      network: { ...base.network, name: 'Supercalifragilisticexpialidociouslylongnetworknamewithoutanyspacesatall Network' },
      practices: base.practices.map((p, i) => (i === 0 ? { ...p, name: longName } : p)),
    };
    const doc = await renderTemplate('terms-of-reference', STAGE_TEMPLATES['terms-of-reference'].buildContext(network, {}), {
      ...ISSUE_META,
      networkName: network.network.name,
    });
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('Ó Súilleabháin & Żółkiewski');
    expect(text).toContain('St Katharine’s');
    const layoutText = pdfText(doc.pdf, true);
    // no line of the laid-out text is wider than the page allows
    expect(Math.max(...layoutText.split('\n').map((l) => l.length))).toBeLessThan(160);
  });

  it('renders a £0 envelope as an all-zero allocation table', async () => {
    const doc = await renderTemplate('financial-framework', STAGE_TEMPLATES['financial-framework'].buildContext(facts, { envelopePounds: 0 }), ISSUE_META);
    const text = flat(pdfText(doc.pdf));
    expect(text).toContain('The envelope allocated by this framework is £0.00');
    const cells = (await docxParagraphs(doc.docx)).map((p) => p.text);
    const totalRow = cells.lastIndexOf('Total');
    expect(cells.slice(totalRow, totalRow + 7)).toEqual(['Total', '', '32,971', '100%', '£0.00', '£0.00', '£0.00']);
  });

  it('allocates by custom shares that must still sum exactly', async () => {
    const ids = facts.practices.map((p) => p.id);
    const ctx = STAGE_TEMPLATES['financial-framework'].buildContext(facts, {
      envelopePounds: 100_000.01,
      distributionMethod: 'custom',
      customShares: { [ids[0]]: 33.33, [ids[1]]: 33.33, [ids[2]]: 33.34, [ids[3]]: 0 },
    });
    const text = flat(pdfText((await renderTemplate('financial-framework', ctx, ISSUE_META)).pdf));
    expect(text).toContain('£100,000.01');
    expect(text).toContain('in the custom shares agreed by the Board');
  });

  it('lays out a word of 150,000 characters, in a paragraph and in a table cell, breaking it across lines', async () => {
    // past the stage-data limits (which refuse it at the edge), straight into the context: the
    // renderer must lay out whatever it is given
    const word = 'Z'.repeat(150_000);
    const ctx = STAGE_TEMPLATES['strategic-plan'].buildContext(facts, {}) as Record<string, unknown>;
    const doc = await renderTemplate('strategic-plan', { ...ctx, vision: word, risks: [{ risk: word, mitigation: 'Keep the register' }] }, ISSUE_META);
    const text = pdfText(doc.pdf);
    // every character is on some page, in lines that fit it
    expect(text.match(/Z/g)).toHaveLength(2 * 150_000);
    const longest = Math.max(...text.split('\n').map((l) => l.match(/Z+/)?.[0].length ?? 0));
    expect(longest).toBeGreaterThan(20);
    expect(longest).toBeLessThan(200);
    expect((await docxParagraphs(doc.docx)).some((p) => p.text.includes(word))).toBe(true);
  });
});

describe('bad context', () => {
  it('throws TemplateContextError naming each invalid or missing field', async () => {
    const good = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {}) as Record<string, unknown>;
    const bad = { ...good, quorum: { description: '' }, practices: [{ ...(good.practices as object[])[0], odsCode: 42 }], network: undefined };
    const error = await renderTemplate('terms-of-reference', bad, ISSUE_META).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateContextError);
    const paths = (error as TemplateContextError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining(['network', 'practices.0.odsCode', 'quorum.description', 'quorum.minimumPractices', 'quorum.requiredOffices']),
    );
  });

  it('rejects a bad meta and a bad vote result together', async () => {
    const error = await renderTemplate(
      'vote-result',
      { ...voteContext, result: 'maybe', tallies: { for: -1, against: 0, abstain: 0 } },
      { ...ISSUE_META, issuedOn: '16/03/2009' },
    ).catch((e) => e);
    expect(error).toBeInstanceOf(TemplateContextError);
    expect((error as TemplateContextError).issues.map((i) => i.path).sort()).toEqual(['meta.issuedOn', 'result', 'tallies.for']);
  });

  it('validates stage data strictly but accepts none at all', () => {
    for (const t of Object.values(STAGE_TEMPLATES)) expect(() => t.stageDataSchema.parse({})).not.toThrow();
    expect(() => STAGE_TEMPLATES['terms-of-reference'].stageDataSchema.parse({ noticeDays: 0 })).toThrow();
    expect(() => STAGE_TEMPLATES['financial-framework'].stageDataSchema.parse({ distributionMethod: 'lottery' })).toThrow();
  });

  it('caps the length of every text field and list of stage data, and refuses characters no document can hold', () => {
    const strategic = STAGE_TEMPLATES['strategic-plan'].stageDataSchema;
    const tooLong = strategic.safeParse({
      vision: 'Z'.repeat(150_000),
      kpis: Array.from({ length: 51 }, (_, i) => `KPI ${i}`),
      risks: [{ risk: 'r'.repeat(1001), mitigation: 'm' }],
    });
    expect(tooLong.success).toBe(false);
    expect(tooLong.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['kpis', 'risks.0.risk', 'vision']);
    expect(strategic.safeParse({ vision: 'V'.repeat(5000), kpis: Array.from({ length: 50 }, (_, i) => `KPI ${i}`) }).success).toBe(true);
    const tor = STAGE_TEMPLATES['terms-of-reference'].stageDataSchema.safeParse({ chair: 'Dr Ann Lee\uD800', entityName: 'x'.repeat(201) });
    expect(tor.success).toBe(false);
    expect(tor.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual(
      expect.arrayContaining([
        ['chair', expect.stringContaining('lone surrogate')],
        ['entityName', expect.stringMatching(/200/)],
      ]),
    );
    for (const [stage, field] of [
      ['panel-presentation', 'vision'],
      ['legal-entity', 'purpose'],
      ['data-sharing-agreement', 'retention'],
      ['financial-framework', 'reporting'],
    ] as const) {
      expect(STAGE_TEMPLATES[stage].stageDataSchema.safeParse({ [field]: 'x'.repeat(150_000) }).success, `${stage}.${field}`).toBe(false);
    }
  });
});

describe('template overrides', () => {
  it('renders an override, records its version, and reports fields it needs that the context lacks', async () => {
    const ctx = STAGE_TEMPLATES['terms-of-reference'].buildContext(facts, {});
    const doc = await renderTemplate('terms-of-reference', ctx, ISSUE_META, {
      source: '# Local ToR for {{network.name}}\n\n## Quorum\n\n1. {{quorum.description}}.\n',
      version: 'override:highway@3',
    });
    expect(doc.templateVersion).toBe('override:highway@3');
    expect(doc.title).toBe('Local ToR for Highway Network');
    expect(flat(pdfText(doc.pdf))).toContain('1.1 more than half of member practices');
    const error = await renderTemplate('terms-of-reference', ctx, ISSUE_META, { source: '# X\n\n{{network.chair}} {{fundingPot}}', version: 'v' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(TemplateContextError);
    expect((error as TemplateContextError).issues.map((i) => i.path)).toEqual(['network.chair', 'fundingPot']);
    const syntax = await renderTemplate('terms-of-reference', ctx, ISSUE_META, { source: '{{#if x}}', version: 'v' }).catch((e) => e);
    expect((syntax as TemplateContextError).issues[0].path).toBe('template');
  });

  it('renders the same markdown to the same content hash in every footer', async () => {
    const a = await renderTemplate('strategic-plan', STAGE_TEMPLATES['strategic-plan'].buildContext(facts, {}), ISSUE_META);
    const b = await renderTemplate('strategic-plan', STAGE_TEMPLATES['strategic-plan'].buildContext(facts, {}), ISSUE_META);
    expect(b.markdown).toBe(a.markdown);
    const hash = /content ([0-9a-f]{12})/.exec(pdfText(a.pdf))?.[1];
    expect(hash).toBeDefined();
    expect(pdfText(b.pdf)).toContain(`content ${hash}`);
  });
});
