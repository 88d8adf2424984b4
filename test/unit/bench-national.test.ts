import { describe, expect, it } from 'vitest';
import { parseNationalArgs } from '../../bench/national';
import { linksDelivered, type MailSink, type ReceivedMail } from '../../bench/national-mail';
import { FOOTPRINT, growth, inPool, NATIONAL_NETWORKS, NATIONAL_PRACTICES, percentile, planNetworks, splitListSize } from '../../bench/national-plan';
import { seededRandom } from '../../bench/seeded-random';

describe('the national bench plan', () => {
  const plan = planNetworks({ networks: 1_250, waves: 3, tag: 'n', seed: 42 });

  it('gives every network 4 to 8 practices, about 6,800 across 1,250 networks as in 2019', () => {
    const counts = plan.map((n) => n.practices.length);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(4);
    expect(Math.max(...counts)).toBeLessThanOrEqual(8);
    const practices = counts.reduce((a, b) => a + b, 0);
    // the weights' mean is 5.4 practices a network: within 5% of the national figure
    expect(Math.abs(practices - (NATIONAL_PRACTICES * plan.length) / NATIONAL_NETWORKS)).toBeLessThan(NATIONAL_PRACTICES * 0.05);
  });

  it('puts most networks inside the 30-50k footprint, and some outside, as list sizes really fall', () => {
    const totals = plan.map((n) => n.practices.reduce((a, p) => a + p.listSize, 0));
    const inside = totals.filter((t) => t >= FOOTPRINT.minListSize && t <= FOOTPRINT.maxListSize).length;
    expect(inside / totals.length).toBeGreaterThan(0.7);
    expect(inside).toBeLessThan(totals.length);
  });

  it('keeps ODS codes and emails unique, so networks of one programme never share a practice or a person', () => {
    const ods = plan.flatMap((n) => n.practices.map((p) => p.odsCode));
    const emails = plan.flatMap((n) => n.practices.flatMap((p) => p.people.map((x) => x.email)));
    expect(new Set(ods).size).toBe(ods.length);
    expect(new Set(emails).size).toBe(emails.length);
  });

  it('spreads networks over the waves in turn and is the same for the same seed', () => {
    expect(new Set(plan.map((n) => n.wave))).toEqual(new Set([0, 1, 2]));
    expect(planNetworks({ networks: 20, waves: 3, tag: 'n', seed: 42 })).toEqual(plan.slice(0, 20));
  });

  it('splits a network population so the practices add up to it, none below the smallest practice', () => {
    const sizes = splitListSize(41_234, 6, seededRandom(7));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(41_234);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1_500);
  });
});

describe('the national bench figures', () => {
  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile([], 99)).toBeNaN();
  });

  it('measures growth as cost per network at N over cost per network at N/4', () => {
    expect(growth({ networks: 10, wallMs: 1_000 }, { networks: 40, wallMs: 4_000 })).toBe(1);
    expect(growth({ networks: 10, wallMs: 1_000 }, { networks: 40, wallMs: 6_000 })).toBe(1.5);
  });

  it('runs at most the limit at once and keeps results in order', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await inPool([5, 1, 3, 2, 4], 2, async (x) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, x));
      inFlight -= 1;
      return x * 10;
    });
    expect(results).toEqual([50, 10, 30, 20, 40]);
    expect(most).toBe(2);
  });

  it('refuses several workers on SQLite, whose file belongs to one process', () => {
    expect(() => parseNationalArgs(['--workers', '2'])).toThrow(/postgres/);
    expect(parseNationalArgs(['--networks', '8', '--db', 'postgres', '--workers', '2'])).toMatchObject({
      networks: 8,
      db: 'postgres',
      workers: 2,
      concurrency: 8,
    });
    expect(() => parseNationalArgs(['--networks', 'many'])).toThrow(/--networks/);
  });
});

describe("the benches' inbox", () => {
  const sink = (inbox: Record<string, ReceivedMail[]>): MailSink => ({
    url: 'smtp://127.0.0.1:0',
    to: (address) => inbox[address.toLowerCase()] ?? [],
    counts: () => ({ received: 0, unreadable: 0 }),
    stop: async () => {},
  });
  const mail = (to: string, subject: string, links: string[]): ReceivedMail => ({ to, subject, links });

  it("gives each address's first link under the subject, in the order the addresses were asked for", async () => {
    const inbox = {
      'b@x.org': [mail('b@x.org', 'Welcome', []), mail('b@x.org', 'Vote: fund', ['https://f/a/b1']), mail('b@x.org', 'Vote: fund', ['https://f/a/b2'])],
      'a@x.org': [mail('a@x.org', 'Sign: terms', ['https://f/a/s']), mail('a@x.org', 'Vote: fund', ['https://f/a/a1'])],
    };
    expect(await linksDelivered(sink(inbox), ['A@x.org', 'b@x.org'], 'votes', { subject: 'Vote:' })).toEqual([
      { to: 'A@x.org', link: 'https://f/a/a1' },
      { to: 'b@x.org', link: 'https://f/a/b1' },
    ]);
  });

  it('waits for mail still on its way, and names how many never came', async () => {
    const inbox: Record<string, ReceivedMail[]> = { 'a@x.org': [] };
    setTimeout(() => inbox['a@x.org'].push(mail('a@x.org', 'Sign: terms', ['https://f/a/late'])), 120);
    expect(await linksDelivered(sink(inbox), ['a@x.org'], 'sign requests')).toEqual([{ to: 'a@x.org', link: 'https://f/a/late' }]);
    await expect(linksDelivered(sink(inbox), ['a@x.org', 'c@x.org'], 'sign requests', { timeoutMs: 100 })).rejects.toThrow(
      'timed out waiting for sign requests: 1 of 2 not delivered',
    );
  });
});
