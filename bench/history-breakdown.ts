/**
 * Where a workflow's time went, read from its history: how many workflow tasks it took and how long
 * the worker held them, and for each activity type how long tasks waited to start and how long they
 * ran. Event payloads are never decoded (they are encrypted); only types and timestamps are read.
 */
import { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const T = temporal.api.enums.v1.EventType;

export interface Spread {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  totalMs: number;
}

export interface HistoryBreakdown {
  events: number;
  /** workflow tasks completed, and how long the worker held each (started → completed) */
  workflowTasks: Spread;
  /** per activity type: scheduled → started (queueing) and started → closed (running) */
  activities: Record<string, { waited: Spread; ran: Spread }>;
  /** updates accepted and completed in the history */
  updates: { accepted: number; completed: number };
  /** markers by name: a local activity's result is one `core_local_activity` marker */
  markers: Record<string, number>;
}

function ms(event: HistoryEvent): number {
  const t = event.eventTime;
  return t ? Number(t.seconds ?? 0) * 1000 + Math.floor((t.nanos ?? 0) / 1e6) : 0;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);
  return {
    count: sorted.length,
    p50Ms: Math.round(at(50)),
    p99Ms: Math.round(at(99)),
    maxMs: Math.round(sorted.at(-1) ?? 0),
    totalMs: Math.round(sorted.reduce((a, b) => a + b, 0)),
  };
}

export function historyBreakdown(events: HistoryEvent[]): HistoryBreakdown {
  const byId = new Map<number, HistoryEvent>();
  const wftHeld: number[] = [];
  const activity = new Map<string, { waited: number[]; ran: number[] }>();
  const started = new Map<number, number>();
  let accepted = 0;
  let completed = 0;
  const markers: Record<string, number> = {};
  for (const event of events) {
    const id = Number(event.eventId ?? 0);
    byId.set(id, event);
    switch (event.eventType) {
      case T.EVENT_TYPE_WORKFLOW_TASK_COMPLETED: {
        const start = byId.get(Number(event.workflowTaskCompletedEventAttributes?.startedEventId ?? 0));
        if (start) wftHeld.push(ms(event) - ms(start));
        break;
      }
      case T.EVENT_TYPE_ACTIVITY_TASK_STARTED: {
        const scheduled = byId.get(Number(event.activityTaskStartedEventAttributes?.scheduledEventId ?? 0));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        if (!activity.has(name)) activity.set(name, { waited: [], ran: [] });
        if (scheduled) activity.get(name)!.waited.push(ms(event) - ms(scheduled));
        started.set(id, ms(event));
        break;
      }
      case T.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
      case T.EVENT_TYPE_ACTIVITY_TASK_FAILED:
      case T.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT: {
        const attrs = event.activityTaskCompletedEventAttributes ?? event.activityTaskFailedEventAttributes ?? event.activityTaskTimedOutEventAttributes;
        const scheduled = byId.get(Number(attrs?.scheduledEventId ?? 0));
        const name = scheduled?.activityTaskScheduledEventAttributes?.activityType?.name ?? '?';
        const startedAt = started.get(Number(attrs?.startedEventId ?? 0));
        if (startedAt !== undefined) activity.get(name)?.ran.push(ms(event) - startedAt);
        break;
      }
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        accepted += 1;
        break;
      case T.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED:
        completed += 1;
        break;
      case T.EVENT_TYPE_MARKER_RECORDED: {
        const name = event.markerRecordedEventAttributes?.markerName ?? '?';
        markers[name] = (markers[name] ?? 0) + 1;
        break;
      }
      default:
        break;
    }
  }
  return {
    events: events.length,
    workflowTasks: spread(wftHeld),
    activities: Object.fromEntries([...activity].map(([name, v]) => [name, { waited: spread(v.waited), ran: spread(v.ran) }])),
    updates: { accepted, completed },
    markers,
  };
}
