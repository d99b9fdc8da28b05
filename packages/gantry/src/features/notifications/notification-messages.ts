// What is posted to each kind of channel. Pure functions of a stored
// delivery, so every retry of a delivery sends the same content.
//
// Slack: a message with a plain `text` (what notifications and screen readers
// show) and one attachment (coloured bar, title linking to the promotion,
// short fields, the reason). Attachments rather than Block Kit because the
// other Slack-compatible receivers (Mattermost, Rocket.Chat, Discord's /slack
// endpoint) render attachments and ignore blocks; Slack renders both.
//
// Generic webhook: {id, type, occurredAt, data} as JSON (docs/notifications.md).

import {
  isIncidentData,
  isPromotionData,
  TEST_NOTIFICATION,
  type IncidentNotificationData,
  type NotificationData,
  type NotificationType,
  type PromotionNotificationData,
  type TestNotificationData,
} from './notification-events.js';

export interface DeliveryContent {
  /** The source event's id: the same for every channel that gets it. */
  eventId: string;
  type: NotificationType | typeof TEST_NOTIFICATION;
  occurredAt: Date;
  data: NotificationData;
}

/** The generic webhook's body. Fields are only ever added to `data`, never renamed or removed. */
export function webhookBody(content: DeliveryContent): string {
  return JSON.stringify({
    id: content.eventId,
    type: content.type,
    occurredAt: content.occurredAt.toISOString(),
    data: content.data,
  });
}

interface Look {
  emoji: string;
  word: string;
  color: string;
}

const GREEN = '#2eb67d';
const RED = '#e01e5a';
const AMBER = '#ecb22e';
const BLUE = '#36c5f0';
const GREY = '#9e9e9e';

const LOOKS: Record<DeliveryContent['type'], Look> = {
  'promotion.requested': { emoji: '📝', word: 'requested', color: GREY },
  'promotion.waiting-for-approval': { emoji: '✋', word: 'waiting for approval', color: AMBER },
  'promotion.started': { emoji: '🚀', word: 'started', color: BLUE },
  'promotion.succeeded': { emoji: '✅', word: 'succeeded', color: GREEN },
  'promotion.failed': { emoji: '❌', word: 'failed', color: RED },
  'promotion.rejected': { emoji: '🚫', word: 'rejected', color: RED },
  'promotion.aborted': { emoji: '🛑', word: 'aborted', color: GREY },
  'promotion.rolled-back': { emoji: '↩️', word: 'rolled back', color: RED },
  'incident.opened': { emoji: '🚨', word: 'opened', color: RED },
  'incident.linked': { emoji: '🔗', word: 'linked to a promotion', color: AMBER },
  'incident.resolved': { emoji: '🟢', word: 'resolved', color: GREEN },
  'notification.test': { emoji: '👋', word: 'test', color: BLUE },
};

/** The emoji and word for a notification, e.g. ✅ succeeded. */
export function lookOf(type: NotificationType): { emoji: string; word: string } {
  const { emoji, word } = LOOKS[type];
  return { emoji, word };
}

// Slack's limits: attachment text is cut off past a few thousand characters.
const MAX_REASON = 1_500;

export interface SlackField {
  title: string;
  value: string;
  short: boolean;
}

export interface SlackMessage {
  text: string;
  attachments: Array<{
    fallback: string;
    color: string;
    title: string;
    title_link?: string;
    text?: string;
    fields: SlackField[];
    footer: string;
    ts: number;
    mrkdwn_in: string[];
  }>;
}

export function slackMessage(content: DeliveryContent): SlackMessage {
  if (isPromotionData(content.data)) return promotionMessage(content, content.data);
  if (isIncidentData(content.data)) return incidentMessage(content, content.data);
  return testMessage(content, content.data);
}

function testMessage(content: DeliveryContent, data: TestNotificationData): SlackMessage {
  const summary = `👋 ${data.message}`;
  return {
    text: `${escape(summary)} <${data.link}|Gantry>`,
    attachments: [
      {
        fallback: summary,
        color: LOOKS[TEST_NOTIFICATION].color,
        title: 'Gantry test notification',
        title_link: data.link,
        fields: [{ title: 'By', value: escape(data.actor), short: true }],
        footer: `Gantry · ${content.type}`,
        ts: Math.floor(content.occurredAt.getTime() / 1000),
        mrkdwn_in: ['text'],
      },
    ],
  };
}

function promotionMessage(content: DeliveryContent, data: PromotionNotificationData): SlackMessage {
  const look = LOOKS[content.type];
  const rollback = data.trigger === 'rollback' ? ' (rollback)' : '';
  const summary = `${look.emoji} ${data.service} ${data.version} ${look.word} in ${data.stage}${rollback}`;
  const reason = truncate(data.reason, MAX_REASON);
  return {
    text: `${escape(summary)}: ${escape(truncate(data.reason, 300))} <${data.link}|View promotion>`,
    attachments: [
      {
        fallback: `${summary}: ${reason}`,
        color: look.color,
        title: `${data.service} ${data.version} → ${data.stage}`,
        title_link: data.link,
        text: escape(reason),
        fields: [
          { title: 'Service', value: escape(data.service), short: true },
          { title: 'Stage', value: escape(data.stage), short: true },
          { title: 'Version', value: escape(data.version), short: true },
          { title: 'Phase', value: `${look.emoji} ${look.word}`, short: true },
          { title: 'By', value: escape(data.actor), short: true },
          { title: 'Trigger', value: data.trigger, short: true },
        ],
        footer: `Gantry · ${content.type}`,
        ts: Math.floor(content.occurredAt.getTime() / 1000),
        mrkdwn_in: ['text'],
      },
    ],
  };
}

function incidentMessage(content: DeliveryContent, data: IncidentNotificationData): SlackMessage {
  const look = LOOKS[content.type];
  const where = [data.service, data.stage].filter((part) => part !== null).join(' in ');
  const summary = `${look.emoji} Incident ${look.word}${where ? ` (${where})` : ''}: ${data.title}`;
  const link = data.link ?? data.url;
  const fields: SlackField[] = [];
  if (data.service) fields.push({ title: 'Service', value: escape(data.service), short: true });
  if (data.stage) fields.push({ title: 'Stage', value: escape(data.stage), short: true });
  if (data.severity) fields.push({ title: 'Severity', value: escape(data.severity), short: true });
  fields.push({ title: 'Source', value: escape(data.source), short: true });
  fields.push({ title: 'By', value: escape(data.actor), short: true });
  if (data.link && data.url) fields.push({ title: 'Alert', value: `<${data.url}|open>`, short: true });
  return {
    text: `${escape(truncate(summary, 300))}${link ? ` <${link}|${data.link ? 'View promotion' : 'Open'}>` : ''}`,
    attachments: [
      {
        fallback: summary,
        color: look.color,
        title: truncate(data.title, 200),
        ...(link ? { title_link: link } : {}),
        ...(data.reason ? { text: escape(truncate(data.reason, MAX_REASON)) } : {}),
        fields,
        footer: `Gantry · ${content.type}`,
        ts: Math.floor(content.occurredAt.getTime() / 1000),
        mrkdwn_in: ['text'],
      },
    ],
  };
}

/** Slack's three control characters in message text; everything else is literal. */
export function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}
