import type { NotificationLink } from '#lib/domain/notifications/notification.ts';
import {
  formatWindow,
  headline,
  KIND_EMOJI,
  oneLineSummary,
  type RenderableNotification,
  valueVsThreshold,
} from './presentation.ts';
import { escapeMrkdwn, mrkdwnText, truncate } from './text.ts';

/** Slack's documented limits for messages posted to an incoming webhook. */
export const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3_000,
  fieldText: 2_000,
  fields: 10,
  contextElements: 10,
  blocks: 50,
  text: 40_000,
} as const;

export interface SlackPlainText {
  type: 'plain_text';
  text: string;
  emoji: true;
}
export interface SlackMrkdwn {
  type: 'mrkdwn';
  text: string;
}
export type SlackBlock =
  | { type: 'header'; text: SlackPlainText }
  | { type: 'section'; text: SlackMrkdwn }
  | { type: 'section'; fields: SlackMrkdwn[] }
  | { type: 'context'; elements: SlackMrkdwn[] };

/** The JSON body POSTed to an incoming webhook: `text` is the notification fallback, always sent. */
export interface SlackMessage {
  text: string;
  blocks: SlackBlock[];
}

/**
 * A Block Kit message: a header (kind and title), the summary, the facts as fields (metric, value
 * vs threshold, window, severity, project, tenant), the links back into the product, and a context
 * line with the notification id (what a user quotes to support). All user text is escaped for
 * mrkdwn and cut to Slack's limits; the header is plain text, which Slack does not parse.
 */
export function slackMessage(notification: RenderableNotification): SlackMessage {
  const { body } = notification;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${KIND_EMOJI[notification.kind]} ${headline(notification)}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
  ];
  if (body.summary.trim() !== '') {
    blocks.push({ type: 'section', text: mrkdwn(mrkdwnText(body.summary, SLACK_LIMITS.sectionText)) });
  }
  const facts: [string, string | undefined][] = [
    ['Metric', body.metric],
    ['Value', valueVsThreshold(body)],
    ['Window', body.window === undefined ? undefined : formatWindow(body.window)],
    ['Severity', body.severity],
    ['Project', body.project],
    ['Tenant', body.tenantName ?? notification.tenantId],
  ];
  const fields = facts
    .filter((fact): fact is [string, string] => fact[1] !== undefined)
    .slice(0, SLACK_LIMITS.fields)
    .map(([label, value]) =>
      mrkdwn(`*${label}*\n${mrkdwnText(value, SLACK_LIMITS.fieldText - label.length - 3)}`),
    );
  blocks.push({ type: 'section', fields });
  const links = slackLinks(body.links);
  if (links !== '') blocks.push({ type: 'section', text: mrkdwn(links) });
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`Meterhouse · ${notification.kind} · ${notification.id}`)],
  });
  return {
    text: mrkdwnText(`${KIND_EMOJI[notification.kind]} ${oneLineSummary(notification)}`, SLACK_LIMITS.text),
    blocks: blocks.slice(0, SLACK_LIMITS.blocks),
  };
}

function mrkdwn(text: string): SlackMrkdwn {
  return { type: 'mrkdwn', text };
}

/**
 * `<url|text>` links joined by " · ", as many whole links as fit in one section. In a link, the
 * URL's `|` would end the URL early, so it is percent-encoded; `&<>` are entities in both parts.
 */
function slackLinks(links: readonly NotificationLink[]): string {
  let out = '';
  for (const link of links) {
    const url = escapeMrkdwn(link.href.replaceAll('|', '%7C'));
    const text = mrkdwnText(link.text, 200);
    const next = `${out === '' ? '' : ' · '}<${url}|${text}>`;
    if (out.length + next.length > SLACK_LIMITS.sectionText) break;
    out += next;
  }
  return out;
}
