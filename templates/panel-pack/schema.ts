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
  vision: paragraphField().optional(),
  aspirations: listOf(lineField()).optional(),
  freedoms: listOf(lineField()).optional(),
  area: lineField().optional(),
  chair: nameField().optional(),
  clinicalDirector: nameField().optional(),
  clinicalDirectorAppointment: lineField().optional(),
  networkManager: nameField().optional(),
  /** practice id (or name) of the nominated payee */
  nominatedPayee: nameField().optional(),
  nominatedPayeeRationale: paragraphField().optional(),
});
export type PanelPackStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): PanelPackContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  const payee = data.nominatedPayee ? base.practices.find((p) => p.id === data.nominatedPayee || p.name === data.nominatedPayee || p.odsCode === data.nominatedPayee) : undefined;
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
    area: data.area ?? `The registered populations of the member practices listed below, forming one contiguous area within the footprint of ${base.programme.sponsor}.`,
    leadership: {
      chair: data.chair ?? 'To be elected by the shadow board',
      clinicalDirector: data.clinicalDirector ?? TO_BE_AGREED,
      clinicalDirectorAppointment: data.clinicalDirectorAppointment ?? 'Appointed by a majority of member practices, one practice one vote',
      networkManager: data.networkManager ?? 'To be recruited, funded by the programme',
      boardMembers: base.practices.flatMap((p) => p.boardMembers.map((b) => ({ name: b.name, practice: p.name }))),
    },
    nominatedPayee: payee
      ? { name: `${payee.name} (${payee.odsCode})`, rationale: data.nominatedPayeeRationale ?? 'Chosen by the member practices to receive and hold the network’s funding on their behalf.' }
      : { name: data.nominatedPayee ?? TO_BE_AGREED, rationale: data.nominatedPayeeRationale ?? 'The payee receives all network funding and holds it for the member practices; the choice has tax, pension and control implications and is confirmed in the financial framework.' },
    panelCriteria: [
      'A shared vision and aspirations that every member practice supports',
      'A credible plan for using the network’s new freedoms',
      'Named leadership, including the Clinical Director, and a nominated payee',
      'A footprint within the programme’s list-size rule, or an agreed exception',
    ],
  };
}
