import { parseDuration } from '@pw/contracts';

/** The parts of an `escalations` entry of config.md the notifier acts on. */
export interface Ladder {
  id: string;
  on: string[];
  match?: Partial<Record<'channel' | 'priority' | 'segment' | 'team' | 'tags', string[]>>;
  levels: Array<{ after: string; notify: string[] }>;
  repeat?: { every: string; times: number };
  ackTimeout?: string;
  calendar?: string;
}

/** Conversation attributes the sla service attaches to each published event. */
export interface CauseContext {
  channel?: string;
  priority?: string;
  segment?: string;
  team?: string;
  tags?: string[];
}

export interface SlaEventEnvelope {
  eventId: string;
  tenantId: string;
  event: Record<string, unknown> & { type: string; at: string; customerId: string; conversationId?: string };
  context?: CauseContext;
}

/** Output events that open (or continue) an escalation when a ladder lists them in `on`. */
export const CLOSING_EVENTS: Record<string, string> = {
  'sla.met': 'met',
  'sla.cancelled': 'cancelled',
  'sla.breach_retracted': 'retracted',
  'promise.kept': 'kept',
  'promise.cancelled': 'cancelled',
  'promise.break_retracted': 'retracted',
};

/**
 * What an escalation is about. A clock's cycle, a commitment or a customer: the closing
 * event of the same cause resolves it.
 */
export function causeKey(envelope: SlaEventEnvelope): string {
  const e = envelope.event;
  if (e.type.startsWith('sla.')) return `clock:${e.conversationId}:${String(e['metric'])}:${String(e['cycle'])}`;
  if (e.type.startsWith('promise.')) return `commitment:${String(e['promiseId'])}`;
  if (e.type === 'account.silent') return `silence:${e.customerId}`;
  if (e.type === 'customer.pattern') return `pattern:${e.customerId}`;
  return `${e.type}:${e.conversationId ?? e.customerId}`;
}

export function ladderMatches(ladder: Ladder, envelope: SlaEventEnvelope): boolean {
  if (!ladder.on.includes(envelope.event.type)) return false;
  const context = envelope.context ?? {};
  for (const [field, allowed] of Object.entries(ladder.match ?? {})) {
    if (!allowed || allowed.length === 0) continue;
    if (field === 'tags') {
      if (!(context.tags ?? []).some((tag) => allowed.includes(tag))) return false;
    } else {
      const value = context[field as keyof CauseContext] as string | undefined;
      if (value === undefined || !allowed.includes(value)) return false;
    }
  }
  return true;
}

/** Milliseconds after opening at which level `index` is due. */
export function levelOffsetMs(ladder: Ladder, index: number): number {
  const after = parseDuration(ladder.levels[index].after);
  if (after === undefined) throw new Error(`ladder ${ladder.id}: level ${index} has a bad duration`);
  return after;
}
