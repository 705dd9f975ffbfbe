import type { IHeaders } from 'kafkajs';

import { formatProblem, parseInteractionEvent, type InteractionEvent } from '@pw/contracts';
import { isTenantId } from '@pw/identity';

/** The header of an interactions.v1 record that names its tenant (the tenant's id). */
export const TENANT_HEADER = 'tenant-id';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

export interface RawRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: IHeaders;
  offset: string;
}

export type RecordReading = { ok: true; tenantId: string; event: InteractionEvent } | { ok: false; reason: string };

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}

/**
 * Reads one interactions.v1 record: the tenant header, the value as one JSON event, the
 * same validation as the HTTP door. Never throws: whatever is wrong becomes the reason a
 * dead letter carries.
 */
export function readInteractionRecord(record: RawRecord, receivedAt: string): RecordReading {
  const tenantId = headerText(record.headers, TENANT_HEADER);
  if (tenantId === undefined) return { ok: false, reason: `header ${TENANT_HEADER}: is missing` };
  if (!isTenantId(tenantId)) return { ok: false, reason: `header ${TENANT_HEADER}: ${JSON.stringify(tenantId.slice(0, 80))} is not a tenant id` };
  if (record.value === null || record.value.length === 0) return { ok: false, reason: 'value: the record has no value' };
  let text: string;
  try {
    text = UTF8.decode(record.value);
  } catch {
    return { ok: false, reason: 'value: is not UTF-8' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `value: is not JSON (${(error as Error).message})` };
  }
  if (Array.isArray(json)) return { ok: false, reason: 'value: is an array; a record holds one event' };
  const parsed = parseInteractionEvent(json, { sizeBytes: record.value.length });
  if (!parsed.ok) return { ok: false, reason: parsed.problems.map(formatProblem).join('; ') };
  return { ok: true, tenantId: tenantId.toLowerCase(), event: { ...parsed.event, receivedAt } };
}

/**
 * A reason as it can be stored and sent: a parser's message may quote the raw input, and NUL
 * cannot be stored in PostgreSQL text, so it is escaped; at most 2,000 characters.
 */
export function storableReason(reason: string): string {
  const printable = reason.replaceAll('\u0000', '\\u0000');
  return printable.length > 2000 ? `${printable.slice(0, 1997)}...` : printable;
}

/** Header names and values a dead letter can carry as text (PostgreSQL jsonb: UTF-8, no NUL). */
function asStorableText(value: Buffer | string): string | undefined {
  let text: string;
  try {
    text = typeof value === 'string' ? value : UTF8.decode(value);
  } catch {
    return undefined;
  }
  return text.includes('\u0000') ? undefined : text;
}

/**
 * Headers of the dead letter of a record: its own headers (those that are text; the count of
 * the others in `dlq-dropped-headers`), the reason, and where it came from.
 */
export function deadLetterHeaders(record: RawRecord, source: { topic: string; partition: number }, reason: string, failedAt: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let dropped = 0;
  for (const [name, raw] of Object.entries(record.headers ?? {})) {
    const first = Array.isArray(raw) ? raw[0] : raw;
    const value = first === undefined ? undefined : asStorableText(first);
    if (value === undefined || asStorableText(name) === undefined || name.startsWith('dlq-') || name === 'x-outbox-encoding') dropped += 1;
    else headers[name] = value;
  }
  if (dropped > 0) headers['dlq-dropped-headers'] = String(dropped);
  headers['dlq-reason'] = storableReason(reason);
  headers['dlq-source-topic'] = source.topic;
  headers['dlq-source-partition'] = String(source.partition);
  headers['dlq-source-offset'] = record.offset;
  headers['dlq-failed-at'] = failedAt;
  return headers;
}
