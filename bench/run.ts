/**
 * `npm run bench -- <name>…`: runs benchmarks and prints their figures (and writes bench/out/*.json).
 * Targets live here, never as timed assertions in tests. With no name, every benchmark runs.
 */
import { benchRender } from './render';
import { benchSigning } from './signing';
import { benchVotes } from './votes';
import { benchVotesDomain } from './votes-domain';

const BENCHES: Record<string, () => unknown> = {
  render: benchRender,
  signing: benchSigning,
  votes: async () => { benchVotesDomain(); await benchVotes(); },
};

async function main() {
  const names = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = names.filter((n) => !BENCHES[n]);
  if (unknown.length) {
    console.error(`unknown benchmark(s): ${unknown.join(', ')}; choose from ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  for (const name of names.length ? names : Object.keys(BENCHES)) {
    console.log(`\n== ${name}`);
    await BENCHES[name]();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
