/**
 * `npm run verify-evidence -- pack.zip [--key-file <file>] [--json]`: checks an evidence pack
 * offline. The key file holds the evidence key (EVIDENCE_KEY, or DATA_DIR/evidence-key); without
 * it the checks that need the key are reported as not done. Exit code 0 when nothing failed, 1 when
 * something did, 2 for wrong usage.
 */
import fs from 'node:fs';
import { evidenceKey } from '../db/audit-chain';
import { checkEvidencePack } from '../server/services/evidence-pack-check';

const USAGE = 'usage: npm run verify-evidence -- <pack.zip> [--key-file <file>] [--json]';

async function main(argv: string[]): Promise<number> {
  let pack: string | undefined;
  let keyFile: string | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--key-file') keyFile = argv[++i];
    else if (argv[i] === '--json') json = true;
    else if (argv[i].startsWith('-') || pack) {
      console.error(USAGE);
      return 2;
    } else pack = argv[i];
  }
  if (!pack || (argv.includes('--key-file') && !keyFile)) {
    console.error(USAGE);
    return 2;
  }
  const key = keyFile ? evidenceKey(fs.readFileSync(keyFile, 'utf8')) : undefined;
  const report = await checkEvidencePack(fs.readFileSync(pack), { key });
  if (json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else {
    const mark = { ok: 'ok     ', failed: 'FAILED ', skipped: 'not run' };
    const lines = [`Evidence pack ${pack}${report.network ? `: ${report.network.name}, stage ${report.stage}` : ''}`];
    for (const l of report.lines) lines.push(`  ${mark[l.status]}  ${l.check}: ${l.detail}`);
    lines.push(
      report.valid
        ? report.lines.some((l) => l.status === 'skipped')
          ? 'No check failed; some need the evidence key (--key-file).'
          : 'Every check passed.'
        : 'The pack does not verify.',
    );
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return report.valid ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(2);
  },
);
