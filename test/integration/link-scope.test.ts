import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { testAuditEvidence } from '../support/codec';
import { createDb, migrateLatest } from '../../db/knex';
import { createRepos } from '../../db/repos';
import { MAX_CODE_ATTEMPTS } from '../../db/repos/codes.repo';
import { apiClient, type ApiClient, eventually, tokenFromLink } from '../support/api';
import { waitForStage } from '../support/formation-driver';
import { useStack } from '../support/lifecycle';
import { onePracticeNetwork, seedNetwork } from '../support/network-seed';
import { injectedPostgresUrl } from '../setup/temporal-env';
import { freshPostgresDatabase, type InProcessStack } from '../support/stack';

/**
 * What an action link reaches: "my actions" lists its own person's actions (ballots too) from any
 * kind of link; declining and delegating need the emailed code where signing does; a document is
 * not served from an expired or superseded link; and the code's attempt limit holds under a burst.
 */
describe('the reach of an action link', () => {
  let stack: InProcessStack;
  let admin: ApiClient;
  const anonymous = () => apiClient(stack.baseUrl);
  useStack({}, (env) => ({ stack, api: admin } = env));

  async function issuedNetwork(tag: string, opts: { signingCode?: boolean } = {}) {
    const p = (
      await admin.post('/programmes', {
        name: `Links ${tag}`,
        sponsor: 'ICB',
        footprint: { minListSize: 1, maxListSize: 100000 },
        settings: { signingCodeByEmail: opts.signingCode ?? false },
      })
    ).body;
    const w = (await admin.post(`/programmes/${p.id}/waves`, { number: 1, panelDate: '2027-01-01' })).body;
    const net = await admin.post('/networks', {
      programmeId: p.id,
      waveId: w.id,
      name: `Links network ${tag}`,
      practices: [
        {
          name: 'North Surgery',
          odsCode: 'F40001',
          listSize: 6000,
          people: [
            { name: 'Dr Ana North', email: `ana.${tag}@example.org`, roles: ['partner'] },
            { name: 'Dr Ned North', email: `ned.${tag}@example.org`, roles: ['partner'] },
          ],
        },
        { name: 'South Surgery', odsCode: 'F40002', listSize: 7000, people: [{ name: 'Dr Sue South', email: `sue.${tag}@example.org`, roles: ['partner'] }] },
      ],
    });
    expect(net.status, JSON.stringify(net.body)).toBe(201);
    await admin.post(`/networks/${net.body.id}/formation`);
    await waitForStage(admin, net.body.id, 'panel-presentation', 'drafting');
    const issued = await admin.post(`/networks/${net.body.id}/stages/panel-presentation/issue`);
    expect(issued.status).toBe(202);
    const linkFor = async (who: string, subject: RegExp) =>
      tokenFromLink(
        (
          await eventually(
            async () =>
              ((await admin.get(`/outbox?to=${encodeURIComponent(`${who}.${tag}@example.org`)}`)).body as { subject: string; links: string[] }[]).find((m) =>
                subject.test(m.subject),
              ),
            `${who}'s link`,
          )
        ).links[0],
      );
    return { network: net.body, programme: p, issued: issued.body, linkFor };
  }

  it('lists only that person’s actions, open ballots included, from a link of any kind', async () => {
    const { network, issued, linkFor } = await issuedNetwork('mine');
    const motion = await admin.post(`/networks/${network.id}/motions`, {
      title: 'Adopt the plan',
      decisionType: 'ordinary',
      closesAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(motion.status).toBe(201);
    const anaSign = await linkFor('ana', /Please sign/);
    const anaVote = await linkFor('ana', /Adopt the plan/);

    for (const token of [anaSign, anaVote]) {
      const mine = await anonymous().get(`/actions/${token}/mine`);
      expect(mine.status, JSON.stringify(mine.body)).toBe(200);
      expect(mine.body.map((i: { kind: string; title: string }) => [i.kind, i.title]).sort()).toEqual(
        [
          ['sign', issued.document.title],
          ['vote', 'Adopt the plan'],
        ].sort(),
      );
      expect(mine.body.every((i: { practice: string }) => i.practice === 'North Surgery')).toBe(true);
    }
    // Sue's list is Sue's: her own links, not Ana's
    const sueMine = (await anonymous().get(`/actions/${await linkFor('sue', /Please sign/)}/mine`)).body as { practice: string; actionId: string }[];
    expect(sueMine.map((i) => i.practice)).toEqual(['South Surgery', 'South Surgery']);
    const anaIds = ((await anonymous().get(`/actions/${anaSign}/mine`)).body as { actionId: string }[]).map((i) => i.actionId);
    expect(sueMine.some((i) => anaIds.includes(i.actionId))).toBe(false);

    // the page works from a ballot link too, and opening one of Sue's actions from Ana's link is refused
    const page = await fetch(`${stack.baseUrl}/a/${anaVote}/mine`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Vote: Adopt the plan');

    // once North Surgery has voted (by Ned), the ballot is no longer waiting for Ana
    const nedVote = await linkFor('ned', /Adopt the plan/);
    expect((await anonymous().post(`/actions/${nedVote}/ballot`, { choice: 'for' })).status).toBe(200);
    const after = (await anonymous().get(`/actions/${anaSign}/mine`)).body as { kind: string }[];
    expect(after.map((i) => i.kind)).toEqual(['sign']);
  });

  it('asks for the emailed code to decline or hand over, as it does to sign', async () => {
    const { linkFor } = await issuedNetwork('code', { signingCode: true });
    const ana = await linkFor('ana', /Please sign/);
    const ned = await linkFor('ned', /Please sign/);
    const noCode = await anonymous().post(`/actions/${ana}/decline`, { reason: 'Not this version' });
    expect(noCode.status).toBe(422);
    expect(noCode.body.error.code).toBe('CODE_REQUIRED');
    const action = (await anonymous().get(`/actions/${ned}`)).body;
    const handOver = await anonymous().post(`/actions/${ned}/delegate`, { toPersonId: action.delegateTo[0]?.personId ?? 'someone' });
    expect(handOver.body.error.code).toBe('CODE_REQUIRED');
    expect((await anonymous().get(`/actions/${ana}`)).body.status).toBe('pending');

    expect((await anonymous().post(`/actions/${ana}/code`)).status).toBe(200);
    const mail = await eventually(
      async () =>
        ((await admin.get(`/outbox?to=${encodeURIComponent('ana.code@example.org')}`)).body as { subject: string; text: string }[]).find((m) =>
          m.subject.startsWith('Your signing code'),
        ),
      'the code',
    );
    const code = /(\d{6})/.exec(mail.text)![1];
    const declined = await anonymous().post(`/actions/${ana}/decline`, { reason: 'Not this version', code });
    expect(declined.status, JSON.stringify(declined.body)).toBe(200);
  });

  it('does not serve a document from an expired link or one a newer version superseded', async () => {
    const { network, issued, linkFor } = await issuedNetwork('docs');
    const ana = await linkFor('ana', /Please sign/);
    const documentId = issued.document.id;
    expect((await anonymous().get(`/documents/${documentId}?token=${ana}`)).status).toBe(200);
    expect((await anonymous().get(`/actions/${ana}/pdf`)).status).toBe(200);

    // past its expiry: the round may still be open, the link is not
    const [row] = await stack
      .db('action_tokens')
      .where({ document_id: documentId, kind: 'sign' })
      .join('people', 'people.id', 'action_tokens.person_id')
      .where('people.email', 'sue.docs@example.org')
      .select('action_tokens.id');
    const sue = await linkFor('sue', /Please sign/);
    await stack
      .db('action_tokens')
      .where({ id: row.id })
      .update({ expires_at: new Date(Date.now() - 1000).toISOString() });
    for (const path of [`/documents/${documentId}/pdf?token=${sue}`, `/actions/${sue}/pdf`, `/actions/${sue}/preview`]) {
      const res = await anonymous().get(path);
      expect(res.status, path).toBe(410);
      expect(res.body.error.code).toBe('TOKEN_EXPIRED');
    }
    expect((await fetch(`${stack.baseUrl}/a/${sue}/document.pdf`)).status).toBe(410);

    // a new version voids the round: the old link no longer serves the old document
    expect((await admin.post(`/networks/${network.id}/stages/panel-presentation/issue`)).status).toBe(202);
    await eventually(async () => (await stack.db('signoffs').where({ document_id: documentId }).first())?.status === 'voided', 'the old round to be voided');
    for (const path of [`/documents/${documentId}?token=${ana}`, `/documents/${documentId}/docx?token=${ana}`, `/actions/${ana}/pdf`]) {
      const res = await anonymous().get(path);
      expect(res.status, path).toBe(410);
      expect(res.body.error.code).toBe('TOKEN_SUPERSEDED');
    }
    const page = await fetch(`${stack.baseUrl}/a/${ana}`);
    const html = await page.text();
    expect(html).toContain('A newer version has been issued');
    expect(html).not.toContain('id="document"');
    // staff still read it
    expect((await admin.get(`/documents/${documentId}`)).status).toBe(200);
  });

  it('refuses the right code after a burst of wrong ones sent all at once', async () => {
    const { linkFor } = await issuedNetwork('burst', { signingCode: true });
    const ana = await linkFor('ana', /Please sign/);
    expect((await anonymous().post(`/actions/${ana}/code`)).status).toBe(200);
    const mail = await eventually(
      async () =>
        ((await admin.get(`/outbox?to=${encodeURIComponent('ana.burst@example.org')}`)).body as { subject: string; text: string }[]).find((m) =>
          m.subject.startsWith('Your signing code'),
        ),
      'the code',
    );
    const code = /(\d{6})/.exec(mail.text)![1];
    const wrong = (i: number) => String((Number(code) + 1 + i) % 1_000_000).padStart(6, '0');
    const burst = await Promise.all(
      Array.from({ length: 30 }, (_, i) => anonymous().post(`/actions/${ana}/sign`, { typedName: 'Dr Ana North', consent: true, code: wrong(i) })),
    );
    expect(burst.every((r) => r.status === 422 && r.body.error.code === 'CODE_INVALID')).toBe(true);
    const right = await anonymous().post(`/actions/${ana}/sign`, { typedName: 'Dr Ana North', consent: true, code });
    expect(right.status).toBe(422);
    expect(right.body.error.message).toMatch(/Too many wrong codes/);
    const [stored] = await stack.db('signing_codes').orderBy('created_at', 'desc').limit(1);
    expect(stored.attempts).toBe(MAX_CODE_ATTEMPTS);
    expect(await stack.db('signatures').where({ typed_name: 'Dr Ana North' })).toEqual([]);
  });
});

/** The same limit where guesses really run at once: several connections to Postgres. */
describe('the code attempt limit on Postgres', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  });

  it('compares no more than the limit of 30 simultaneous guesses, then refuses the right code', async () => {
    const fresh = await freshPostgresDatabase(injectedPostgresUrl());
    cleanups.push(fresh.drop);
    const db = createDb({ client: 'pg', url: fresh.url });
    cleanups.push(() => db.destroy());
    await migrateLatest(db);
    const repos = createRepos(testAuditEvidence());
    await seedNetwork(db, repos, { network: onePracticeNetwork([{ id: 'a', name: 'A', email: 'a@example.org' }]) });
    await repos.tokens.insertActionToken(db, {
      id: 't',
      secret: crypto.randomBytes(32).toString('base64url'),
      kind: 'sign',
      personId: 'a',
      subjectId: 's',
      documentId: null,
      documentVersion: null,
      workflowId: 'wf',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    });
    const { code } = await repos.codes.issue(db, 't');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => repos.codes.consume(db, 't', wrong)));
    expect(outcomes.filter((o) => o === 'wrong').length + outcomes.filter((o) => o === 'locked').length).toBe(30);
    expect(outcomes.filter((o) => o === 'wrong').length).toBeLessThan(MAX_CODE_ATTEMPTS);
    expect(await repos.codes.consume(db, 't', code)).toBe('locked');
    expect((await db('signing_codes').where({ token_id: 't' }).first()).attempts).toBe(MAX_CODE_ATTEMPTS);
  });
});
