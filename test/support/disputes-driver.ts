import { expect } from 'vitest';
import { type ApiClient, eventually, tokenFromLink } from './api';

export interface Mail {
  to: string;
  subject: string;
  text: string;
  links: string[];
}

/** Messages in the outbox whose subject starts with `prefix`. */
export async function mails(api: ApiClient, prefix: string): Promise<Mail[]> {
  const outbox = await api.get('/outbox?limit=1000');
  expect(outbox.status).toBe(200);
  return (outbox.body as Mail[]).filter((m) => m.subject.startsWith(prefix));
}

/** The action link token mailed to `to` in a message whose subject starts with `prefix`. */
export async function linkFor(api: ApiClient, prefix: string, to: string): Promise<string> {
  const found = await eventually(
    async () => (await mails(api, prefix)).find((m) => m.to === to && m.links.some((l) => l.includes('/a/'))),
    `a "${prefix}" message to ${to}`,
  );
  return tokenFromLink(found.links[0]);
}

/** Opens a case between practices of a network, expecting 201. */
export async function openCase(api: ApiClient, networkId: string, parties: string[], extra: { title?: string; summary?: string; stage?: string } = {}) {
  const res = await api.post(`/networks/${networkId}/disputes`, {
    title: extra.title ?? 'Sharing of the pharmacist',
    summary: extra.summary ?? 'The hours of the shared pharmacist were not shared as agreed.',
    parties,
    ...(extra.stage ? { stage: extra.stage } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; step: { number: number; name: string }; dueOn: string | null };
}

export async function caseEvent(api: ApiClient, caseId: string, body: Record<string, unknown>, status = 200) {
  const res = await api.post(`/disputes/${caseId}/events`, body);
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

/** The case once `check` holds (its workflow writes the read model as it goes). */
export function caseWhen(api: ApiClient, caseId: string, check: (c: any) => boolean, what: string) {
  return eventually(async () => {
    const res = await api.get(`/disputes/${caseId}`);
    return res.status === 200 && check(res.body) ? res.body : null;
  }, what);
}
