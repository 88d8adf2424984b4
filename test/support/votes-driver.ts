import { expect } from 'vitest';
import { type ApiClient, apiClient, eventually, tokenFromLink } from './api';

export interface BallotLink {
  to: string;
  token: string;
  practiceId: string;
  practiceName: string;
  personName: string;
}

/** The ballot links of a motion (subject "Vote: <title>") or election, one per practice (the first partner's). */
export async function ballotLinks(api: ApiClient, baseUrl: string, subjectIncludes: string, expectedPractices: number): Promise<BallotLink[]> {
  const anonymous = apiClient(baseUrl);
  const messages = await eventually(async () => {
    const outbox = await api.get(`/outbox?limit=1000`);
    const found = (outbox.body as { to: string; subject: string; links: string[] }[]).filter(
      (m) => m.subject.includes(subjectIncludes) && !m.subject.startsWith('Reminder'),
    );
    return found.length >= expectedPractices ? found : null;
  }, `ballot links for "${subjectIncludes}"`);
  const byPractice = new Map<string, BallotLink>();
  for (const m of messages.reverse()) {
    const token = tokenFromLink(m.links[0]);
    const action = await anonymous.get(`/actions/${token}`);
    expect(action.status, JSON.stringify(action.body)).toBe(200);
    if (!byPractice.has(action.body.practice.id)) {
      byPractice.set(action.body.practice.id, {
        to: m.to,
        token,
        practiceId: action.body.practice.id,
        practiceName: action.body.practice.name,
        personName: action.body.person.name,
      });
    }
  }
  return [...byPractice.values()];
}

/** Casts `choice` through each link; returns the receipts. */
export async function castAll(baseUrl: string, links: BallotLink[], choice: (link: BallotLink, i: number) => 'for' | 'against' | 'abstain') {
  const anonymous = apiClient(baseUrl);
  const receipts = [];
  for (const [i, link] of links.entries()) {
    const res = await anonymous.post(`/actions/${link.token}/ballot`, { choice: choice(link, i) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    receipts.push(res.body);
  }
  return receipts;
}

export async function waitForMotionClosed(api: ApiClient, motionId: string, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const res = await api.get(`/motions/${motionId}`);
      return res.body.status === 'closed' && res.body.certificate ? res.body : null;
    },
    `motion ${motionId} to close`,
    timeoutMs,
  );
}

export function inSeconds(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

/** Proposes a motion that closes in an hour (a test closes it itself). Expects it to be created; returns it. */
export async function proposeMotion(api: ApiClient, networkId: string, motion: { title: string; text: string; decisionType: string }) {
  const created = await api.post(`/networks/${networkId}/motions`, { ...motion, closesAt: inSeconds(3600) });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/**
 * Opens an election (STV unless `method` says otherwise) with one constituency of the given
 * practices: nominations close in an hour, the ballot in two (a test closes each phase itself).
 * Expects it to be created.
 */
export async function openElection(
  api: ApiClient,
  networkId: string,
  opts: { title: string; method?: 'stv' | 'fptp'; constituency: string; seats: number; practiceIds: string[] },
) {
  const created = await api.post(`/networks/${networkId}/elections`, {
    title: opts.title,
    method: opts.method ?? 'stv',
    constituencies: [{ name: opts.constituency, seats: opts.seats, practiceIds: opts.practiceIds }],
    nominationsCloseAt: inSeconds(3600),
    ballotCloseAt: inSeconds(7200),
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created;
}

/** Nominates each person in `constituency` with `statement`; expects each to stand and returns their candidate ids in order. */
export async function nominate(api: ApiClient, electionId: string, constituency: string, personIds: string[], statement = 'I will serve.') {
  const ids: string[] = [];
  for (const personId of personIds) {
    const res = await api.post(`/elections/${electionId}/candidates`, { personId, constituency, statement });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    ids.push(res.body.id as string);
  }
  return ids;
}
