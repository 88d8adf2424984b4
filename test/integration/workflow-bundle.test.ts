import { describe, expect, it } from 'vitest';
import { workflowBundle } from '../support/bundle';

/** The modules of a bundle, as webpack names them ("./domain/panel.ts", "./node_modules/…"). */
function bundledModules(code: string): Set<string> {
  return new Set([...code.matchAll(/^\/\*{3}\/ "(\.\/[^"]+)"/gm)].map((m) => m[1]));
}

describe('the workflow bundle', () => {
  // Every workflow evaluates the bundle's modules afresh (the SDK isolates workflows from each
  // other), so whatever they import is paid for at each start and each replay, and kept in memory
  // by each cached workflow. Validation belongs at the edges, not there.
  it('holds the workflows and the pure rules they run, and no validation library', async () => {
    const modules = bundledModules((await workflowBundle()).code);
    expect(modules).toContain('./workflows/formation.workflow.ts');
    expect(modules).toContain('./domain/signing.ts');
    expect([...modules].filter((m) => m.startsWith('./node_modules/zod/'))).toEqual([]);
    expect([...modules].filter((m) => m.endsWith('.schema.ts'))).toEqual([]);
  });
});
