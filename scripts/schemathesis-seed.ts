/**
 * Seeds a running Formwork with one of everything the API's paths name (a programme and its waves
 * and panel, a network in formation with a round out for signature, a motion, an election at its
 * ballot, a dispute case, a risk and an issue) and writes a Schemathesis configuration
 * (scripts/schemathesis.toml, with dictionaries of their ids and links added). Schemathesis then sends real ids and links most of the
 * time, so its requests reach the handlers instead of stopping at "no such network".
 *
 *   npx tsx scripts/schemathesis-seed.ts <base URL> <admin token> <schemathesis.toml to write>
 *
 * Used by scripts/schemathesis.sh; it changes nothing but the stack it is pointed at.
 */
import fs from 'node:fs';
import path from 'node:path';

const [baseUrl, token, outFile] = process.argv.slice(2);
if (!baseUrl || !token || !outFile) {
  process.stderr.write('usage: schemathesis-seed.ts <base URL> <admin token> <schemathesis.toml>\n');
  process.exit(2);
}
const api = `${baseUrl.replace(/\/$/, '')}/api/v1`;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are read loosely here; the schemas are checked by the run
type Json = any;

async function call(method: string, path: string, body?: unknown, auth = true): Promise<Json> {
  const res = await fetch(`${api}${path}`, {
    method,
    headers: { ...(auth ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 500)}`);
  return text ? JSON.parse(text) : null;
}

async function until<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const inDays = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();
const person = (name: string, roles: string[]) => ({ name, email: `${name.toLowerCase().replace(/[^a-z]+/g, '.')}@seed.example.org`, roles });

async function main() {
  const run = Date.now().toString(36);
  const programme = await call('POST', '/programmes', {
    name: `Fuzzing programme ${run}`,
    sponsor: 'Seed PCT',
    footprint: { minListSize: 1000, maxListSize: 100000 },
  });
  const waves = [
    await call('POST', `/programmes/${programme.id}/waves`, { number: 1, panelDate: '2031-03-16' }),
    await call('POST', `/programmes/${programme.id}/waves`, { number: 2, panelDate: '2031-09-16' }),
  ];
  await call('PUT', `/waves/${waves[0].id}/panel`, {
    date: '2031-03-16',
    members: [{ name: 'Ms Jo Reed', email: 'jo.reed@panel.seed.example.org', organisation: 'Seed PCT', external: false }],
    criteria: [
      { key: 'vision', title: 'Vision', weight: 2 },
      { key: 'leadership', title: 'Leadership', weight: 1 },
    ],
  });
  const network = await call('POST', '/networks', {
    programmeId: programme.id,
    waveId: waves[0].id,
    name: `Fuzzing network ${run}`,
    practices: [
      {
        name: 'Alpha Practice',
        odsCode: 'Z90001',
        listSize: 9000,
        people: [person('Dr Ann Alpha', ['partner', 'board-member', 'chair']), person('Ali Alpha', ['practice-manager'])],
      },
      { name: 'Beta Practice', odsCode: 'Z90002', listSize: 7000, people: [person('Dr Bo Beta', ['partner', 'board-member', 'caldicott-guardian'])] },
      { name: 'Gamma Practice', odsCode: 'Z90003', listSize: 8000, people: [person('Dr Cy Gamma', ['partner', 'board-member'])] },
    ],
  });
  const practiceIds: string[] = network.practices.map((p: Json) => p.id);
  const personIds: string[] = network.practices.flatMap((p: Json) => p.people.map((x: Json) => x.id));

  await call('POST', `/networks/${network.id}/formation`);
  await until('the first stage to open', async () => (await call('GET', `/networks/${network.id}/formation`)).stages[0].status === 'drafting');
  const issued = await call('POST', `/networks/${network.id}/stages/panel-presentation/issue`);

  const motion = await call('POST', `/networks/${network.id}/motions`, {
    title: 'Adopt the work plan',
    text: 'That the network adopts the work plan.',
    decisionType: 'ordinary',
    closesAt: inDays(7),
  });
  const election = await call('POST', `/networks/${network.id}/elections`, {
    title: 'Chair',
    method: 'fptp',
    constituencies: [{ name: 'Whole network', seats: 1, practiceIds }],
    nominationsCloseAt: inDays(2),
    ballotCloseAt: inDays(9),
  });
  await call('POST', `/elections/${election.id}/candidates`, { personId: personIds[0], constituency: 'Whole network', statement: 'I will chair fairly.' });
  await call('POST', `/elections/${election.id}/close`);
  const dispute = await call('POST', `/networks/${network.id}/disputes`, {
    title: 'Sharing of costs',
    summary: 'Two practices disagree on the split of costs.',
    parties: practiceIds.slice(0, 2),
  });
  const risk = await call('POST', `/networks/${network.id}/risks`, {
    title: 'Key staff leave',
    cause: 'Retirements',
    impact: 'Services stop',
    likelihood: 3,
    impactScore: 4,
    ownerPersonId: personIds[0],
    mitigation: 'Succession plan',
    reviewOn: '2031-01-31',
  });
  const issue = await call('POST', `/networks/${network.id}/issues`, {
    title: 'Late accounts',
    description: 'Accounts are late.',
    ownerPersonId: personIds[0],
    action: 'Chase the accountant',
    dueOn: '2031-02-28',
    riskId: risk.id,
  });

  // one link of each kind, from the outbox (no SMTP: the administrator sees the messages' links)
  const kinds = ['sign', 'score', 'vote', 'ballot', 'dispute-case'];
  const links = await until('links of every kind in the outbox', async () => {
    const found = new Map<string, string>();
    for (const message of await call('GET', '/outbox?limit=1000')) {
      for (const link of message.links ?? []) {
        const secret = /\/a\/([^/?#]+)/.exec(link)?.[1];
        if (!secret) continue;
        const view = await call('GET', `/actions/${secret}`, undefined, false).catch(() => null);
        if (view && !found.has(view.kind)) found.set(view.kind, secret);
      }
    }
    return kinds.every((k) => found.has(k)) ? found : null;
  });
  const signoff = await until('the signing round', async () => (await call('GET', `/networks/${network.id}/formation`)).stages[0].signoff);

  const dictionaries: Record<string, (string | number)[]> = {
    programmes: [programme.id],
    waves: waves.map((w) => w.id),
    networks: [network.id],
    documents: [issued.document.id],
    signoffs: [signoff.id],
    motions: [motion.id],
    elections: [election.id],
    disputes: [dispute.id],
    links: [...links.values()],
    stages: ['panel-presentation', 'terms-of-reference', 'legal-entity', 'data-sharing-agreement', 'financial-framework', 'strategic-plan'],
    types: ['terms-of-reference', 'data-sharing-agreement', 'strategic-plan'],
    risks: [risk.id],
    issues: [issue.id],
    practices: practiceIds,
    people: personIds,
  };
  const toml: string[] = [
    fs.readFileSync(path.join(__dirname, 'schemathesis.toml'), 'utf8'),
    '# written by scripts/schemathesis-seed.ts for one run: ids and links of the seeded stack',
    '',
  ];
  for (const [name, values] of Object.entries(dictionaries)) toml.push(`[dictionaries.${name}]`, `values = ${JSON.stringify(values)}`, '');
  // real values most of the time, generated ones the rest (so unknown ids are still tried)
  const bind = (dictionary: string) => `{ dictionary = "${dictionary}", probability = 0.8 }`;
  toml.push('[parameters]');
  for (const [param, dictionary] of [
    ['path.stage', 'stages'],
    ['path.type', 'types'],
    ['path.riskId', 'risks'],
    ['path.issueId', 'issues'],
    ['path.token', 'links'],
  ])
    toml.push(`"${param}" = ${bind(dictionary)}`);
  for (const field of ['programmeId', 'waveId', 'networkId']) toml.push(`"body.${field}" = ${bind(`${field.slice(0, -2)}s`)}`);
  for (const field of ['personId', 'ownerPersonId', 'toPersonId']) toml.push(`"body.${field}" = ${bind('people')}`);
  for (const field of ['principalPracticeId', 'proxyPracticeId', 'subjectPracticeId']) toml.push(`"body.${field}" = ${bind('practices')}`);
  toml.push(`"body.parties[*]" = ${bind('practices')}`, `"body.programmeIds[*]" = ${bind('programmes')}`, `"body.documentId" = ${bind('documents')}`, '');
  for (const [prefix, dictionary] of [
    ['programmes', 'programmes'],
    ['waves', 'waves'],
    ['networks', 'networks'],
    ['documents', 'documents'],
    ['signoffs', 'signoffs'],
    ['motions', 'motions'],
    ['elections', 'elections'],
    ['disputes', 'disputes'],
  ]) {
    toml.push('[[operations]]', `include-path-regex = "^/${prefix}/\\\\{id\\\\}"`, `parameters = { "path.id" = ${bind(dictionary)} }`, '');
  }
  fs.writeFileSync(outFile, `${toml.join('\n')}\n`);
  process.stdout.write(
    `seeded: programme, 2 waves and a panel, a network in formation (round out), a motion, an election at ballot, a dispute, a risk and an issue; links: ${[...links.keys()].join(', ')}\n`,
  );
}

main().catch((err: Error) => {
  process.stderr.write(`seeding failed: ${err.message}\n`);
  process.exit(1);
});
