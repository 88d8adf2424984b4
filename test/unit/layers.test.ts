import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The layer rules (eslint.layers.mjs) catch a wrong-way import. Each case lints a small file as if
 * it stood at the given path, with the project's own lint configuration.
 */
describe('layer rules', () => {
  const eslint = new ESLint();

  async function layerErrors(filePath: string, code: string): Promise<string[]> {
    const [result] = await eslint.lintText(code, { filePath });
    return result.messages.filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
  }

  it.each([
    ['domain/voting/wrong.ts', "import { createRepos } from '../../db/repos';\nexport const r = createRepos;\n", 'domain/ imports only domain/'],
    ['domain/wrong.ts', "import crypto from 'node:crypto';\nexport const c = crypto;\n", 'no Node built-ins'],
    ['domain/wrong.ts', "import fs from 'fs';\nexport const c = fs;\n", 'no Node built-ins'],
    [
      'workflows/wrong.workflow.ts',
      "import { createSigningActivities } from '../activities/signing.activities';\nexport const a = createSigningActivities;\n",
      'as types only',
    ],
    ['workflows/wrong.workflow.ts', "import { createRepos } from '../db/repos';\nexport const r = createRepos;\n", 'workflows/ import only'],
    ['db/repos/wrong.repo.ts', "import { createApp } from '../../server/app';\nexport const a = createApp;\n", 'db/ imports only domain/'],
    [
      'server/services/wrong.service.ts',
      "import { createSigningActivities } from '../../activities/signing.activities';\nexport const a = createSigningActivities;\n",
      'server/ never imports activities/',
    ],
    [
      'server/services/wrong.service.ts',
      "import { signoffWorkflow } from '../../workflows/signoff.workflow';\nexport const w = signoffWorkflow;\n",
      'never a workflow',
    ],
    [
      'server/services/wrong.service.ts',
      "import { disputeWorkflow } from '../../workflows/dispute.workflow';\nexport const w = disputeWorkflow;\n",
      'never a workflow',
    ],
    ['activities/wrong.activities.ts', "import { createApp } from '../server/app';\nexport const a = createApp;\n", 'activities/ never import server/'],
    ['mail/wrong.ts', "import { createApp } from '../server/app';\nexport const a = createApp;\n", 'mail/ imports db/'],
    ['documents/wrong.ts', "import { TEMPLATE_CATALOGUE } from '../templates/catalogue';\nexport const c = TEMPLATE_CATALOGUE;\n", 'never templates/'],
    ['templates/panel-pack/wrong.ts', "import { createRepos } from '../../db/repos';\nexport const r = createRepos;\n", 'templates/ import domain/'],
  ])('refuses %s importing the wrong way', async (filePath, code, message) => {
    const errors = await layerErrors(filePath, code);
    expect(errors.length, `no layer error for ${filePath}`).toBe(1);
    expect(errors[0]).toContain(message);
  });

  it.each([
    ['domain/voting/fine.ts', "import { z } from 'zod';\nimport { STAGES } from '../stages';\nexport const x = [z, STAGES];\n"],
    [
      'workflows/fine.workflow.ts',
      "import type { SigningActivities } from '../activities/signing.activities';\nimport { STAGES } from '../domain/stages';\nexport type A = SigningActivities;\nexport const s = STAGES;\n",
    ],
    [
      'server/services/fine.service.ts',
      "import { signUpdate } from '../../workflows/messages';\nimport { createOutbox } from '../../mail/outbox';\nexport const x = [signUpdate, createOutbox];\n",
    ],
    [
      'activities/fine.activities.ts',
      "import type { SignInput } from '../workflows/messages';\nimport { createOutbox } from '../mail/outbox';\nexport type S = SignInput;\nexport const o = createOutbox;\n",
    ],
    ['server/services/fine.service.ts', "import { caseEventUpdate } from '../../workflows/dispute-messages';\nexport const u = caseEventUpdate;\n"],
  ])('allows %s its own imports', async (filePath, code) => {
    expect(await layerErrors(filePath, code)).toEqual([]);
  });
});
