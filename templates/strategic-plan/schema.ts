/**
 * Strategic plan (DOMAIN.md §3.4): vision and values, needs, case for change, objectives and
 * actions by horizon — short (up to 1 year), medium (1–3 years) and long (5 years and more).
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { LIST_MAX, lineField, listOf, nameField, paragraphField } from '../fields';

const action = z.object({
  action: lineField().meta({ title: 'Action' }),
  owner: nameField().default('Network Board').meta({ title: 'Who owns it', description: 'Leave blank for the Network Board.' }),
  due: nameField().optional().meta({ title: 'When it is due', description: 'For example, March 2028.' }),
  measure: lineField().optional().meta({ title: 'How success is measured' }),
});

const plannedAction = z.object({
  action: z.string().min(1),
  owner: z.string().min(1),
  due: z.string().min(1).optional(),
  measure: z.string().min(1).optional(),
});

export const contextSchema = z.object({
  ...networkContextShape,
  vision: z.string().min(1),
  values: z.array(z.string().min(1)).min(1),
  population: z.string().min(1),
  caseForChange: z.string().min(1),
  objectives: z.array(z.string().min(1)).min(1),
  horizons: z.array(z.object({ name: z.string().min(1), span: z.string().min(1), actions: z.array(plannedAction) })).length(3),
  enablers: z.array(z.object({ area: z.string().min(1), plan: z.string().min(1) })).min(1),
  kpis: z.array(z.string().min(1)).min(1),
  risks: z.array(z.object({ risk: z.string().min(1), mitigation: z.string().min(1) })).min(1),
  reviewMonths: z.number().int().positive(),
});
export type StrategicPlanContext = z.infer<typeof contextSchema>;

export const stageDataSchema = z.object({
  vision: paragraphField().optional().meta({ title: 'Vision', description: 'Leave blank for standard wording.' }),
  values: listOf(lineField()).optional().meta({ title: 'Values', description: 'Leave blank for the standard values.' }),
  population: paragraphField()
    .optional()
    .meta({ title: 'The population served and its needs', description: 'Leave blank for standard wording built from the network’s list size.' }),
  caseForChange: paragraphField().optional().meta({ title: 'The case for change', description: 'Leave blank for standard wording.' }),
  objectives: listOf(lineField()).optional().meta({ title: 'Strategic objectives', description: 'Leave blank for the standard objectives.' }),
  shortTerm: z
    .array(action)
    .max(LIST_MAX)
    .optional()
    .meta({ title: 'Actions within a year', itemTitle: 'action', description: 'Leave every action empty for the standard actions.' }),
  mediumTerm: z
    .array(action)
    .max(LIST_MAX)
    .optional()
    .meta({ title: 'Actions within one to three years', itemTitle: 'action', description: 'Leave every action empty for the standard actions.' }),
  longTerm: z
    .array(action)
    .max(LIST_MAX)
    .optional()
    .meta({ title: 'Actions over five years and more', itemTitle: 'action', description: 'Leave every action empty for the standard actions.' }),
  enablers: listOf(z.object({ area: nameField().meta({ title: 'Area' }), plan: paragraphField().meta({ title: 'Plan' }) }))
    .optional()
    .meta({
      title: 'Enablers',
      itemTitle: 'enabler',
      description: 'What has to be in place: workforce, estates, digital. Leave every enabler empty for the standard ones.',
    }),
  kpis: listOf(lineField()).optional().meta({ title: 'Key performance indicators', description: 'Leave blank for the standard indicators.' }),
  risks: listOf(z.object({ risk: lineField().meta({ title: 'Risk' }), mitigation: lineField().meta({ title: 'How it is reduced' }) }))
    .optional()
    .meta({ title: 'Risks', itemTitle: 'risk', description: 'Leave every risk empty for the standard risks.' }),
  reviewMonths: z.number().int().min(1).max(36).default(12).meta({ title: 'Review the plan every (months)' }),
});
export type StrategicPlanStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): StrategicPlanContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  const patients = base.totalListSize.toLocaleString('en-GB');
  return {
    ...base,
    vision:
      data.vision ??
      `Every one of the ${patients} patients registered with ${base.network.name} receives the same high standard of care, delivered by practices that are stronger together than apart.`,
    values: data.values ?? ['Patients first', 'Openness about performance', 'Fairness between practices', 'Shared responsibility for results'],
    population:
      data.population ??
      `${base.network.name} serves ${patients} registered patients through ${base.practiceCount} practices. The population profile (age structure, deprivation, prevalence of long-term conditions and expected growth) is to be completed from the shared dashboard before the plan is adopted.`,
    caseForChange:
      data.caseForChange ??
      'Working at scale lets the practices share staff and expertise they could not sustain alone, share the risk of new services, and reduce unwarranted variation in care between practices.',
    objectives: data.objectives ?? [
      'Bring every practice up to the network standard on the agreed care processes',
      'Provide shared services for long-term conditions across the network',
      'Build a sustainable shared workforce',
      'Become a credible provider of services commissioned at network level',
    ],
    horizons: [
      {
        name: 'Short term',
        span: 'up to 1 year',
        actions: (
          data.shortTerm ?? [
            { action: 'Agree the care packages and launch the shared dashboard', owner: 'Clinical Director', measure: 'Dashboard live for every practice' },
            { action: 'Recruit the network manager and shared staff funded upfront', owner: 'Chair' },
          ]
        ).map((a) => ({ ...a, owner: a.owner ?? 'Network Board' })),
      },
      {
        name: 'Medium term',
        span: '1 to 3 years',
        actions: (
          data.mediumTerm ?? [
            {
              action: 'Redesign long-term condition pathways across the network with peer review',
              owner: 'Clinical Director',
              measure: 'Network average meets the outcome standard',
            },
            { action: 'Review the legal form against the services the network then provides', owner: 'Network Board' },
          ]
        ).map((a) => ({ ...a, owner: a.owner ?? 'Network Board' })),
      },
      {
        name: 'Long term',
        span: '5 years and more',
        actions: (
          data.longTerm ?? [
            { action: 'Hold and deliver contracts for services commissioned at network level', owner: 'Network Board' },
            { action: 'Diversify income beyond the programme funding', owner: 'Network manager' },
          ]
        ).map((a) => ({ ...a, owner: a.owner ?? 'Network Board' })),
      },
    ],
    enablers: data.enablers ?? [
      { area: 'Workforce and organisational development', plan: 'Shared roles, joint training and the organisational development grant.' },
      { area: 'IT and data', plan: 'Clinical system sharing switched on and one dashboard for all practices, under the data-sharing agreement.' },
      { area: 'Estates', plan: 'Use of member practices’ premises for shared clinics before any new space is sought.' },
      { area: 'Engagement', plan: 'Regular briefings for practice staff, patient participation groups and partner organisations.' },
    ],
    kpis: data.kpis ?? [
      'Care-process achievement by practice and network average',
      'Patient experience',
      'Staff retention in shared roles',
      'Spend against the financial framework',
    ],
    risks: data.risks ?? [
      { risk: 'Practices disengage if benefits are slow to appear', mitigation: 'Early visible wins and open reporting on the dashboard' },
      { risk: 'Funding ends before new services are established', mitigation: 'Income diversification in the long-term plan' },
    ],
    reviewMonths: data.reviewMonths,
  };
}
