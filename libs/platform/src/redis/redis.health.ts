import type { Redis } from 'ioredis';

import type { HealthIndicator } from '../health/health.types';

export class RedisHealthIndicator implements HealthIndicator {
  readonly name = 'redis';
  constructor(private readonly redis: Redis) {}
  async check(): Promise<void> {
    const answer = await this.redis.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  }
}
