import { buildNotification, headline, renderEmail, renderSlack } from './notification.builder';

const notification = buildNotification({
  escalationId: '7d2c1a52-3f1e-4c3e-9c51-0f3f2d0b8a11',
  ladderId: 'breach',
  step: 'R2',
  level: 1,
  contactId: 'support-nl',
  cause: {
    eventId: 'e1',
    tenantId: 't1',
    event: { type: 'sla.breached', at: '2026-12-04T10:00:00.000Z', customerId: 'acme', conversationId: 'c<1>', metric: 'first_response', cycle: 1, dueAt: '2026-12-04T10:00:00.000Z' },
    context: { team: 'support-nl', priority: 'high' },
  },
  publicUrl: 'https://notifier.example.com',
  slaPublicUrl: 'https://sla.example.com',
});

describe('notifications', () => {
  it('carry the cause, the conversation, the customer and links', () => {
    expect(notification).toMatchObject({
      type: 'escalation',
      step: 'R2',
      cause: { type: 'sla.breached', conversationId: 'c<1>' },
      conversation: { id: 'c<1>', link: 'https://sla.example.com/v1/conversations/c%3C1%3E' },
      customer: { id: 'acme' },
      context: { team: 'support-nl' },
      links: {
        escalation: 'https://notifier.example.com/v1/escalations/7d2c1a52-3f1e-4c3e-9c51-0f3f2d0b8a11',
        acknowledge: 'https://notifier.example.com/v1/escalations/7d2c1a52-3f1e-4c3e-9c51-0f3f2d0b8a11/acknowledge',
      },
    });
    expect(headline(notification)).toBe('The first response target of conversation c<1> was breached (reminder R2)');
  });

  it('render for Slack with a text and blocks that link back', () => {
    const slack = renderSlack(notification) as { text: string; blocks: Array<{ type: string }> };
    expect(slack.text).toBe(headline(notification));
    expect(slack.blocks.map((block) => block.type)).toEqual(['section', 'section', 'context']);
    expect(JSON.stringify(slack)).toContain('|Acknowledge>');
  });

  it('render as e-mail with a plain-text part and an escaped HTML part', () => {
    const mail = renderEmail(notification);
    expect(mail.subject).toContain('was breached');
    expect(mail.text).toContain('Conversation: c<1>');
    expect(mail.text).toContain(notification.links.acknowledge);
    expect(mail.html).toContain('c&lt;1&gt;');
    expect(mail.html).not.toContain('c<1>');
    expect(mail.html).toContain(`href="${notification.links.acknowledge}"`);
  });
});
