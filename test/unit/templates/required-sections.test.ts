import { describe, expect, it } from 'vitest';
import { loadBuiltinSource, missingParts, renderTemplate, REQUIRED_SECTIONS, STAGE_TEMPLATES } from '../../../templates';
import { ISSUE_META, towerHamletsFacts } from '../../fixtures/network-facts';

const facts = towerHamletsFacts('Highway Network');
const practices = facts.practices.map((p) => p.name);

async function render(stage: keyof typeof STAGE_TEMPLATES, source?: string) {
  const t = STAGE_TEMPLATES[stage];
  return renderTemplate(t.documentType, t.buildContext(facts, {}), ISSUE_META, source ? { source, version: 'candidate' } : undefined);
}

/** What a stage's document must keep, whoever writes its template (DOMAIN.md §3). */
describe('required sections of stage documents', () => {
  it('names sections for every stage document, and every built-in template has them all and a signature block per practice', async () => {
    for (const stage of Object.keys(STAGE_TEMPLATES) as (keyof typeof STAGE_TEMPLATES)[]) {
      const type = STAGE_TEMPLATES[stage].documentType;
      expect(REQUIRED_SECTIONS[type]?.length, type).toBeGreaterThan(2);
      expect(missingParts(type, (await render(stage)).markdown, practices), type).toEqual({ sections: [], signaturesFor: [] });
    }
  });

  it('finds a terms of reference without its quorum section, and one without its signature blocks', async () => {
    const builtin = loadBuiltinSource('terms-of-reference');
    const noQuorum = builtin.replace('## Quorum', '## Attendance');
    expect(missingParts('terms-of-reference', (await render('terms-of-reference', noQuorum)).markdown, practices)).toEqual({
      sections: ['Quorum'],
      signaturesFor: [],
    });
    const noSignatures = builtin.slice(0, builtin.indexOf('## Signatures'));
    expect(missingParts('terms-of-reference', (await render('terms-of-reference', noSignatures)).markdown, practices)).toEqual({
      sections: [],
      signaturesFor: practices,
    });
  });

  it('accepts headings in the programme’s own words, and names with apostrophes in signature blocks', () => {
    const markdown = [
      '# Panel pack',
      '## Our vision',
      '## Aspirations for 2027',
      '## How we use the freedoms',
      '## Leadership and payee',
      '## List size and footprint',
      '```signature',
      'party: St John&#x27;s Surgery',
      '```',
    ].join('\n\n');
    expect(missingParts('panel-pack', markdown, ['St John’s Surgery'])).toEqual({ sections: [], signaturesFor: [] });
    expect(missingParts('panel-pack', markdown, ['St John’s Surgery', 'Bow Road Practice']).signaturesFor).toEqual(['Bow Road Practice']);
  });
});
