import { autoReply, engineConfig, ev, inbound, note, only, reply, simulate } from '../testing/scenario.util';

const config = engineConfig(`
version: 1
silence:
  - { match: { segment: [key] }, within: 30d }
transfers: { max: 2 }
feedback: { detractor: { csat: 2, nps: 6 } }
`);

const D = (day: string, hhmm = '10:00') => `2026-${day}T${hhmm}:00Z`;

describe('silence', () => {
  it('fires account.silent once, within after the first event seen, for a customer whose segment matches', () => {
    const out = simulate(config, [inbound(D('01-01'), { segment: 'key' })], { until: D('04-01') });
    expect(only(out, 'account.silent')).toEqual([{ type: 'account.silent', at: D('01-31'), customerId: 'acme', since: D('01-01') }]);
  });

  it('runs from the latest public reply in any conversation; auto-replies do not count', () => {
    const out = simulate(config, [inbound(D('01-01'), { segment: 'key' }), reply(D('01-10'), { conversationId: 'other' }), autoReply(D('01-20'))], { until: D('02-15') });
    expect(only(out, 'account.silent')).toEqual([{ type: 'account.silent', at: D('02-09'), customerId: 'acme', since: D('01-10') }]);
  });

  it('is reset by the next public reply and can fire again', () => {
    const out = simulate(config, [inbound(D('01-01'), { segment: 'key' }), reply(D('02-05'))], { until: D('04-01') });
    expect(only(out, 'account.silent').map((o) => o.at)).toEqual([D('01-31'), D('03-07')]);
  });

  it('does not watch customers whose segment matches no rule', () => {
    expect(only(simulate(config, [inbound(D('01-01'), { segment: 'smb' })], { until: D('04-01') }), 'account.silent')).toEqual([]);
  });

  it('reports at once a silence that is already over when the segment starts to match', () => {
    const out = simulate(config, [inbound(D('01-01')), note(D('03-01'), { segment: 'key' })]);
    expect(only(out, 'account.silent')).toEqual([{ type: 'account.silent', at: D('03-01'), customerId: 'acme', since: D('01-01') }]);
  });
});

describe('transfers', () => {
  it('fires conversation.transfer_limit once, when the count first exceeds the maximum', () => {
    const transfer = (day: string) => ev('transfer', D(day), { toTeam: 'tier2' });
    const out = simulate(config, [transfer('01-01'), transfer('01-02'), transfer('01-03'), transfer('01-04')]);
    expect(only(out, 'conversation.transfer_limit')).toEqual([{ type: 'conversation.transfer_limit', at: D('01-03'), conversationId: 'c1', customerId: 'acme', count: 3 }]);
  });
});

describe('feedback', () => {
  it('fires feedback.detractor for a score at or below its scale’s threshold', () => {
    const rate = (scale: string, score: number) => ev('feedback', D('01-01'), { rating: { scale, score } });
    const out = simulate(config, [rate('csat', 2), rate('csat', 3), rate('nps', 6), rate('nps', 7), rate('csat', 1)]);
    expect(only(out, 'feedback.detractor').map((o) => [(o as { scale: string }).scale, (o as { score: number }).score])).toEqual([
      ['csat', 2],
      ['nps', 6],
      ['csat', 1],
    ]);
    expect(only(out, 'feedback.detractor')[0]).toEqual({ type: 'feedback.detractor', at: D('01-01'), conversationId: 'c1', customerId: 'acme', scale: 'csat', score: 2 });
  });

  it('fires nothing without a threshold for the scale', () => {
    const none = engineConfig('version: 1\nfeedback: { detractor: { csat: 2 } }\n');
    expect(simulate(none, [ev('feedback', D('01-01'), { rating: { scale: 'nps', score: 0 } })])).toEqual([]);
  });
});
