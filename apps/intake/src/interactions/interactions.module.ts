import { Module } from '@nestjs/common';

import { OutboxModule } from '../outbox/outbox.module';
import { RateLimitModule } from '../rate-limit/rate-limit.module';
import { AcceptedEventsWriter } from './accepted-events.writer';
import { InteractionsController } from './interactions.controller';
import { InteractionsService } from './interactions.service';

@Module({
  imports: [OutboxModule, RateLimitModule],
  controllers: [InteractionsController],
  providers: [InteractionsService, AcceptedEventsWriter],
})
export class InteractionsModule {}
