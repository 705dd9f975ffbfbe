import { relationshipEvents } from './output-event.builder';

import type { EngineContext } from './engine-context';
import type { CompiledSilenceRule, EngineConfig } from '../config/engine-config';
import type { CustomerState } from '../state/engine-state.type';

/*
 * The relationship watch of semantics.md: broken customer commitments forming a pattern,
 * and silence towards a customer.
 */

/** Records a broken customer commitment; `customer.pattern` when the window holds enough. */
export function recordBrokenCommitment(ctx: EngineContext, customer: CustomerState, conversationId: string, promiseId: string, at: number): void {
  const pattern = ctx.config.commitments.customer.pattern;
  if (!pattern) return;
  const windowStart = at - pattern.windowMs;
  const kept = customer.brokenCommitments.filter((record) => record.at >= windowStart);
  kept.push({ at, conversationId, promiseId });
  customer.brokenCommitments = kept;
  ctx.touch(customer);
  let count = 0;
  for (const record of kept) if (record.at <= at) count++;
  if (count >= pattern.threshold) ctx.emit(relationshipEvents.pattern(customer.id, at, count));
}

/** A break retracted by a late `promise.kept` no longer counts towards a pattern. */
export function forgetBrokenCommitment(ctx: EngineContext, customer: CustomerState, conversationId: string, promiseId: string): void {
  const records = customer.brokenCommitments;
  for (let i = records.length - 1; i >= 0; i--) {
    if (records[i].conversationId === conversationId && records[i].promiseId === promiseId) {
      records.splice(i, 1);
      ctx.touch(customer);
      return;
    }
  }
}

export function silenceRuleFor(config: EngineConfig, customer: CustomerState): CompiledSilenceRule | undefined {
  for (const rule of config.silence) {
    if (rule.segments === null || (customer.segment !== null && rule.segments.has(customer.segment))) return rule;
  }
  return undefined;
}

/** Start of the current silence: the latest public reply, or the first event seen. */
export function silenceStart(customer: CustomerState): number {
  return customer.lastPublicReplyAt ?? customer.firstSeenAt;
}

export function refreshCustomerTimers(config: EngineConfig, customer: CustomerState): void {
  const rule = silenceRuleFor(config, customer);
  const since = silenceStart(customer);
  customer.silenceDueAt = rule && customer.silenceReportedSince !== since ? since + rule.withinMs : null;
  customer.nextDueAt = customer.silenceDueAt;
}

/** `account.silent` once per silence, at `since + within` (or `at` when that passed unwatched). */
export function fireCustomerTimers(ctx: EngineContext, customer: CustomerState, now: number, at?: number): void {
  refreshCustomerTimers(ctx.config, customer);
  if (customer.silenceDueAt === null || customer.silenceDueAt > now) return;
  const since = silenceStart(customer);
  customer.silenceReportedSince = since;
  ctx.emit(relationshipEvents.silent(customer.id, at ?? customer.silenceDueAt, since));
  refreshCustomerTimers(ctx.config, customer);
  ctx.touch(customer);
}
