import type { DisputeEvent, DisputeExternal, DisputeRow } from '../../db/repos/disputes.repo';
import type { Network } from '../../db/repos/records.repo';
import type { LogEvent } from '../../db/repos/risks.repo';
import { bankHolidaysTable } from '../../domain/calendar/bank-holidays';
import { type BankHolidayTable, londonDate } from '../../domain/calendar/working-days';
import { HISTORY_WORDS } from '../../domain/disputes/case';
import { daysLeft } from '../../domain/disputes/clock';
import { describeLimit, EXTERNAL_ROLE_WORDS, type ExternalRole } from '../../domain/disputes/ladder';
import { stageDefinition, type StageKey } from '../../domain/stages';

let cached: { year: number; table: BankHolidayTable } | null = null;

/** Today in England, and a bank holiday table around it (computed once a year per process). */
export function calendarNow(): { today: string; holidays: BankHolidayTable } {
  const today = londonDate(Date.now());
  const year = Number(today.slice(0, 4));
  if (cached?.year !== year) cached = { year, table: bankHolidaysTable(year - 1, year + 3) };
  return { today, holidays: cached.table };
}

export const STATUS_WORDS: Record<string, string> = {
  opening: 'Opening',
  open: 'Open',
  resolved: 'Resolved',
  withdrawn: 'Withdrawn',
  determined: 'Determined',
};

function unitWords(n: number, unit: 'working-days' | 'days'): string {
  return describeLimit({ amount: n, unit });
}

/** How much time the current step has, as a number (null without a limit or once closed) and in words. */
export function timeLeft(row: DisputeRow, cal = calendarNow()): { daysLeft: number | null; words: string } {
  if (row.status !== 'open' && row.status !== 'opening') return { daysLeft: null, words: 'Closed' };
  if (row.clock === 'none' || !row.limitUnit) return { daysLeft: null, words: 'No time limit' };
  if (row.clock === 'paused') {
    const n = row.pausedDaysLeft ?? 0;
    return {
      daysLeft: n,
      words: row.settling ? `Clock stopped while the parties sign: ${unitWords(n, row.limitUnit)} left` : `Clock paused: ${unitWords(n, row.limitUnit)} left`,
    };
  }
  const n =
    daysLeft(
      { startedOn: row.stepStartedOn, countingFrom: row.stepStartedOn, unit: row.limitUnit, dueOn: row.stepDueOn, paused: null },
      cal.today,
      cal.holidays,
    ) ?? 0;
  if (n > 0) return { daysLeft: n, words: `${unitWords(n, row.limitUnit)} left` };
  if (n === 0) return { daysLeft: 0, words: 'Due today' };
  return { daysLeft: n, words: `Overdue by ${unitWords(-n, row.limitUnit)}` };
}

export function partiesOf(row: DisputeRow, network: Pick<Network, 'practices'>): { practiceId: string; name: string }[] {
  return row.parties.map((id) => ({ practiceId: id, name: network.practices.find((p) => p.id === id)?.name ?? id }));
}

/** One line of a register: a case with its step, days left and breaches. */
export function registerRow(row: DisputeRow, network: Pick<Network, 'id' | 'name' | 'practices'>, cal = calendarNow()) {
  const step = row.ladder.find((s) => s.number === row.stepNumber);
  const left = timeLeft(row, cal);
  return {
    id: row.id,
    networkId: network.id,
    networkName: network.name,
    title: row.title,
    status: row.status === 'opening' ? ('open' as const) : row.status,
    statusWords: STATUS_WORDS[row.status],
    parties: partiesOf(row, network),
    stage: row.stageKey,
    step: { number: row.stepNumber, name: step?.name ?? `Step ${row.stepNumber}` },
    dueOn: row.status === 'open' ? row.stepDueOn : null,
    clock: row.clock,
    daysLeft: left.daysLeft,
    timeLeft: left.words,
    breaches: row.breaches,
    openedOn: row.openedAt.slice(0, 10),
    closedOn: row.closedOn,
  };
}

/** The whole case: header, ladder, parties, outside people and history (the issue's log first, if escalated from one). */
export function caseView(input: {
  row: DisputeRow;
  network: Network;
  events: DisputeEvent[];
  externals: DisputeExternal[];
  issueLog: LogEvent[];
  issueTitle: string | null;
  settlement: { id: string; title: string; version: number; status: string } | null;
}) {
  const { row, network } = input;
  const cal = calendarNow();
  const base = registerRow(row, network, cal);
  const step = row.ladder.find((s) => s.number === row.stepNumber)!;
  const fromIssue = input.issueLog.map((e) => ({
    seq: null,
    at: e.at,
    type: 'issue-history',
    what: `${HISTORY_WORDS['issue-history']}: ${e.type}`,
    by: e.actor,
    text: e.text,
    step: null as number | null,
  }));
  const current = input.externals.filter((x) => x.stepNumber === row.stepNumber).at(-1) ?? null;
  return {
    ...base,
    programmeId: row.programmeId,
    summary: row.summary,
    stageTitle: row.stageKey ? stageDefinition(row.stageKey as StageKey).title : null,
    step: {
      number: row.stepNumber,
      name: step.name,
      description: step.description,
      limit: describeLimit(step.limit),
      startedOn: row.stepStartedOn,
      dueOn: row.status === 'open' ? row.stepDueOn : null,
      clock: row.clock === 'none' ? ('running' as const) : row.clock,
      hasLimit: row.clock !== 'none',
      mayDetermine: step.mayDetermine,
      external: step.external ? EXTERNAL_ROLE_WORDS[step.external as ExternalRole] : null,
    },
    ladder: row.ladder.map((s) => ({
      number: s.number,
      name: s.name,
      limit: describeLimit(s.limit),
      position: s.number < row.stepNumber ? 'past' : s.number === row.stepNumber ? 'current' : 'ahead',
    })),
    externalPerson: current
      ? { name: current.name, organisation: current.organisation, role: EXTERNAL_ROLE_WORDS[current.role as ExternalRole] ?? current.role }
      : null,
    openedBy: row.openedBy,
    fromIssue: row.fromIssueId ? { id: row.fromIssueId, title: input.issueTitle } : null,
    settlement: input.settlement,
    history: [
      ...fromIssue,
      ...input.events.map((e) => ({
        seq: e.seq as number | null,
        at: e.at,
        type: e.type,
        what: HISTORY_WORDS[e.type] ?? e.type,
        by: e.actor,
        text: e.text,
        step: e.stepNumber as number | null,
      })),
    ],
  };
}

export type CaseView = ReturnType<typeof caseView>;
