import fc from 'fast-check';

import { compileCalendar, isOpen } from '@pw/sla-engine';

import { deliveryStepName, isPublicReply, type Ladder, ladderSteps, ladderToStore, stepDueAt } from './ladder.util';

const ladder: Ladder = {
  id: 'breach',
  on: ['sla.breached'],
  levels: [
    { after: '0m', notify: ['team'] },
    { after: '30m', notify: ['leads'] },
  ],
  repeat: { every: '1h', times: 3 },
};

const MIN = 60_000;

describe('ladder steps', () => {
  it('are the levels, then the repeats of the last level', () => {
    expect(ladderSteps(ladder).map(({ label, level, notify, offsetMs }) => [label, level, notify, offsetMs / MIN])).toEqual([
      ['L0', 0, ['team'], 0],
      ['L1', 1, ['leads'], 30],
      ['R1', 1, ['leads'], 90],
      ['R2', 1, ['leads'], 150],
      ['R3', 1, ['leads'], 210],
    ]);
    expect(ladderSteps({ ...ladder, repeat: undefined }).map((step) => step.label)).toEqual(['L0', 'L1']);
  });

  it('name a re-opened run apart from the first, so its deliveries are new ones', () => {
    const [first, second] = ladderSteps(ladder);
    expect(deliveryStepName(first, 0)).toBe('L0');
    expect(deliveryStepName(second, 2)).toBe('L1.2');
  });

  it('without a calendar, are due at their offset from the anchor, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4e12 }), (anchor) => {
        const due = ladderSteps(ladder).map((step) => stepDueAt(ladder, anchor, step.index));
        return due.every((at, i) => at === anchor + ladderSteps(ladder)[i].offsetMs && (i === 0 || at > due[i - 1]));
      }),
    );
  });

  it('with a calendar, wait for it to be open after the first step, never before their offset, and stay in order', () => {
    const calendar = { id: 'office', timezone: 'Europe/Amsterdam', hours: { mon: ['09:00-17:00'], tue: ['09:00-17:00'], fri: ['09:00-12:00'] } };
    const stored = ladderToStore({ ...ladder, calendar: 'office' }, [calendar]);
    const compiled = compileCalendar(calendar);
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }), (anchor) => {
        const steps = ladderSteps(stored);
        const due = steps.map((step) => stepDueAt(stored, anchor, step.index));
        if (due[0] !== anchor) return false;
        return steps.every((step, i) => {
          if (i === 0) return true;
          return due[i] >= anchor + step.offsetMs && isOpen(compiled, due[i]) && due[i] >= due[i - 1];
        });
      }),
      { numRuns: 500 },
    );
  });
});

describe('public replies', () => {
  it('are outbound messages and calls that a person sent', () => {
    expect(isPublicReply({ kind: 'message', direction: 'outbound' })).toBe(true);
    expect(isPublicReply({ kind: 'call', direction: 'outbound', automated: false })).toBe(true);
    expect(isPublicReply({ kind: 'message', direction: 'outbound', automated: true })).toBe(false);
    expect(isPublicReply({ kind: 'message', direction: 'inbound' })).toBe(false);
    expect(isPublicReply({ kind: 'status', direction: 'outbound' })).toBe(false);
  });
});
