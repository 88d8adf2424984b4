import { expect } from 'vitest';
import { type ApiClient, apiClient, eventually, tokenFromLink } from './api';
import { passPanel, waitForStage } from './formation-driver';
import { cookieHeaderOf, inviteStaff, postForm, signInByEmail } from './people';

/**
 * A small world for access tests: programmes A and B, network NA in A (one practice: a partner and
 * a partner who is also its practice manager and is appointed chair) and NB in B; a facilitator of each programme, a
 * commissioner and a panel member of A, all invited through POST /staff; NA's panel presentation
 * issued and signed (so there is a document, a round and a sealed copy), a motion and an election.
 */
export async function buildAccessWorld(admin: ApiClient, baseUrl: string, tag: string) {
  const programme = async (name: string) => {
    const p = await admin.post('/programmes', { name: `${name} ${tag}`, sponsor: 'NHS Test ICB', footprint: { minListSize: 1000, maxListSize: 100000 } });
    expect(p.status, JSON.stringify(p.body)).toBe(201);
    const w = await admin.post(`/programmes/${p.body.id}/waves`, { number: 1, panelDate: '2027-06-01' });
    expect(w.status).toBe(201);
    return { id: p.body.id as string, waveId: w.body.id as string };
  };
  const A = await programme('Programme A');
  const B = await programme('Programme B');
  const email = (who: string) => `${who}.${tag}@example.org`;
  const network = async (p: { id: string; waveId: string }, name: string, people: { name: string; email: string; roles: string[] }[]) => {
    const n = await admin.post('/networks', {
      programmeId: p.id,
      waveId: p.waveId,
      name: `${name} ${tag}`,
      practices: [{ name: `${name} Surgery`, odsCode: 'F84001', listSize: 12000, people }],
    });
    expect(n.status, JSON.stringify(n.body)).toBe(201);
    return n.body as { id: string; practices: { id: string; people: { id: string; email: string }[] }[] };
  };
  const NA = await network(A, 'Alpha Network', [
    { name: 'Dr Pat Partner', email: email('pat'), roles: ['partner'] },
    { name: 'Mo Manager', email: email('mo'), roles: ['partner', 'practice-manager', 'board-member'] },
  ]);
  const NB = await network(B, 'Beta Network', [{ name: 'Dr Bea Partner', email: email('bea'), roles: ['partner'] }]);
  const mo = NA.practices[0].people.find((p) => p.email === email('mo'))!;

  const facA = await inviteStaff(admin, baseUrl, { name: 'Fay Facilitator', email: email('fay'), role: 'facilitator', programmeIds: [A.id] });
  const facB = await inviteStaff(admin, baseUrl, { name: 'Ben Facilitator', email: email('ben'), role: 'facilitator', programmeIds: [B.id] });
  const commA = await inviteStaff(admin, baseUrl, { name: 'Cleo Commissioner', email: email('cleo'), role: 'commissioner', programmeIds: [A.id] });
  const panelA = await inviteStaff(admin, baseUrl, { name: 'Pip Panellist', email: email('pip'), role: 'panel-member', programmeIds: [A.id] });

  // Mo is appointed chair of NA, signs in by emailed link and makes a token on their account page
  const appointed = await admin.post(`/networks/${NA.id}/appointments`, { personId: mo.id, office: 'chair' });
  expect(appointed.status, JSON.stringify(appointed.body)).toBe(201);
  const chairSession = await signInByEmail(baseUrl, admin, email('mo'));
  const made = await postForm(baseUrl, '/me', '/me/tokens', { label: 'chair script', expiresInDays: '30' }, chairSession.cookies);
  const secret = /id="new-token-secret">([^<]+)</.exec(await made.text())?.[1];
  expect(secret, 'a token shown once on the account page').toBeTruthy();
  const chair = {
    api: apiClient(baseUrl, secret),
    token: secret!,
    cookies: chairSession.cookies,
    landing: chairSession.landing,
    cookie: cookieHeaderOf(chairSession.cookies),
  };

  // a document, its round (signed by the only partner, so sealed) and the partner's link
  expect((await admin.post(`/networks/${NA.id}/formation`)).status).toBe(202);
  await waitForStage(admin, NA.id, 'panel-presentation', 'drafting');
  const issued = await admin.post(`/networks/${NA.id}/stages/panel-presentation/issue`);
  expect(issued.status, JSON.stringify(issued.body)).toBe(202);
  const request = await eventually(async () => {
    const outbox = await admin.get(`/outbox?to=${encodeURIComponent(email('pat'))}`);
    return (outbox.body as { subject: string; links: string[] }[]).find((m) => m.subject.startsWith('Please sign')) ?? null;
  }, 'the partner’s signing link');
  const partnerLink = tokenFromLink(request.links[0]);
  const anonymous = apiClient(baseUrl);
  const signed = await anonymous.post(`/actions/${partnerLink}/sign`, { typedName: 'Dr Pat Partner', consent: true });
  expect(signed.status, JSON.stringify(signed.body)).toBe(200);
  const documentId = issued.body.document.id as string;
  const signoffId = (await eventually(async () => (await admin.get(`/networks/${NA.id}/formation`)).body.stages[0].signoff?.id, 'the round')) as string;
  await passPanel(admin, NA.id);
  await waitForStage(admin, NA.id, 'terms-of-reference', 'drafting');

  const motion = await admin.post(`/networks/${NA.id}/motions`, {
    title: `Adopt the budget ${tag}`,
    decisionType: 'ordinary',
    closesAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  expect(motion.status, JSON.stringify(motion.body)).toBe(201);
  const election = await admin.post(`/networks/${NA.id}/elections`, {
    title: `Shadow board ${tag}`,
    method: 'fptp',
    constituencies: [{ name: 'All', seats: 1, practiceIds: [NA.practices[0].id] }],
    nominationsCloseAt: new Date(Date.now() + 3_600_000).toISOString(),
    ballotCloseAt: new Date(Date.now() + 7_200_000).toISOString(),
  });
  expect(election.status, JSON.stringify(election.body)).toBe(201);

  // a dispute case between the two practices of another network of programme A
  const disputing = await admin.post('/networks', {
    programmeId: A.id,
    waveId: A.waveId,
    name: `Disputing Network ${tag}`,
    practices: [
      { name: 'East Surgery', odsCode: 'F84011', listSize: 9000, people: [{ name: 'Dr Eve East', email: email('eve'), roles: ['partner'] }] },
      { name: 'West Surgery', odsCode: 'F84012', listSize: 9000, people: [{ name: 'Dr Wes West', email: email('wes'), roles: ['partner'] }] },
    ],
  });
  expect(disputing.status, JSON.stringify(disputing.body)).toBe(201);
  const disputeParties = (disputing.body.practices as { id: string }[]).map((p) => p.id);
  const dispute = await admin.post(`/networks/${disputing.body.id}/disputes`, {
    title: `Sharing the pharmacist ${tag}`,
    summary: 'Sessions are not shared as agreed.',
    parties: disputeParties,
  });
  expect(dispute.status, JSON.stringify(dispute.body)).toBe(201);

  return {
    A,
    B,
    NA,
    NB,
    mo,
    facA,
    facB,
    commA,
    panelA,
    chair,
    partnerLink,
    documentId,
    signoffId,
    motionId: motion.body.id as string,
    electionId: election.body.id as string,
    email,
    dispute: { id: dispute.body.id as string, networkId: disputing.body.id as string, practiceIds: disputeParties },
  };
}

export type AccessWorld = Awaited<ReturnType<typeof buildAccessWorld>>;
