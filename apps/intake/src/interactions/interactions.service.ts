import { Inject, Injectable, Logger } from '@nestjs/common';

import { parseInteractionEvent, type InteractionEvent } from '@pw/contracts';
import type { Principal } from '@pw/identity';
import { APP_CONFIG, ProblemException, type ProblemItem } from '@pw/platform';

import type { IntakeConfig } from '../config/intake.config';
import { IntakeOutboxRelay } from '../outbox/intake-outbox.relay';
import { TenantRateLimiter } from '../rate-limit/tenant-rate-limiter.service';
import { AcceptedEventsWriter } from './accepted-events.writer';

export interface IngestResult {
  accepted: number;
  duplicates: number;
}

/** The HTTP door: POST /v1/interactions. */
@Injectable()
export class InteractionsService {
  private readonly logger = new Logger('Interactions');

  constructor(
    private readonly writer: AcceptedEventsWriter,
    private readonly relay: IntakeOutboxRelay,
    private readonly rateLimiter: TenantRateLimiter,
    @Inject(APP_CONFIG) private readonly config: IntakeConfig,
  ) {}

  /**
   * Counts the request against the tenant's rate limit, validates all of it (a bad item
   * rejects the whole request), then in one statement (shared with concurrent requests)
   * records each new (tenant, source, id) and queues it in the outbox. The answer is given only after that commit, so an
   * accepted event is durable; the relay publishes it to Kafka.
   */
  async ingest(principal: Principal, body: unknown, now: Date): Promise<IngestResult> {
    if (body === undefined) {
      throw new ProblemException(415, 'Unsupported Media Type', 'send the events as JSON (Content-Type: application/json)');
    }
    const maxBatch = this.config.ingest.maxBatch;
    const items = Array.isArray(body) ? body : [body];
    if (Array.isArray(body) && body.length === 0) {
      throw new ProblemException(400, 'Bad Request', 'the request holds no event', [{ field: '(body)', reason: 'is an empty array' }]);
    }
    if (items.length > maxBatch) {
      throw new ProblemException(400, 'Bad Request', `at most ${maxBatch} events per request`, [
        { field: '(body)', reason: `holds ${items.length} events` },
      ]);
    }
    await this.rateLimiter.consume(principal, items.length);

    const receivedAt = now.toISOString();
    const events: InteractionEvent[] = [];
    const problems: ProblemItem[] = [];
    items.forEach((item, index) => {
      const parsed = parseInteractionEvent(item);
      if (parsed.ok) events.push({ ...parsed.event, receivedAt });
      else for (const problem of parsed.problems) problems.push({ index, field: problem.path || '(event)', reason: problem.message });
    });
    if (problems.length > 0) {
      throw new ProblemException(400, 'Bad Request', `${problems.length} problem(s) in the request; nothing was accepted`, problems);
    }

    const fresh = await this.writer.write(events.map((event) => ({ tenantId: principal.tenantId, event })));
    const accepted = fresh.filter(Boolean).length;
    await this.injectFault();
    if (accepted > 0) this.relay.kick();
    return { accepted, duplicates: items.length - accepted };
  }

  /** The crash points of INTAKE_FAULT_INJECTION, for the crash tests only. */
  private async injectFault(): Promise<void> {
    const fault = this.config.faultInjection;
    if (fault === 'none') return;
    if (fault === 'kill-after-publish') {
      this.relay.kick();
      while ((await this.relay.backlog()) > 0) await new Promise((resolve) => setTimeout(resolve, 5));
    }
    this.logger.warn(`fault injection ${fault}: killing the process before the answer`);
    process.kill(process.pid, 'SIGKILL');
  }
}
