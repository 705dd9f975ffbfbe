/** One dependency that /health/ready checks (PostgreSQL, Redis, Kafka…). */
export interface HealthIndicator {
  readonly name: string;
  /** Resolves when the dependency answers; rejects (or times out) otherwise. */
  check(): Promise<void>;
}

export const HEALTH_INDICATORS = Symbol('HEALTH_INDICATORS');
