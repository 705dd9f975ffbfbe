import type { ITopicConfig } from 'kafkajs';

/**
 * Every topic of the product, with its partition count fixed here (never left to broker
 * defaults). Keys: the conversation (tenant + conversation id) for interactions, so one
 * conversation's events stay in order; the tenant for config.
 */
export const TOPICS = {
  interactions: 'interactions.v1',
  interactionsAccepted: 'interactions.accepted.v1',
  interactionsDlq: 'interactions.dlq.v1',
  slaEvents: 'sla.events.v1',
  tenantConfig: 'tenant.config.v1',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

export const TOPIC_SPECS: ITopicConfig[] = [
  { topic: TOPICS.interactions, numPartitions: 6, replicationFactor: 1 },
  { topic: TOPICS.interactionsAccepted, numPartitions: 6, replicationFactor: 1 },
  { topic: TOPICS.interactionsDlq, numPartitions: 2, replicationFactor: 1 },
  { topic: TOPICS.slaEvents, numPartitions: 6, replicationFactor: 1 },
  {
    topic: TOPICS.tenantConfig,
    numPartitions: 1,
    replicationFactor: 1,
    // Compacted: the latest configuration of each tenant is kept forever.
    configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
  },
];
