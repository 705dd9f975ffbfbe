import { Module } from '@nestjs/common';

import { OutboxModule } from '../outbox/outbox.module';
import { InteractionsKafkaConsumer } from './interactions.consumer';
import { KafkaDoorService } from './kafka-door.service';

@Module({
  imports: [OutboxModule],
  providers: [KafkaDoorService, InteractionsKafkaConsumer],
})
export class KafkaDoorModule {}
