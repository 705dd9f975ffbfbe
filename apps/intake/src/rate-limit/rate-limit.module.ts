import { Module } from '@nestjs/common';

import { IntakeRedisHealth, TenantRateLimiter } from './tenant-rate-limiter.service';

@Module({
  providers: [TenantRateLimiter, IntakeRedisHealth],
  exports: [TenantRateLimiter, IntakeRedisHealth],
})
export class RateLimitModule {}
