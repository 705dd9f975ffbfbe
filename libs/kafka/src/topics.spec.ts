import { TOPIC_SPECS, TOPICS } from './topics';

describe('topics', () => {
  it('declares every topic with an explicit partition count', () => {
    expect(TOPIC_SPECS.map((spec) => spec.topic).sort()).toEqual(Object.values(TOPICS).sort());
    for (const spec of TOPIC_SPECS) expect(spec.numPartitions).toBeGreaterThan(0);
  });

  it('uses the contract names of events.md and semantics.md', () => {
    expect(TOPICS).toMatchObject({
      interactions: 'interactions.v1',
      interactionsAccepted: 'interactions.accepted.v1',
      interactionsDlq: 'interactions.dlq.v1',
      slaEvents: 'sla.events.v1',
    });
  });
});
