/**
 * Drives one network of the national bench through all six formation stages by the public API, as a
 * facilitator, the wave's panel and the practices' partners would: stage data, issue, the panel's
 * scores and outcome (closing a condition where the pass is conditional), ballots where the
 * programme decides stages by vote, and every practice's signature through the link it was sent.
 * Each person's links are read from the mail delivered to them (bench/national-mail.ts).
 */
import { STAGE_DECISIONS_BY_VOTE, STAGE_KEYS, type StageKey } from '../domain/stages';
import { type Api, type Metrics, type Response, sleep, until } from './national-api';
import { firstLinks, type MailSink } from './national-mail';
import type { PlannedNetwork } from './national-plan';

/** Business refusals that only mean "not yet" while the workflow catches up. */
const NOT_YET = new Set(['PANEL_NOT_OPEN', 'STAGE_LOCKED']);

export interface ProgrammeContext {
  programmeId: string;
  waves: { id: string; number: number }[];
  /** each wave's panel members, by wave index */
  panels: { name: string; email: string }[][];
  decideStagesByVote: boolean;
}

interface CreatedNetwork {
  id: string;
  practices: { id: string; odsCode: string; people: { id: string; email: string; name: string }[] }[];
}

interface IssuedDocument {
  id: string;
  version: number;
  title: string;
}

interface FormationView {
  status: string;
  currentStage: string | null;
  stages: { key: string; status: string; documents: IssuedDocument[] }[];
}

/** Stage data a facilitator would enter: the panel pack names its leaders and payee, and so on. */
export function stageData(stage: StageKey, network: PlannedNetwork): unknown {
  const payee = network.practices[0].odsCode;
  switch (stage) {
    case 'panel-presentation':
      return {
        clinicalDirector: network.practices[0].people[0].name,
        nominatedPayee: payee,
        area: `The registered populations of the ${network.practices.length} member practices.`,
      };
    case 'terms-of-reference':
      return { meetingFrequency: 'monthly', noticeDays: 7, clinicalDirector: network.practices[0].people[0].name };
    case 'legal-entity':
      return { holdsContract: 'practices', employsStaff: 'lead-practice', limitedLiability: 'low', setUpBudget: 'minimal' };
    case 'data-sharing-agreement':
      return { controllerModel: 'joint', reviewMonths: 12 };
    case 'financial-framework':
      return { payee, distributionMethod: 'per-patient', upfrontPercent: 70 };
    case 'strategic-plan':
      return { reviewMonths: 12 };
  }
}

const SCORE_SHEET = {
  scores: [
    { criterion: 'vision', score: 4, comment: 'A clear, shared vision' },
    { criterion: 'freedoms', score: 4, comment: '' },
    { criterion: 'leadership', score: 3, comment: 'Payee named' },
  ],
  recommendation: 'pass',
};

export const PANEL_CRITERIA = [
  { key: 'vision', title: 'Vision and aspirations', weight: 2 },
  { key: 'freedoms', title: 'Use of the new freedoms', weight: 1 },
  { key: 'leadership', title: 'Leadership and payee', weight: 1 },
];

/** A plausible address for the person behind a link, so the per-address limit sees many signers, as it would. */
function signerAddress(network: PlannedNetwork, practice: number): string {
  const n = network.index * 10 + practice;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export class NetworkDriver {
  private created: CreatedNetwork | null = null;

  constructor(
    private readonly api: Api,
    private readonly programme: ProgrammeContext,
    private readonly network: PlannedNetwork,
    private readonly metrics: Metrics,
    private readonly mail: MailSink,
  ) {}

  get networkId(): string | null {
    return this.created?.id ?? null;
  }

  private get id(): string {
    if (!this.created) throw new Error('the network has not been created');
    return this.created.id;
  }

  async create(): Promise<void> {
    const wave = this.programme.waves[this.network.wave];
    this.created = await this.api.expect<CreatedNetwork>('create network', 201, 'POST', '/networks', {
      programmeId: this.programme.programmeId,
      waveId: wave.id,
      name: this.network.name,
      practices: this.network.practices,
    });
  }

  /** All six stages, in order; resolves with the formation as it ends. */
  async run(): Promise<FormationView> {
    const id = this.id;
    await this.api.expect('start formation', 202, 'POST', `/networks/${id}/formation`);
    for (const stage of STAGE_KEYS) await this.stage(stage);
    return until('formation to complete', async () => {
      const view = await this.formation();
      return view.status === 'completed' ? view : null;
    });
  }

  private async formation(): Promise<FormationView> {
    return this.api.expect<FormationView>('read formation', 200, 'GET', `/networks/${this.id}/formation`);
  }

  private async waitFor(stage: StageKey, status: string): Promise<FormationView> {
    return until(`${stage} to be ${status}`, async () => {
      const view = await this.formation();
      const s = view.stages.find((x) => x.key === stage);
      return view.currentStage === stage && s?.status === status ? view : null;
    });
  }

  private async stage(stage: StageKey): Promise<void> {
    const id = this.id;
    await this.waitFor(stage, 'drafting');
    await this.api.expect(`submit ${stage} data`, 200, 'PUT', `/networks/${id}/stages/${stage}`, stageData(stage, this.network));
    if (stage === 'legal-entity' && this.network.outcome === 'conditional') {
      await this.api.expect('close the condition', 200, 'POST', `/networks/${id}/panel/conditions/1/close`, {
        note: 'The payee is named in the signed terms of reference.',
      });
      this.metrics.conditionsClosed += 1;
    }
    const doc = await this.issue(stage);
    const decision = this.programme.decideStagesByVote ? STAGE_DECISIONS_BY_VOTE[stage] : { vote: null, signatures: true };
    const work: Promise<void>[] = [];
    if (stage === 'panel-presentation') work.push(this.panel());
    if (decision.vote) {
      await this.vote(doc);
      if (decision.signatures) await this.waitFor(stage, 'awaiting-signatures');
    }
    if (decision.signatures) work.push(this.signAll(doc));
    await Promise.all(work);
  }

  /**
   * Issues the stage and gives its document. An attempt that timed out may still have issued it: a
   * retry is then refused (the stage is issuing or already out), and the document is the stage's newest.
   */
  private async issue(stage: StageKey): Promise<IssuedDocument> {
    for (let attempt = 1; ; attempt++) {
      const res: Response<{ document?: IssuedDocument; error?: { code?: string } }> = await this.api
        .call<{ document?: IssuedDocument }>('POST', `/networks/${this.id}/stages/${stage}/issue`)
        .catch((err: unknown) => ({ status: 0, body: { error: { code: String(err) } } }));
      if (res.status === 202 && res.body.document) return res.body.document;
      // the refusal of a retry whose first attempt went through is not a second error
      if (attempt > 1 && ['STAGE_LOCKED', 'STAGE_COMPLETED', 'STAGE_NOT_CURRENT'].includes(res.body?.error?.code ?? '')) {
        return until(`${stage} to be issued`, async () => {
          const s = (await this.formation()).stages.find((x) => x.key === stage);
          return s && s.status !== 'issuing' && s.status !== 'drafting' ? s.documents.at(-1) : null;
        });
      }
      this.api.error(`issue ${stage}`, res);
      if (attempt >= 3) throw new Error(`issue ${stage} failed`);
      await sleep(1000 * attempt);
    }
  }

  /** The wave's panel scores the presentation, then the facilitator records the outcome. */
  private async panel(): Promise<void> {
    const id = this.id;
    const members = this.programme.panels[this.network.wave];
    const anonymous = this.api.anonymous();
    const subject = `Please score ${this.network.name}'s panel presentation`;
    const links = await this.links(members.map((m) => ({ to: m.email, matches: (s: string) => s.startsWith(subject) })));
    await Promise.all(
      links.map(async (link) => {
        await anonymous.expect('score the presentation', 200, 'POST', `/actions/${link}/score`, SCORE_SHEET);
        this.metrics.scores += 1;
      }),
    );
    const body =
      this.network.outcome === 'conditional'
        ? {
            outcome: 'conditional',
            conditions: ['Name the nominated payee in the terms of reference'],
            reason: 'A strong vision; the payee is still to be confirmed.',
          }
        : { outcome: 'pass', reason: 'The panel supports the network going ahead.' };
    let timedOut = 0;
    await until('the panel to take an outcome', async () => {
      const res = await this.api.call<{ error?: { code?: string } }>('POST', `/networks/${id}/panel/outcome`, body);
      const code = res.body?.error?.code ?? '';
      if (res.status === 200) return true;
      if (res.status === 409 && NOT_YET.has(code)) return false;
      // an attempt that timed out may have been recorded after all: its retry is then told so
      if (timedOut > 0 && res.status === 409 && code === 'OUTCOME_RECORDED') return true;
      this.api.error('record the panel outcome', res);
      if (res.status === 503 && ++timedOut < 3) return false;
      throw new Error('the panel outcome was refused');
    });
  }

  /** Each practice votes for the motion on this version, through its first partner's ballot link. */
  private async vote(doc: { version: number; title: string }): Promise<void> {
    const anonymous = this.api.anonymous();
    const subject = `Vote: Approve ${doc.title}, version ${doc.version}`;
    const links = await this.links(this.network.practices.map((p) => ({ to: p.people[0].email, matches: (s: string) => s === subject })));
    await Promise.all(
      links.map(async (link, j) => {
        await anonymous.expect(
          'cast a ballot',
          200,
          'POST',
          `/actions/${link}/ballot`,
          { choice: 'for' },
          { 'x-forwarded-for': signerAddress(this.network, j) },
        );
        this.metrics.ballots += 1;
      }),
    );
  }

  /** Every practice signs, all at once, through its first partner's link (who is also the Caldicott guardian). */
  private async signAll(doc: { version: number; title: string }): Promise<void> {
    const anonymous = this.api.anonymous();
    const subject = `Please sign: ${doc.title} (version ${doc.version})`;
    const links = await this.links(this.network.practices.map((p) => ({ to: p.people[0].email, matches: (s: string) => s.startsWith(subject) })));
    await Promise.all(
      links.map(async (link, j) => {
        const signer = this.network.practices[j].people[0];
        const started = performance.now();
        await anonymous.expect(
          'sign',
          200,
          'POST',
          `/actions/${link}/sign`,
          { typedName: signer.name, consent: true },
          { 'x-forwarded-for': signerAddress(this.network, j) },
        );
        this.metrics.signLatenciesMs.push(performance.now() - started);
        this.metrics.signatures += 1;
      }),
    );
  }

  /**
   * The action-link token of each wanted message, in the order asked, once all have arrived: each
   * person's link is read from the mail delivered to them, as they would read it.
   */
  private async links(wanted: { to: string; matches: (subject: string) => boolean }[]): Promise<string[]> {
    const links = await until(`links for ${wanted.length} people`, async () => firstLinks(this.mail, wanted));
    return links.map((link) => /\/a\/([^/?#]+)/.exec(link)![1]);
  }
}
