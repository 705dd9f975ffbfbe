import { Inject, Injectable, Logger } from '@nestjs/common';

import { APP_CONFIG } from '@pw/platform';

import type { SlaConfig, SlaFaultInjection } from '../config/sla.config';

/**
 * The crash points of SLA_FAULT_INJECTION, for the crash tests only: at the configured
 * occurrence of its point the process is killed with SIGKILL, which runs no shutdown hook and
 * leaves PostgreSQL and Kafka as a power cut would. Disabled (`none`) it costs a comparison.
 */
@Injectable()
export class FaultInjector {
  private readonly logger = new Logger('FaultInjection');
  private seen = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: SlaConfig) {}

  reached(point: Exclude<SlaFaultInjection, 'none'>): void {
    const { injection, at } = this.config.fault;
    if (injection !== point) return;
    this.seen += 1;
    if (this.seen < at) return;
    this.logger.warn(`fault injection ${point} (occurrence ${this.seen}): killing the process`);
    process.kill(process.pid, 'SIGKILL');
  }
}
