import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// These files are bundled into workflow code: they may import zod and each other, nothing else,
// and must not reach for the clock or randomness.
const root = join(__dirname, '../../../../domain');
const workflowSafe = [
  'voting/rule.ts',
  'voting/ballot.ts',
  'voting/electorate.ts',
  'voting/election.ts',
  'voting/tally.ts',
  'voting/stv.ts',
  'voting/fptp.ts',
  'calendar/working-days.ts',
];

describe('workflow-safe domain files', () => {
  for (const file of workflowSafe) {
    it(`${file} imports only zod and relative modules, and no clock or randomness`, () => {
      const source = readFileSync(join(root, file), 'utf8');
      const imports = [...source.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]);
      for (const spec of imports) expect(spec === 'zod' || spec.startsWith('./') || spec.startsWith('../')).toBe(true);
      expect(imports).not.toContain('./bank-holidays');
      expect(source).not.toMatch(/Date\.now\(|Math\.random\(|new Date\(\)|process\.|require\(/);
    });
  }
});
