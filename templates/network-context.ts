/**
 * The facts about a network that every template starts from, and the zod shape they take inside a
 * template context. Context builders add the stage's own data on top.
 */
import { z } from 'zod';

/** What the system knows about a network when a stage's document is issued. */
export interface NetworkFacts {
  programme: { name: string; sponsor: string; footprint: { minListSize: number; maxListSize: number } };
  wave: { number: number; panelDate: string };
  network: { id: string; name: string };
  practices: {
    id: string;
    name: string;
    odsCode: string;
    listSize: number;
    people: { id: string; name: string; email: string; roles: string[] }[];
  }[];
}

export const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be an ISO date (YYYY-MM-DD)');

export const personSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  email: z.string().min(1),
  roles: z.array(z.string()),
});

export const practiceSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  odsCode: z.string().min(1),
  listSize: z.number().int().nonnegative(),
  people: z.array(personSchema),
  /** people with the partner role, in the order given */
  partners: z.array(personSchema),
  /** the partner signing for the practice where one is named (board member first) */
  leadSignatory: personSchema.optional(),
  caldicottGuardians: z.array(personSchema),
  boardMembers: z.array(personSchema),
});

export const footprintStatus = z.enum(['within', 'below', 'above']);

/** The part of every network document's context that comes from NetworkFacts. */
export const networkContextShape = {
  programme: z.object({
    name: z.string().min(1),
    sponsor: z.string().min(1),
    footprint: z.object({ minListSize: z.number().int().nonnegative(), maxListSize: z.number().int().positive() }),
  }),
  wave: z.object({ number: z.number().int().positive(), panelDate: isoDate }),
  network: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  practices: z.array(practiceSchema).min(1, 'a network has at least one member practice'),
  practiceCount: z.number().int().positive(),
  totalListSize: z.number().int().nonnegative(),
  footprint: z.object({ status: footprintStatus, statement: z.string().min(1) }),
};

export const networkContextSchema = z.object(networkContextShape);
export type NetworkContext = z.infer<typeof networkContextSchema>;

function withRole(people: NetworkFacts['practices'][number]['people'], role: string) {
  return people.filter((p) => p.roles.includes(role)).map((p) => ({ ...p, roles: [...p.roles] }));
}

/** "within", "below" or "above" the programme's list-size footprint. */
export function footprintStatusOf(total: number, footprint: { minListSize: number; maxListSize: number }): z.infer<typeof footprintStatus> {
  if (total < footprint.minListSize) return 'below';
  if (total > footprint.maxListSize) return 'above';
  return 'within';
}

const num = (n: number) => n.toLocaleString('en-GB');

/** The shared part of every network document's context. */
export function buildNetworkContext(facts: NetworkFacts): NetworkContext {
  const practices = facts.practices.map((p) => {
    const partners = withRole(p.people, 'partner');
    const boardMembers = withRole(p.people, 'board-member');
    const lead = boardMembers.find((b) => b.roles.includes('partner')) ?? partners[0];
    return {
      id: p.id,
      name: p.name,
      odsCode: p.odsCode,
      listSize: p.listSize,
      people: p.people.map((x) => ({ ...x, roles: [...x.roles] })),
      partners,
      leadSignatory: lead,
      caldicottGuardians: withRole(p.people, 'caldicott-guardian'),
      boardMembers,
    };
  });
  const total = practices.reduce((a, p) => a + p.listSize, 0);
  const { minListSize, maxListSize } = facts.programme.footprint;
  const status = footprintStatusOf(total, facts.programme.footprint);
  const range = `${num(minListSize)}–${num(maxListSize)}`;
  const statement =
    status === 'within'
      ? `The combined registered list of ${num(total)} patients is within the programme's footprint of ${range} patients.`
      : status === 'below'
        ? `The combined registered list of ${num(total)} patients is below the programme's footprint of ${range} patients (${num(minListSize - total)} short of the minimum); an exception must be agreed with ${facts.programme.sponsor}.`
        : `The combined registered list of ${num(total)} patients is above the programme's footprint of ${range} patients (${num(total - maxListSize)} over the maximum); an exception must be agreed with ${facts.programme.sponsor}, or the network must work as neighbourhood teams within the footprint.`;
  return {
    programme: { name: facts.programme.name, sponsor: facts.programme.sponsor, footprint: { minListSize, maxListSize } },
    wave: { number: facts.wave.number, panelDate: facts.wave.panelDate },
    network: { id: facts.network.id, name: facts.network.name },
    practices,
    practiceCount: practices.length,
    totalListSize: total,
    footprint: { status, statement },
  };
}
