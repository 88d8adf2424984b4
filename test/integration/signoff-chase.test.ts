import { describe, expect, it } from 'vitest';
import { apiClient, type ApiClient, eventually } from '../support/api';
import { createScenarioNetwork, signRequests, waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import type { InProcessStack } from '../support/stack';

type Person = { id: string; name: string; email: string; roles: string[] };
type Practice = { id: string; name: string; people: Person[] };

/**
 * POST /signoffs/:id/chase: a fresh link to one person still owed a signature, or to everyone owed.
 * Who is owed is the round's own decision (its update validator), so a person who has signed, whose
 * practice has, or who is not in the round is refused, and nothing is sent.
 */
describe('chasing a signature', () => {
  let stack: InProcessStack;
  let api: ApiClient;
  useStack({}, (env) => ({ stack, api } = env));

  const mailsTo = async (email: string, title: string) =>
    ((await api.get(`/outbox?to=${encodeURIComponent(email)}&limit=1000`)).body as { subject: string }[]).filter((m) => m.subject.includes(title)).length;

  it('sends one link to the one person chased, everyone owed when no one is named, and refuses anyone with nothing owed', async () => {
    const { network } = await createScenarioNetwork(api, { practiceCount: 2 });
    const [jubilee, highway] = network.practices as Practice[];
    await api.post(`/networks/${network.id}/formation`);
    await waitForStage(api, network.id, 'panel-presentation', 'drafting');
    const issued = await api.post(`/networks/${network.id}/stages/panel-presentation/issue`);
    expect(issued.status, JSON.stringify(issued.body)).toBe(202);
    const title = issued.body.document.title as string;
    const partners = [...jubilee.people, ...highway.people].filter((p) => p.roles.includes('partner'));
    const requests = await eventually(async () => {
      const found = await signRequests(api, 1, title);
      return found.length === partners.length ? found : null;
    }, 'every partner to be asked');
    const status = await waitForStage(api, network.id, 'panel-presentation', 'awaiting-signatures');
    const signoffId = status.stages[0].signoff.id as string;

    // one partner of Jubilee Street, chased alone
    const chased = jubilee.people[1];
    const before = await mailsTo(chased.email, title);
    const colleagueBefore = await mailsTo(jubilee.people[2].email, title);
    const one = await api.post(`/signoffs/${signoffId}/chase`, { personId: chased.id });
    expect(one.status, JSON.stringify(one.body)).toBe(200);
    expect(one.body).toEqual({ sentTo: 1 });
    expect(await mailsTo(chased.email, title)).toBe(before + 1);
    expect(await mailsTo(jubilee.people[2].email, title)).toBe(colleagueBefore);

    // Highway's only partner signs: neither they nor anyone else of Highway is owed any more
    const highwayPartner = highway.people.find((p) => p.roles.includes('partner'))!;
    const link = requests.find((r) => r.to === highwayPartner.email)!;
    const signed = await apiClient(stack.baseUrl).post(`/actions/${link.token}/sign`, { typedName: highwayPartner.name, consent: true });
    expect(signed.status, JSON.stringify(signed.body)).toBe(200);
    const done = await api.post(`/signoffs/${signoffId}/chase`, { personId: highwayPartner.id });
    expect(done.status).toBe(409);
    expect(done.body.error.code).toBe('NOT_OWED');
    expect(done.body.error.message).toMatch(/Nothing is waiting for this person’s signature/);

    // a practice manager does not sign this round at all
    const manager = highway.people.find((p) => p.roles.includes('practice-manager'))!;
    const stranger = await api.post(`/signoffs/${signoffId}/chase`, { personId: manager.id });
    expect(stranger.status).toBe(409);
    expect(stranger.body.error.message).toBe('This person does not sign in this round.');

    // a malformed body is refused at the edge, before the round is asked
    for (const body of [{ personId: 7 }, { personId: '' }, { person: chased.id }]) {
      const bad = await api.post(`/signoffs/${signoffId}/chase`, body);
      expect(bad.status, JSON.stringify(body)).toBe(422);
      expect(bad.body.error.code).toBe('VALIDATION_FAILED');
    }

    // no one named: everyone still owed, i.e. Jubilee Street's seven partners
    const everyone = await api.post(`/signoffs/${signoffId}/chase`, {});
    expect(everyone.status).toBe(200);
    expect(everyone.body).toEqual({ sentTo: jubilee.people.filter((p) => p.roles.includes('partner')).length });
    expect(await mailsTo(highwayPartner.email, title)).toBe(1);
  });
});
