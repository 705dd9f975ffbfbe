import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';

import type { Principal } from '@pw/identity';
import { APP_CONFIG, ProblemException, RedisHealthIndicator } from '@pw/platform';

import type { IntakeConfig } from '../config/intake.config';

/**
 * Each tenant's ingest rate limit (`rate_limit_per_second` of its tenant row, set by `cli
 * tenants create --rate-limit N`), counted in events, not requests, and shared by every
 * intake instance through Redis (a fixed one-second window). If Redis is unreachable each
 * instance goes on limiting by itself (an in-memory insurance limiter) rather than refusing
 * every request or letting every request through.
 */
@Injectable()
export class TenantRateLimiter implements OnApplicationShutdown {
  readonly redis: Redis;
  private readonly limiters = new Map<number, RateLimiterRedis>();

  constructor(@Inject(APP_CONFIG) private readonly config: IntakeConfig) {
    // No offline queue: a request must not wait for Redis to come back.
    // Auto-pipelining: the checks of concurrent requests leave in one write, not one each.
    this.redis = new Redis(config.redis.url, { enableOfflineQueue: false, enableAutoPipelining: true, maxRetriesPerRequest: 1, lazyConnect: !config.rateLimit.enabled });
  }

  /** Counts `events` against the tenant's limit; a 429 with Retry-After when over it. */
  async consume(principal: Principal, events: number): Promise<void> {
    if (!this.config.rateLimit.enabled) return;
    const perSecond = principal.rateLimitPerSecond;
    if (events > perSecond) {
      throw new ProblemException(429, 'Too Many Requests', `this request holds ${events} events, more than the tenant's limit of ${perSecond} per second; send smaller batches`, [], {
        'Retry-After': '1',
      });
    }
    try {
      await this.limiterFor(perSecond).consume(principal.tenantId, events);
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new ProblemException(429, 'Too Many Requests', `over the tenant's limit of ${perSecond} events per second; retry after ${seconds} s`, [], {
        'Retry-After': String(seconds),
      });
    }
  }

  private limiterFor(perSecond: number): RateLimiterRedis {
    let limiter = this.limiters.get(perSecond);
    if (!limiter) {
      limiter = new RateLimiterRedis({
        storeClient: this.redis,
        keyPrefix: `pw:intake:rate:${perSecond}`,
        points: perSecond,
        duration: 1,
        insuranceLimiter: new RateLimiterMemory({ points: perSecond, duration: 1 }),
      });
      this.limiters.set(perSecond, limiter);
    }
    return limiter;
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/** Redis is needed only while the rate limit is on (INTAKE_RATE_LIMIT). */
@Injectable()
export class IntakeRedisHealth extends RedisHealthIndicator {
  constructor(
    @Inject(TenantRateLimiter) limiter: TenantRateLimiter,
    @Inject(APP_CONFIG) private readonly config: IntakeConfig,
  ) {
    super(limiter.redis);
  }

  override async check(): Promise<void> {
    if (this.config.rateLimit.enabled) await super.check();
  }
}
