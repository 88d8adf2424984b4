/**
 * `npm run bench -- <name>… [--option value…]`: runs benchmarks and prints their figures (and writes
 * bench/out/*.json). Targets live here, never as timed assertions in tests. With no name, every
 * benchmark runs. Options (everything from the first `--…` on) go to the benchmarks that take them.
 * A benchmark that reports errors makes the command exit non-zero, so CI can run one as a smoke test.
 */
import { benchNational } from './national';
import { benchReadiness } from './readiness';
import { benchRender } from './render';
import { benchSigning } from './signing';
import { benchVotes } from './votes';
import { benchVotesDomain } from './votes-domain';

const BENCHES: Record<string, (options: string[]) => unknown> = {
  render: benchRender,
  signing: (options) => benchSigning(options),
  votes: async () => {
    benchVotesDomain();
    await benchVotes();
  },
  national: (options) => benchNational(options),
  readiness: (options) => benchReadiness(options),
};

/** Benchmarks run by default; `national` and `readiness` are long (minutes at their default sizes) and run only when named. */
const DEFAULT = ['render', 'signing', 'votes'];

function reportedErrors(result: unknown): number {
  return result && typeof result === 'object' && 'errors' in result && typeof result.errors === 'number' ? result.errors : 0;
}

async function main() {
  const args = process.argv.slice(2);
  const firstOption = args.findIndex((a) => a.startsWith('-'));
  const names = firstOption < 0 ? args : args.slice(0, firstOption);
  const options = firstOption < 0 ? [] : args.slice(firstOption);
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  let errors = 0;
  for (const name of names.length ? names : DEFAULT) {
    console.log(`\n== ${name}`);
    errors += reportedErrors(await BENCHES[name](options));
  }
  if (errors > 0) {
    console.error(`\n${errors} error(s) reported`);
    process.exitCode = 1;
  }
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
