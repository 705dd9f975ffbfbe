import { Module } from '@nestjs/common';

import { IntakeOutboxRelay } from './intake-outbox.relay';

/** The one relay of intake.outbox, shared by both doors. */
@Module({
  providers: [IntakeOutboxRelay],
  exports: [IntakeOutboxRelay],
})
export class OutboxModule {}
