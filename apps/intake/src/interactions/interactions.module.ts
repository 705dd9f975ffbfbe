import { Module } from '@nestjs/common';

import { IntakeOutboxRelay } from '../outbox/intake-outbox.relay';
import { InteractionsController } from './interactions.controller';
import { InteractionsService } from './interactions.service';

@Module({
  controllers: [InteractionsController],
  providers: [InteractionsService, IntakeOutboxRelay],
})
export class InteractionsModule {}
