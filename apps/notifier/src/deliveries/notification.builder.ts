import type { CauseContext, SlaEventEnvelope } from '../escalations/ladder.util';

/** What every channel says about one escalation step: the webhook JSON body as it is sent. */
export interface Notification {
  type: 'escalation';
  escalationId: string;
  ladder: string;
  step: string;
  level: number;
  contact: string;
  cause: SlaEventEnvelope['event'];
  conversation: { id: string; link?: string } | null;
  customer: { id: string };
  context: CauseContext;
  links: { escalation: string; acknowledge: string; conversation?: string };
}

export interface NotificationInput {
  escalationId: string;
  ladderId: string;
  step: string;
  level: number;
  contactId: string;
  cause: SlaEventEnvelope;
  publicUrl: string;
  slaPublicUrl?: string;
}

export function buildNotification(input: NotificationInput): Notification {
  const event = input.cause.event;
  const conversationLink =
    event.conversationId && input.slaPublicUrl ? `${input.slaPublicUrl}/v1/conversations/${encodeURIComponent(event.conversationId)}` : undefined;
  const escalationLink = `${input.publicUrl}/v1/escalations/${input.escalationId}`;
  return {
    type: 'escalation',
    escalationId: input.escalationId,
    ladder: input.ladderId,
    step: input.step,
    level: input.level,
    contact: input.contactId,
    cause: event,
    conversation: event.conversationId ? { id: event.conversationId, ...(conversationLink ? { link: conversationLink } : {}) } : null,
    customer: { id: event.customerId },
    context: input.cause.context ?? {},
    links: { escalation: escalationLink, acknowledge: `${escalationLink}/acknowledge`, ...(conversationLink ? { conversation: conversationLink } : {}) },
  };
}

const CAUSE_WORDS: Record<string, string> = {
  'sla.warning': 'is close to its due time',
  'sla.breached': 'was breached',
  'promise.due_soon': 'is due soon',
  'promise.broken': 'was broken',
  'customer.pattern': 'shows a pattern of missed customer promises',
  'account.silent': 'has not heard from us',
  'conversation.transfer_limit': 'was transferred too often',
  'feedback.detractor': 'left a detractor score',
};

/** One line a person reads first: what happened to whom. */
export function headline(notification: Notification): string {
  const cause = notification.cause;
  const what = CAUSE_WORDS[cause.type] ?? `: ${cause.type}`;
  const metric = typeof cause['metric'] === 'string' ? ` ${cause['metric'].replace(/_/g, ' ')}` : '';
  const subject = cause.type.startsWith('sla.')
    ? `The${metric} target of conversation ${cause.conversationId}`
    : cause.type.startsWith('promise.')
      ? `Promise ${String(cause['promiseId'])} in conversation ${cause.conversationId}`
      : cause.type.startsWith('conversation.') || cause.type.startsWith('feedback.')
        ? `Conversation ${cause.conversationId} of customer ${cause.customerId}`
        : `Customer ${cause.customerId}`;
  const step = notification.step.startsWith('R') ? ` (reminder ${notification.step})` : notification.level > 0 ? ` (level ${notification.level + 1})` : '';
  return `${subject} ${what}${step}`.replace(/ :/, ':');
}

function detailLines(notification: Notification): Array<[string, string]> {
  const lines: Array<[string, string]> = [['At', notification.cause.at], ['Customer', notification.customer.id]];
  if (notification.conversation) lines.push(['Conversation', notification.conversation.id]);
  for (const field of ['team', 'channel', 'priority', 'segment'] as const) {
    const value = notification.context[field];
    if (value) lines.push([field[0].toUpperCase() + field.slice(1), value]);
  }
  if (typeof notification.cause['dueAt'] === 'string') lines.push(['Due', notification.cause['dueAt']]);
  lines.push(['Escalation', `${notification.ladder}, ${notification.step}`]);
  return lines;
}

/** Slack-compatible incoming-webhook body (text for notifications, blocks for the message). */
export function renderSlack(notification: Notification): Record<string, unknown> {
  const title = headline(notification);
  const fields = detailLines(notification).map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${value}` }));
  const links = [`<${notification.links.acknowledge}|Acknowledge>`, `<${notification.links.escalation}|Details>`];
  if (notification.links.conversation) links.push(`<${notification.links.conversation}|Conversation>`);
  return {
    text: title,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `*${title}*` } },
      { type: 'section', fields: fields.slice(0, 10) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: links.join(' · ') }] },
    ],
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** The e-mail: a plain-text part and an HTML part with the same facts and links. */
export function renderEmail(notification: Notification): { subject: string; text: string; html: string } {
  const title = headline(notification);
  const lines = detailLines(notification);
  const links: Array<[string, string]> = [
    ['Acknowledge', notification.links.acknowledge],
    ['Details', notification.links.escalation],
  ];
  if (notification.links.conversation) links.push(['Conversation', notification.links.conversation]);
  const text = [
    title,
    '',
    ...lines.map(([label, value]) => `${label}: ${value}`),
    '',
    ...links.map(([label, url]) => `${label}: ${url}`),
    '',
    'Acknowledge with POST to the acknowledge link (an API key with the respond scope).',
  ].join('\n');
  const html = [
    '<!doctype html><html><body>',
    `<h2>${escapeHtml(title)}</h2>`,
    '<table>',
    ...lines.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p>${links.map(([label, url]) => `<a href="${escapeHtml(url)}">${escapeHtml(label)}</a>`).join(' · ')}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `[Promise Watch] ${title}`, text, html };
}
