/**
 * Network financial framework (DOMAIN.md §3.3): funding streams, the upfront/outcome split (70/30
 * by default), the distribution method and the allocation table per practice. The table is
 * computed by domain/allocation.ts, so every column sums exactly to its total in pence.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { LIST_MAX, NAME_MAX, lineField, listOf, nameField, paragraphField } from '../fields';
import { ALLOCATION_METHODS, AllocationMethod, allocateEnvelope, poundsToPence } from '../../domain/allocation';

/** The £40,000 organisational development grant offered to each network (DOMAIN.md §0, [S1]). */
export const DEFAULT_OD_GRANT_POUNDS = 40_000;

const METHOD_LABELS: Record<AllocationMethod, string> = {
  'per-patient': 'per registered patient',
  'per-weighted-patient': 'per weighted (Carr-Hill) patient',
  equal: 'in equal shares',
  custom: 'in the custom shares agreed by the Board',
};

const STREAM_BASES = ['fixed', 'per-patient', 'per-weighted-patient', 'reimbursement', 'outcome'] as const;

const pence = z.number().int().nonnegative();

const STREAM_BASIS_WORDS: Record<(typeof STREAM_BASES)[number], string> = {
  fixed: 'A fixed sum',
  'per-patient': 'Per registered patient',
  'per-weighted-patient': 'Per weighted patient',
  reimbursement: 'Reimbursement of costs',
  outcome: 'On outcomes achieved',
};

export const contextSchema = z.object({
  ...networkContextShape,
  period: z.string().min(1),
  streams: z.array(z.object({ name: z.string().min(1), source: z.string().min(1), amount: z.string().min(1), basis: z.string().min(1) })).min(1),
  envelope: z.object({ pence, description: z.string().min(1) }),
  split: z.object({ upfrontPercent: z.number().min(0).max(100), outcomePercent: z.number().min(0).max(100), upfrontPence: pence, outcomePence: pence }),
  method: z.object({ key: z.enum(ALLOCATION_METHODS), label: z.string().min(1), basisLabel: z.string().min(1), note: z.string().min(1).optional() }),
  allocation: z
    .array(
      z.object({
        practice: z.string().min(1),
        odsCode: z.string().min(1),
        basis: z.string().min(1),
        share: z.string().min(1),
        upfrontPence: pence,
        outcomePence: pence,
        totalPence: pence,
      }),
    )
    .min(1),
  totals: z.object({ basis: z.string().min(1), upfrontPence: pence, outcomePence: pence, totalPence: pence }),
  payee: z.string().min(1),
  outcomeMeasures: z.array(z.string().min(1)).min(1),
  controls: z.object({ approvalLimits: z.array(z.string().min(1)).min(1), reporting: z.string().min(1), surplus: z.string().min(1), exit: z.string().min(1) }),
});
export type FinancialFrameworkContext = z.infer<typeof contextSchema>;

export const stageDataSchema = z.object({
  period: lineField()
    .optional()
    .meta({ title: 'Period the framework covers', description: 'For example, 1 April 2027 to 31 March 2028. Leave blank for the current financial year.' }),
  streams: z
    .array(
      z.object({
        name: nameField().meta({ title: 'Name of the stream' }),
        source: lineField().optional().meta({ title: 'Who pays it', description: 'Leave blank for the programme’s sponsor.' }),
        amountPounds: z.number().nonnegative().optional().meta({ title: 'Amount (£)', description: 'Leave blank if not yet known.' }),
        basis: z.enum(STREAM_BASES).default('fixed').meta({ title: 'How it is paid', options: STREAM_BASIS_WORDS }),
      }),
    )
    .min(1)
    .max(LIST_MAX)
    .optional()
    .meta({
      title: 'Funding streams',
      itemTitle: 'funding stream',
      description: 'Leave every stream empty for the standard organisational development grant and care-package envelope.',
    }),
  /** the amount to allocate between practices; defaults to the sum of the streams with an amount */
  envelopePounds: z
    .number()
    .nonnegative()
    .optional()
    .meta({ title: 'Amount to share between practices (£)', description: 'Leave blank to share the total of the streams with an amount.' }),
  upfrontPercent: z.number().min(0).max(100).default(70).meta({ title: 'Share paid upfront (%)', description: 'The rest is paid on outcomes.' }),
  distributionMethod: z.enum(ALLOCATION_METHODS).default('per-patient').meta({ title: 'How money is shared between practices', options: METHOD_LABELS }),
  /** weighted list size by practice id, for per-weighted-patient */
  weightedListSizes: z
    .record(z.string().max(NAME_MAX), z.number().nonnegative())
    .default({})
    .meta({ title: 'Weighted list size of each practice', description: 'Only when money is shared per weighted patient.', keys: 'practices' }),
  /** share by practice id (any non-negative numbers, e.g. percentages), for custom */
  customShares: z.record(z.string().max(NAME_MAX), z.number().nonnegative()).default({}).meta({
    title: 'Agreed share of each practice',
    description: 'Only when money is shared in custom shares: any numbers, for example percentages.',
    keys: 'practices',
  }),
  /** practice id, name or ODS code of the nominated payee */
  payee: nameField().optional().meta({
    title: 'Nominated payee',
    description: 'The practice that receives the network’s funding: its name or ODS code. Leave blank if it is not yet agreed.',
  }),
  outcomeMeasures: listOf(lineField()).optional().meta({ title: 'Outcome measures', description: 'Leave blank for the standard measures.' }),
  approvalLimits: listOf(lineField())
    .optional()
    .meta({ title: 'Approval limits', description: 'Who may approve spending, and up to what amount. Leave blank for standard limits.' }),
  reporting: paragraphField()
    .default(
      'The network manager presents a finance report to every Board meeting (monthly): budget, actual and forecast outturn per stream and per practice, and a forecast of outcome-pool achievement.',
    )
    .meta({ title: 'Financial reporting' }),
});
export type FinancialFrameworkStageData = z.infer<typeof stageDataSchema>;

const gbp = (pounds: number) => `£${pounds.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function buildContext(facts: NetworkFacts, stageData: unknown): FinancialFrameworkContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  const year = Number(facts.wave.panelDate.slice(0, 4));
  const streams = data.streams ?? [
    { name: 'Organisational development grant', source: base.programme.sponsor, amountPounds: DEFAULT_OD_GRANT_POUNDS, basis: 'fixed' as const },
    { name: 'Care-package envelope for network services', source: base.programme.sponsor, amountPounds: undefined, basis: 'outcome' as const },
  ];
  const withAmounts = streams.filter((s) => s.amountPounds !== undefined);
  const envelopePence =
    data.envelopePounds !== undefined ? poundsToPence(data.envelopePounds) : withAmounts.reduce((a, s) => a + poundsToPence(s.amountPounds ?? 0), 0);
  const envelopeDescription =
    data.envelopePounds !== undefined
      ? 'the envelope agreed by the Board for this period'
      : withAmounts.length > 0
        ? `the sum of the funding streams whose amounts are known (${withAmounts.map((s) => s.name.toLowerCase()).join(', ')}); streams still to be agreed are allocated by the same method once known`
        : 'no amount has yet been agreed for any stream';

  let note: string | undefined;
  const practices = base.practices.map((p) => {
    const weighted = data.weightedListSizes[p.id];
    const custom = data.customShares[p.id];
    return {
      id: p.id,
      listSize: p.listSize,
      weightedListSize: weighted ?? p.listSize,
      customShare: custom ?? 1,
      hasWeighted: weighted !== undefined,
      hasCustom: custom !== undefined,
    };
  });
  if (data.distributionMethod === 'per-weighted-patient' && practices.some((p) => !p.hasWeighted)) {
    note = 'Weighted list sizes were not supplied for every practice; the registered list size is used for those practices until they are.';
  }
  if (data.distributionMethod === 'custom' && practices.some((p) => !p.hasCustom)) {
    note = 'Custom shares were not supplied for every practice; practices without one count as one share each until the Board agrees them.';
  }
  const allocation = allocateEnvelope({ envelopePence, method: data.distributionMethod, upfrontPercent: data.upfrontPercent, practices });
  const basisLabel = { 'per-patient': 'Registered patients', 'per-weighted-patient': 'Weighted patients', equal: 'Shares', custom: 'Agreed share' }[
    data.distributionMethod
  ];
  const basisText = (n: number) => (data.distributionMethod === 'equal' ? '1' : n.toLocaleString('en-GB', { maximumFractionDigits: 2 }));
  const payee = data.payee ? base.practices.find((p) => p.id === data.payee || p.name === data.payee || p.odsCode === data.payee) : undefined;

  return {
    ...base,
    period: data.period ?? `the financial year ${year}/${String((year + 1) % 100).padStart(2, '0')}`,
    streams: streams.map((s) => ({
      name: s.name,
      source: s.source ?? base.programme.sponsor,
      amount: s.amountPounds !== undefined ? gbp(s.amountPounds) : 'To be agreed',
      basis: {
        fixed: 'Fixed sum',
        'per-patient': 'Per registered patient',
        'per-weighted-patient': 'Per weighted patient',
        reimbursement: 'Reimbursement of costs',
        outcome: 'Upfront and outcome-based',
      }[s.basis],
    })),
    envelope: { pence: envelopePence, description: envelopeDescription },
    split: {
      upfrontPercent: data.upfrontPercent,
      outcomePercent: 100 - data.upfrontPercent,
      upfrontPence: allocation.upfrontPence,
      outcomePence: allocation.outcomePence,
    },
    method: { key: data.distributionMethod, label: METHOD_LABELS[data.distributionMethod], basisLabel, note },
    allocation: allocation.lines.map((line, i) => ({
      practice: base.practices[i].name,
      odsCode: base.practices[i].odsCode,
      basis: basisText(line.basis),
      share: `${line.sharePercent.toLocaleString('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 })}%`,
      upfrontPence: line.upfrontPence,
      outcomePence: line.outcomePence,
      totalPence: line.totalPence,
    })),
    totals: {
      basis: basisText(allocation.totalBasis),
      upfrontPence: allocation.upfrontPence,
      outcomePence: allocation.outcomePence,
      totalPence: allocation.envelopePence,
    },
    payee: payee
      ? `${payee.name} (${payee.odsCode})`
      : (data.payee ?? 'To be agreed by the Board before any money is received; until then no network money is paid out'),
    outcomeMeasures: data.outcomeMeasures ?? [
      'Network-average achievement of the agreed long-term condition care processes',
      'Childhood immunisation uptake across the network',
      'Reduction in variation between member practices on the shared dashboard',
    ],
    controls: {
      approvalLimits: data.approvalLimits ?? [
        'The network manager may commit up to £5,000 within an approved budget.',
        'The Chair and one other practice representative together may commit up to £25,000 within an approved budget.',
        'Anything larger, or outside an approved budget, needs a Board decision.',
      ],
      reporting: data.reporting,
      surplus:
        'An underspend at the year end stays with the network for the purposes of this framework unless the Board decides, under the allocation rule, to distribute it by the same method.',
      exit: 'A practice that leaves keeps the upfront payments already made to it, is not paid any share of the outcome pool for periods after its notice, and pays its share of commitments made before its notice.',
    },
  };
}
