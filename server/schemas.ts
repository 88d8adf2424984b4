import { z } from 'zod';
import { documentText } from '../documents/text';
import { STAGE_KEYS } from '../domain/stages';
import { DECLINE_REASON_MAX } from '../domain/signing';

/**
 * Request and response schemas of the API. They validate at the edge and generate the OpenAPI
 * document, so this file is the API's single source of truth.
 */
/** An id as the API gives them (UUIDs, keys such as `terms-of-reference`): printable ASCII, no spaces. */
export const idField = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7E]+$/, 'must be an id as the API gives it');
export const idParam = z.object({ id: idField });
export const stageParams = z.object({
  id: idField,
  stage: z
    .string()
    .min(1)
    .max(60)
    .regex(/^[\x21-\x7E]+$/, 'must be a stage key such as terms-of-reference'),
});
/** An action link's secret, as sent in its URL (base64url). */
export const linkSecret = z
  .string()
  .min(20)
  .max(200)
  .regex(/^[A-Za-z0-9_-]+$/, 'must be the secret of a link as sent (letters, digits, - and _)');
export const tokenParam = z.object({ token: linkSecret });

/**
 * A calendar date (YYYY-MM-DD) in the years 1900–2199: the dates of a programme (panels, reviews,
 * offices) and the working-day calendar that counts them. The pattern is in the OpenAPI document too.
 */
export const calendarDate = z.iso
  .date()
  .refine((v) => /^(19|20|21)\d\d-/.test(v), 'must be a date in the years 1900 to 2199')
  .meta({ pattern: '^(19|20|21)\\d\\d-\\d\\d-\\d\\d$' });
const isoDate = calendarDate;
/**
 * A trimmed, non-empty text field of at most `max` characters, refusing characters no document can
 * hold (lone surrogates, U+FFFE/U+FFFF, control characters): names typed here end up in DOCX and PDF
 * files, so they are refused at the edge with a 422 naming the character rather than stored mangled.
 */
export const textField = (max: number) => documentText(max);
const trimmed = textField;

/**
 * An email address, stored in lower case. Beyond zod's check, the part before the @ is at most 64
 * characters and the domain at most 255 (RFC 5321), as the OpenAPI `email` format has it.
 */
export const emailAddress = () =>
  z
    .email()
    .max(320)
    .refine((e) => e.lastIndexOf('@') <= 64 && e.length - e.lastIndexOf('@') - 1 <= 255, 'the part before the @ may be 64 characters at most, the domain 255')
    .transform((e) => e.toLowerCase());

export const ROLES = [
  'partner',
  'caldicott-guardian',
  'practice-manager',
  'board-member',
  'clinical-director',
  'chair',
  'patient-representative',
  'network-manager',
  'dpo',
] as const;

export const createProgrammeBody = z.object({
  name: trimmed(300),
  sponsor: trimmed(300),
  footprint: z
    .object({ minListSize: z.number().int().min(0).max(10_000_000), maxListSize: z.number().int().min(1).max(10_000_000) })
    .refine((f) => f.minListSize <= f.maxListSize, { message: 'minListSize must not exceed maxListSize', path: ['minListSize'] }),
  settings: z
    .object({
      signingCodeByEmail: z.boolean().default(false),
      decideStagesByVote: z.boolean().default(false),
      voteWindowDays: z.number().int().min(1).max(60).default(14),
    })
    .optional(),
});

export const programmeSettingsBody = z.object({
  signingCodeByEmail: z.boolean().optional(),
  decideStagesByVote: z.boolean().optional(),
  voteWindowDays: z.number().int().min(1).max(60).optional(),
});

export const programmeResponse = z.object({
  id: z.string(),
  name: z.string(),
  sponsor: z.string(),
  footprint: z.object({ minListSize: z.number(), maxListSize: z.number() }),
  settings: z.object({ signingCodeByEmail: z.boolean(), decideStagesByVote: z.boolean(), voteWindowDays: z.number() }),
  createdAt: z.string(),
});

export const createWaveBody = z.object({ number: z.number().int().min(1).max(100), panelDate: isoDate });
export const waveResponse = z.object({ id: z.string(), programmeId: z.string(), number: z.number(), panelDate: z.string(), createdAt: z.string() });

export const personBody = z.object({
  name: trimmed(300),
  email: emailAddress(),
  roles: z.array(z.enum(ROLES)).min(1).max(ROLES.length),
});

export const practiceBody = z.object({
  name: trimmed(300),
  odsCode: z
    .string()
    .trim()
    .regex(/^[A-Z0-9]{3,10}$/, 'must be an ODS code such as F84001 (capital letters and digits)'),
  listSize: z.number().int().min(0).max(1_000_000),
  people: z.array(personBody).min(1).max(200),
});

export const createNetworkBody = z
  .object({
    programmeId: z.string().min(1).max(64),
    waveId: z.string().min(1).max(64),
    name: trimmed(300),
    practices: z.array(practiceBody).min(1).max(250),
  })
  .superRefine((n, ctx) => {
    const seen = new Set<string>();
    n.practices.forEach((p, i) => {
      if (seen.has(p.odsCode)) ctx.addIssue({ code: 'custom', path: ['practices', i, 'odsCode'], message: `ODS code ${p.odsCode} appears twice` });
      seen.add(p.odsCode);
      const emails = new Set<string>();
      p.people.forEach((person, j) => {
        if (emails.has(person.email))
          ctx.addIssue({ code: 'custom', path: ['practices', i, 'people', j, 'email'], message: `${person.email} appears twice in this practice` });
        emails.add(person.email);
      });
      if (!p.people.some((person) => person.roles.includes('partner'))) {
        ctx.addIssue({ code: 'custom', path: ['practices', i, 'people'], message: `${p.name} needs at least one partner to sign for it` });
      }
    });
  });

export const personResponse = z.object({ id: z.string(), name: z.string(), email: z.string(), roles: z.array(z.string()) });
export const practiceResponse = z.object({ id: z.string(), name: z.string(), odsCode: z.string(), listSize: z.number(), people: z.array(personResponse) });
export const networkResponse = z.object({
  id: z.string(),
  programmeId: z.string(),
  waveId: z.string(),
  name: z.string(),
  formationStatus: z.string(),
  currentStage: z.string().nullable(),
  listSize: z.number(),
  practices: z.array(practiceResponse),
  /** who holds the network's offices now: appointed, elected, or a practice's `chair` role */
  offices: z.array(
    z.object({
      office: z.string(),
      memberId: z.string(),
      name: z.string(),
      startsOn: z.string().nullable(),
      endsOn: z.string().nullable(),
      source: z.enum(['appointed', 'elected', 'practice-role']),
    }),
  ),
  createdAt: z.string(),
});

export const documentRefResponse = z.object({
  id: z.string(),
  type: z.string(),
  title: z.string(),
  version: z.number(),
  sha256: z.string(),
  status: z.string(),
});

export const formationResponse = z.object({
  networkId: z.string(),
  workflowId: z.string(),
  status: z.enum(['not-started', 'running', 'completed']),
  currentStage: z.enum(STAGE_KEYS).nullable(),
  stages: z.array(
    z.object({
      key: z.enum(STAGE_KEYS),
      title: z.string(),
      position: z.number(),
      status: z.string(),
      dataRevision: z.number(),
      documents: z.array(documentRefResponse),
      signoff: z
        .object({
          id: z.string(),
          status: z.string(),
          documentId: z.string(),
          documentVersion: z.number(),
          rule: z.string(),
          expiresAt: z.string().nullable(),
          practices: z.array(
            z.object({
              practiceId: z.string(),
              name: z.string(),
              signed: z.boolean(),
              signedBy: z.string().nullable(),
              signedAt: z.string().nullable(),
              owed: z.array(z.string()),
            }),
          ),
          officers: z.array(
            z.object({
              capacity: z.string(),
              signed: z.boolean(),
              signedBy: z.string().nullable(),
              signedAt: z.string().nullable(),
              owed: z.array(z.string()),
            }),
          ),
        })
        .nullable(),
      vote: z
        .object({
          motionId: z.string(),
          documentVersion: z.number(),
          result: z.enum(['carried', 'lost', 'inquorate']).nullable(),
          ruleVersion: z.string().nullable(),
          explanation: z.array(z.string()),
        })
        .nullable(),
      lastOutcome: z.object({ outcome: z.string(), reason: z.string().optional(), documentVersion: z.number() }).nullable(),
    }),
  ),
});

export const documentMetaResponse = z.object({
  id: z.string(),
  networkId: z.string(),
  stage: z.string().nullable(),
  type: z.string(),
  title: z.string(),
  version: z.number(),
  status: z.string(),
  templateVersion: z.string(),
  sha256: z.string(),
  sha256Docx: z.string(),
  createdAt: z.string(),
  links: z.object({ pdf: z.string(), docx: z.string() }),
  signatures: z.array(z.object({ practiceId: z.string(), personId: z.string(), name: z.string(), signedAt: z.string() })),
});

export const signBody = z.object({
  typedName: trimmed(300),
  /** the one-time code from the email, where the programme asks for one */
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, 'the code is the 6 digits from the email')
    .optional(),
  consent: z.literal(true, { error: 'consent must be true: you must agree to sign electronically' }),
});
const emailCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'the code is the 6 digits from the email');
export const declineBody = z.object({
  reason: z.string().trim().min(3, 'give a reason of at least 3 characters').max(DECLINE_REASON_MAX),
  /** the one-time code from the email, where the programme asks for one */
  code: emailCode.optional(),
});
export const delegateBody = z.object({ toPersonId: z.string().min(1).max(64), code: emailCode.optional() });

export const receiptResponse = z.object({
  signatureId: z.string(),
  capacity: z.string(),
  documentId: z.string(),
  documentVersion: z.number(),
  documentSha256: z.string(),
  practiceId: z.string(),
  practiceName: z.string(),
  signedBy: z.string(),
  signedAt: z.string(),
  roundComplete: z.boolean(),
});

export const actionResponse = z.object({
  kind: z.literal('sign'),
  status: z.enum(['pending', 'signed', 'declined', 'signed-by-colleague', 'delegated', 'superseded', 'closed', 'expired']),
  capacities: z.array(z.string()),
  secondFactor: z.enum(['email-code']).nullable(),
  delegateTo: z.array(z.object({ personId: z.string(), name: z.string() })),
  expiresAt: z.string(),
  person: z.object({ id: z.string(), name: z.string(), email: z.string() }),
  practice: z.object({ id: z.string(), name: z.string() }),
  network: z.object({ id: z.string(), name: z.string() }),
  document: z.object({ id: z.string(), title: z.string(), type: z.string(), version: z.number(), sha256: z.string(), pdfUrl: z.string(), docxUrl: z.string() }),
  consent: z.object({ version: z.string(), text: z.string() }),
  signature: z.object({ signatureId: z.string(), signedAt: z.string() }).nullable(),
});

export const outboxQuery = z.object({
  to: z.string().max(320).optional(),
  networkId: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
});
/** text and links only for the administrator of a system without SMTP (they carry live links and codes) */
export const outboxResponse = z.array(
  z.object({
    id: z.string(),
    to: z.string(),
    subject: z.string(),
    text: z.string().optional(),
    links: z.array(z.string()).optional(),
    sentAt: z.string(),
    delivery: z.string(),
  }),
);
