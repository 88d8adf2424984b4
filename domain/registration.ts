/**
 * The registration checklist of a network (DOMAIN.md §1, PCN registration items 1–6): what a
 * commissioner checks before registering it, each item with the evidence that shows it — a sealed
 * PDF of a signed round, the stage data field that names it, or the network's own record.
 */
import type { StageKey } from './stages';

export const REGISTRATION_ITEMS = [
  'ods-codes',
  'list-size',
  'clinical-director',
  'nominated-payee',
  'terms-of-reference-signed',
  'data-sharing-signed',
] as const;
export type RegistrationItem = (typeof REGISTRATION_ITEMS)[number];

export type Evidence =
  | { kind: 'sealed-pdf'; sealedId: string; stage: StageKey; version: number }
  | { kind: 'stage-data'; stage: StageKey; field: string; value: string }
  | { kind: 'record'; what: string };

export interface ChecklistItem {
  key: RegistrationItem;
  label: string;
  met: boolean;
  /** what was found, or what is missing, in words */
  detail: string;
  evidence: Evidence | null;
}

/** A practice code in the Organisation Data Service format for GP practices: a letter and five digits. */
const ODS_PRACTICE_CODE = /^[A-Z]\d{5}$/;

export interface RegistrationInput {
  practices: readonly { name: string; odsCode: string }[];
  listSize: number;
  footprint: { minListSize: number; maxListSize: number };
  /** where the network's stage data names its Clinical Director and nominated payee (first found wins) */
  clinicalDirector: { stage: StageKey; field: string; value: string } | null;
  nominatedPayee: { stage: StageKey; field: string; value: string } | null;
  /** the sealed PDFs of the signed terms of reference and data-sharing agreement */
  termsOfReference: { sealedId: string; version: number } | null;
  dataSharing: { sealedId: string; version: number } | null;
}

const num = (n: number) => n.toLocaleString('en-GB');

export function registrationChecklist(input: RegistrationInput): ChecklistItem[] {
  const badCodes = input.practices.filter((p) => !ODS_PRACTICE_CODE.test(p.odsCode));
  const { minListSize, maxListSize } = input.footprint;
  const inFootprint = input.listSize >= minListSize && input.listSize <= maxListSize;
  return [
    {
      key: 'ods-codes',
      label: 'ODS codes of every member practice',
      met: input.practices.length > 0 && badCodes.length === 0,
      detail: badCodes.length
        ? `Not a practice ODS code: ${badCodes.map((p) => `${p.name} (${p.odsCode || 'none'})`).join(', ')}.`
        : `${input.practices.length} practices, each with an ODS code.`,
      evidence: { kind: 'record', what: 'the member practices on the network record' },
    },
    {
      key: 'list-size',
      label: 'List size within the footprint',
      met: inFootprint,
      detail: `${num(input.listSize)} patients against a footprint of ${num(minListSize)}–${num(maxListSize)}${inFootprint ? '.' : '; an exception must be agreed.'}`,
      evidence: { kind: 'record', what: "the practices' list sizes on the network record" },
    },
    {
      key: 'clinical-director',
      label: 'Clinical Director named',
      met: input.clinicalDirector !== null,
      detail: input.clinicalDirector ? input.clinicalDirector.value : 'No Clinical Director is named in the panel pack or the terms of reference.',
      evidence: input.clinicalDirector ? { kind: 'stage-data', ...input.clinicalDirector } : null,
    },
    {
      key: 'nominated-payee',
      label: 'Nominated payee named',
      met: input.nominatedPayee !== null,
      detail: input.nominatedPayee ? input.nominatedPayee.value : 'No nominated payee is named in the panel pack or the financial framework.',
      evidence: input.nominatedPayee ? { kind: 'stage-data', ...input.nominatedPayee } : null,
    },
    {
      key: 'terms-of-reference-signed',
      label: 'Terms of reference signed by every practice',
      met: input.termsOfReference !== null,
      detail: input.termsOfReference ? `Version ${input.termsOfReference.version}, sealed.` : 'Not yet signed by every practice.',
      evidence: input.termsOfReference ? { kind: 'sealed-pdf', stage: 'terms-of-reference', ...input.termsOfReference } : null,
    },
    {
      key: 'data-sharing-signed',
      label: 'Data-sharing agreement signed by every practice',
      met: input.dataSharing !== null,
      detail: input.dataSharing ? `Version ${input.dataSharing.version}, sealed.` : 'Not yet signed by every practice.',
      evidence: input.dataSharing ? { kind: 'sealed-pdf', stage: 'data-sharing-agreement', ...input.dataSharing } : null,
    },
  ];
}

/**
 * The first of `fields` that a stage's data names with a non-empty string: where the checklist finds
 * the Clinical Director or the nominated payee.
 */
export function namedInStageData(
  stages: readonly { stage: string; data: unknown }[],
  fields: readonly { stage: StageKey; field: string }[],
): { stage: StageKey; field: string; value: string } | null {
  for (const f of fields) {
    const data = stages.find((s) => s.stage === f.stage)?.data;
    const value = data && typeof data === 'object' ? (data as Record<string, unknown>)[f.field] : undefined;
    if (typeof value === 'string' && value.trim()) return { ...f, value: value.trim() };
  }
  return null;
}
