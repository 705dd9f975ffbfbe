import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

import { storeAcceptedEvents, type TenantEvent } from './accepted-events.store';

interface PendingWrite {
  entries: TenantEvent[];
  resolve(fresh: boolean[]): void;
  reject(error: unknown): void;
}

const MAX_IN_FLIGHT = 4;
const MAX_EVENTS_PER_STATEMENT = 5000;

/**
 * Coalesces the writes of concurrent HTTP requests: the requests that arrive while earlier
 * statements are running leave together in the next one (group commit, in the application).
 * Each request still gets its answer only after the statement holding its events has
 * committed, and a failed statement fails every request in it (they retry; nothing of it was
 * stored). Many small requests thus cost a few statements, not one each.
 */
@Injectable()
export class AcceptedEventsWriter {
  private pending: PendingWrite[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly dataSource: DataSource) {}

  /** For each event, whether it was new. */
  write(entries: TenantEvent[]): Promise<boolean[]> {
    return new Promise((resolve, reject) => {
      this.pending.push({ entries, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.pending.length === 0) return;
    this.scheduled = true;
    // One turn of the event loop lets the requests parsed in this turn join.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group: PendingWrite[] = [];
    let events = 0;
    while (this.pending.length > 0 && (group.length === 0 || events + this.pending[0].entries.length <= MAX_EVENTS_PER_STATEMENT)) {
      const next = this.pending.shift()!;
      group.push(next);
      events += next.entries.length;
    }
    if (group.length === 0) return;
    this.inFlight += 1;
    this.schedule();
    try {
      const fresh = await storeAcceptedEvents(
        this.dataSource,
        group.flatMap((write) => write.entries),
      );
      let offset = 0;
      for (const write of group) {
        write.resolve(fresh.slice(offset, offset + write.entries.length));
        offset += write.entries.length;
      }
    } catch (error) {
      for (const write of group) write.reject(error);
    } finally {
      this.inFlight -= 1;
      this.schedule();
    }
  }
}
