/**
 * Panel pack (DOMAIN.md §0 and §5 stage 4): what a network presents to the wave panel — vision,
 * aspirations, use of its new freedoms, leadership, Clinical Director, nominated payee, footprint
 * and list size against the programme's footprint rule.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { lineField, listOf, nameField, paragraphField } from '../fields';

const TO_BE_AGREED = 'To be agreed by the member practices before the panel';

export const contextSchema = z.object({
  ...networkContextShape,
  vision: z.string().min(1),
  aspirations: z.array(z.string().min(1)).min(1),
  freedoms: z.array(z.string().min(1)).min(1),
  area: z.string().min(1),
  leadership: z.object({
    chair: z.string().min(1),
    clinicalDirector: z.string().min(1),
    clinicalDirectorAppointment: z.string().min(1),
    networkManager: z.string().min(1),
    boardMembers: z.array(z.object({ name: z.string().min(1), practice: z.string().min(1) })),
  }),
  nominatedPayee: z.object({ name: z.string().min(1), rationale: z.string().min(1) }),
  panelCriteria: z.array(z.string().min(1)).min(1),
});
export type PanelPackContext = z.infer<typeof contextSchema>;

export const stageDataSchema = z.object({
  vision: paragraphField().optional().meta({
    title: 'Vision',
    description:
      'What the network will do for its patients, in a paragraph. Leave blank for standard wording built from the network’s list size and practices.',
  }),
  aspirations: listOf(lineField())
    .optional()
    .meta({ title: 'Aspirations', description: 'What the network aims to achieve. Leave blank for three standard aspirations.' }),
  freedoms: listOf(lineField())
    .optional()
    .meta({ title: 'Use of the new freedoms', description: 'How the network will use the freedoms it gains. Leave blank for standard wording.' }),
  area: lineField()
    .optional()
    .meta({ title: 'Area covered', description: 'Leave blank to describe the area as the member practices’ registered populations.' }),
  chair: nameField().optional().meta({ title: 'Chair', description: 'Leave blank if the shadow board has not elected one yet.' }),
  clinicalDirector: nameField().optional().meta({ title: 'Clinical Director' }),
  clinicalDirectorAppointment: lineField().optional().meta({
    title: 'How the Clinical Director is appointed',
    description: 'Leave blank for “appointed by a majority of member practices, one practice one vote”.',
  }),
  networkManager: nameField().optional().meta({ title: 'Network manager', description: 'Leave blank if the post is still to be recruited.' }),
  /** practice id (or name) of the nominated payee */
  nominatedPayee: nameField()
    .optional()
    .meta({ title: 'Nominated payee', description: 'The practice that receives and holds the network’s funding: its name or ODS code.' }),
  nominatedPayeeRationale: paragraphField().optional().meta({ title: 'Why this payee', description: 'Leave blank for standard wording.' }),
});
export type PanelPackStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): PanelPackContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  const payee = data.nominatedPayee
    ? base.practices.find((p) => p.id === data.nominatedPayee || p.name === data.nominatedPayee || p.odsCode === data.nominatedPayee)
    : undefined;
  return {
    ...base,
    vision:
      data.vision ??
      `${base.network.name} will give the ${base.totalListSize.toLocaleString('en-GB')} patients of its ${base.practiceCount} member practices the same high standard of care whichever practice they are registered with, by sharing staff, data and expertise across the network.`,
    aspirations: data.aspirations ?? [
      'Every practice meets the network standard on the shared dashboard within two years.',
      'Long-term conditions are managed to one agreed care package across all member practices.',
      'Patients can use extended-hours appointments at any member practice.',
    ],
    freedoms: data.freedoms ?? [
      'Pooling the upfront funding to employ shared staff the practices could not employ alone.',
      'Redesigning care pathways for long-term conditions across the network, with peer review.',
      'Using the outcome pool to reward improvement across the whole network, not single practices.',
    ],
    area:
      data.area ??
      `The registered populations of the member practices listed below, forming one contiguous area within the footprint of ${base.programme.sponsor}.`,
    leadership: {
      chair: data.chair ?? 'To be elected by the shadow board',
      clinicalDirector: data.clinicalDirector ?? TO_BE_AGREED,
      clinicalDirectorAppointment: data.clinicalDirectorAppointment ?? 'Appointed by a majority of member practices, one practice one vote',
      networkManager: data.networkManager ?? 'To be recruited, funded by the programme',
      boardMembers: base.practices.flatMap((p) => p.boardMembers.map((b) => ({ name: b.name, practice: p.name }))),
    },
    nominatedPayee: payee
      ? {
          name: `${payee.name} (${payee.odsCode})`,
          rationale: data.nominatedPayeeRationale ?? 'Chosen by the member practices to receive and hold the network’s funding on their behalf.',
        }
      : {
          name: data.nominatedPayee ?? TO_BE_AGREED,
          rationale:
            data.nominatedPayeeRationale ??
            'The payee receives all network funding and holds it for the member practices; the choice has tax, pension and control implications and is confirmed in the financial framework.',
        },
    panelCriteria: [
      'A shared vision and aspirations that every member practice supports',
      'A credible plan for using the network’s new freedoms',
      'Named leadership, including the Clinical Director, and a nominated payee',
      'A footprint within the programme’s list-size rule, or an agreed exception',
    ],
  };
}
