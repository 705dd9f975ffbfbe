import type { OutputEvent } from '@pw/contracts';

import { outputEventId } from './sla-effects';

describe('outputEventId', () => {
  const tenant = '00000000-0000-4000-8000-000000000001';
  const breached = { type: 'sla.breached', at: '2026-12-04T10:00:00.000Z', conversationId: 'c1', customerId: 'k1', metric: 'first_response', cycle: 1 } as unknown as OutputEvent;

  it('is the same for the same fact of the same tenant, and a version 8 UUID', () => {
    expect(outputEventId(tenant, breached)).toBe(outputEventId(tenant, { ...breached }));
    expect(outputEventId(tenant, breached)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('differs by tenant, by fact and by occurrence of an identical fact', () => {
    const ids = [
      outputEventId(tenant, breached),
      outputEventId('00000000-0000-4000-8000-000000000002', breached),
      outputEventId(tenant, { ...breached, cycle: 2 } as OutputEvent),
      outputEventId(tenant, breached, 1),
      outputEventId(tenant, breached, 2),
    ];
    expect(new Set(ids).size).toBe(ids.length);
    expect(outputEventId(tenant, breached, 0)).toBe(ids[0]);
  });
});
