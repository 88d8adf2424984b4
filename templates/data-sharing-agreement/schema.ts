/**
 * Practice-to-practice data-sharing agreement (DOMAIN.md §3.2, UK GDPR and the Data Protection Act
 * 2018). Caldicott guardians come from the people holding the `caldicott-guardian` role.
 */
import { z } from 'zod';
import { NetworkFacts, buildNetworkContext, networkContextShape } from '../network-context';
import { LIST_MAX, lineField, listOf, nameField, paragraphField } from '../fields';

export const contextSchema = z.object({
  ...networkContextShape,
  controllerModel: z.enum(['joint', 'independent']),
  purposes: z.array(z.string().min(1)).min(1),
  lawfulBasis: z.object({ article6: z.string().min(1), article9: z.string().min(1), confidentiality: z.string().min(1) }),
  dataSubjects: z.string().min(1),
  dataItems: z.array(z.object({ item: z.string().min(1), form: z.enum(['identifiable', 'pseudonymised', 'aggregate']) })).min(1),
  systems: z.array(z.string().min(1)).min(1),
  processors: z.array(z.object({ name: z.string().min(1), role: z.string().min(1) })),
  dpia: z.object({ reference: z.string().min(1), completed: z.boolean() }),
  dpo: z.string().min(1),
  security: z.array(z.string().min(1)).min(1),
  retention: z.string().min(1),
  breach: z.object({ contact: z.string().min(1), partyNotifyHours: z.number().int().positive() }),
  reviewMonths: z.number().int().positive(),
  caldicottGuardians: z.array(z.object({ practice: z.string().min(1), odsCode: z.string().min(1), names: z.array(z.string().min(1)) })),
  practicesWithoutGuardian: z.array(z.string().min(1)),
});
export type DataSharingAgreementContext = z.infer<typeof contextSchema>;

const FORMS = ['identifiable', 'pseudonymised', 'aggregate'] as const;

export const stageDataSchema = z.object({
  controllerModel: z
    .enum(['joint', 'independent'])
    .default('joint')
    .meta({
      title: 'How the practices control the data',
      options: {
        joint: 'Joint controllers: the practices decide together why and how data are used',
        independent: 'Independent controllers: each practice decides for its own patients',
      },
    }),
  purposes: listOf(lineField())
    .default([
      'Direct care of patients registered with member practices, including care delivered by shared network staff',
      'Population health management: finding patients who would benefit from proactive care',
      'The network performance dashboard, on which each practice sees its own and the others’ data',
      'Planning and evaluating network services',
    ])
    .meta({ title: 'Purposes of sharing' }),
  article6: lineField()
    .default('Article 6(1)(e): performance of a task carried out in the public interest or in the exercise of official authority')
    .meta({ title: 'Lawful basis under UK GDPR Article 6' }),
  article9: lineField()
    .default('Article 9(2)(h): the provision of health or social care or the management of health or social care systems')
    .meta({ title: 'Condition for health data under UK GDPR Article 9' }),
  confidentiality: paragraphField()
    .default(
      'Implied consent for direct care; for other purposes only aggregate or pseudonymised data are shared, unless section 251 support or explicit consent is in place',
    )
    .meta({ title: 'Common law duty of confidentiality', description: 'How the duty of confidence is met.' }),
  dataSubjects: paragraphField()
    .default('Patients registered with member practices, and staff of member practices where their data appear in service records')
    .meta({ title: 'Whose data are shared' }),
  dataItems: listOf(
    z.object({
      item: lineField().meta({ title: 'What is shared' }),
      form: z
        .enum(FORMS)
        .meta({ title: 'In what form', options: { identifiable: 'Identifiable', pseudonymised: 'Pseudonymised', aggregate: 'Aggregate (counts only)' } }),
    }),
  )
    .default([
      { item: 'Demographics needed to identify the patient (NHS number, name, date of birth, address)', form: 'identifiable' },
      { item: 'Problems, diagnoses, medications and allergies relevant to the care being given', form: 'identifiable' },
      { item: 'Long-term condition registers and care-process indicators', form: 'pseudonymised' },
      { item: 'Practice-level indicators for the shared dashboard', form: 'aggregate' },
    ])
    .meta({ title: 'Data shared', itemTitle: 'data item' }),
  systems: listOf(lineField())
    .default([
      'Each practice’s clinical system (EMIS Web or SystmOne), with sharing agreements switched on',
      'The network performance dashboard',
      'NHSmail for any transfer outside the clinical systems',
    ])
    .meta({ title: 'Systems the data pass through' }),
  processors: z
    .array(z.object({ name: nameField().meta({ title: 'Name' }), role: lineField().meta({ title: 'What they do with the data' }) }))
    .max(LIST_MAX)
    .default([])
    .meta({ title: 'Data processors', itemTitle: 'processor', description: 'Organisations that handle the data for the practices, if any.' }),
  dpiaReference: nameField()
    .optional()
    .meta({ title: 'Data protection impact assessment reference', description: 'Leave blank if the assessment is not yet done.' }),
  dpo: lineField().default('Each member practice’s own Data Protection Officer').meta({ title: 'Data Protection Officer' }),
  security: listOf(lineField())
    .default([
      'Each party meets the standards of the Data Security and Protection Toolkit and keeps its assessment current.',
      'Access is role-based and limited to staff who need it for the purposes above; access is audited.',
      'Data are transferred only through the clinical systems or NHSmail, and are encrypted in transit and at rest.',
      'No party shares data received under this agreement with anyone else without the agreement of the practice that provided it.',
    ])
    .meta({ title: 'Security measures' }),
  retention: paragraphField()
    .default(
      'Records are kept and destroyed in line with the NHS Records Management Code of Practice; extracts made for the dashboard are kept for no longer than 24 months.',
    )
    .meta({ title: 'How long data are kept' }),
  breachContact: lineField()
    .default('the network manager and the Data Protection Officer of the practice whose data are affected')
    .meta({ title: 'Who is told of a data breach' }),
  reviewMonths: z.number().int().min(1).max(36).default(12).meta({ title: 'Review the agreement every (months)' }),
});
export type DataSharingStageData = z.infer<typeof stageDataSchema>;

export function buildContext(facts: NetworkFacts, stageData: unknown): DataSharingAgreementContext {
  const data = stageDataSchema.parse(stageData ?? {});
  const base = buildNetworkContext(facts);
  return {
    ...base,
    controllerModel: data.controllerModel,
    purposes: data.purposes,
    lawfulBasis: { article6: data.article6, article9: data.article9, confidentiality: data.confidentiality },
    dataSubjects: data.dataSubjects,
    dataItems: data.dataItems,
    systems: data.systems,
    processors: data.processors,
    dpia: data.dpiaReference
      ? { reference: data.dpiaReference, completed: true }
      : {
          reference:
            'Not yet completed: a DPIA must be completed and referenced here before any identifiable data are shared for purposes other than direct care',
          completed: false,
        },
    dpo: data.dpo,
    security: data.security,
    retention: data.retention,
    breach: { contact: data.breachContact, partyNotifyHours: 24 },
    reviewMonths: data.reviewMonths,
    caldicottGuardians: base.practices
      .filter((p) => p.caldicottGuardians.length > 0)
      .map((p) => ({ practice: p.name, odsCode: p.odsCode, names: p.caldicottGuardians.map((g) => g.name) })),
    practicesWithoutGuardian: base.practices.filter((p) => p.caldicottGuardians.length === 0).map((p) => p.name),
  };
}
