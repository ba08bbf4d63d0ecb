import type {
  Notification,
  NotificationBody,
  NotificationKind,
} from '#lib/domain/notifications/notification.ts';

/** A notification as a channel renders it: the SNS message carries it without its targets. */
export type RenderableNotification = Omit<Notification, 'targets'>;

/** What each kind is called in a headline, the same words in every channel. */
export const KIND_LABEL: Record<NotificationKind, string> = {
  'alert.firing': 'Firing',
  'alert.resolved': 'Resolved',
  'alert.repeat': 'Still firing',
  'budget.threshold': 'Budget threshold reached',
  'budget.forecast': 'Budget forecast over threshold',
  'budget.exceeded': 'Budget exceeded',
  'billing.statement.ready': 'Statement ready',
  test: 'Test notification',
};

export const KIND_EMOJI: Record<NotificationKind, string> = {
  'alert.firing': '🔴',
  'alert.resolved': '✅',
  'alert.repeat': '🔁',
  'budget.threshold': '💰',
  'budget.forecast': '📈',
  'budget.exceeded': '🚨',
  'billing.statement.ready': '🧾',
  test: '🧪',
};

export function headline(notification: Pick<RenderableNotification, 'kind' | 'body'>): string {
  return `${KIND_LABEL[notification.kind]}: ${notification.body.title}`;
}

export function formatQuantity(value: number | string, unit: string | undefined): string {
  if (unit === undefined) return String(value);
  return unit === '%' ? `${value} %` : `${value} ${unit}`;
}

/** "0.12 % vs threshold 0.05 %", or whichever half the body has. */
export function valueVsThreshold(body: NotificationBody): string | undefined {
  const value = body.value === undefined ? undefined : formatQuantity(body.value, body.unit);
  const threshold = body.threshold === undefined ? undefined : formatQuantity(body.threshold, body.unit);
  if (value !== undefined && threshold !== undefined) return `${value} vs threshold ${threshold}`;
  if (value !== undefined) return value;
  return threshold === undefined ? undefined : `threshold ${threshold}`;
}

/** "2026-11-23 10:00:00 – 10:05:00 UTC"; the date is repeated only when the window spans days. */
export function formatWindow(window: NonNullable<NotificationBody['window']>): string {
  const [fromDate, fromTime] = splitIso(window.from);
  const [toDate, toTime] = splitIso(window.to);
  return fromDate === toDate
    ? `${fromDate} ${fromTime} – ${toTime} UTC`
    : `${fromDate} ${fromTime} – ${toDate} ${toTime} UTC`;
}

function splitIso(iso: string): [string, string] {
  const normalized = new Date(iso).toISOString();
  return [normalized.slice(0, 10), normalized.slice(11, 19)];
}

/** One line for plain-text surfaces (Slack's notification fallback, PagerDuty's summary). */
export function oneLineSummary(notification: RenderableNotification): string {
  const { body } = notification;
  const facts = [
    [body.metric, valueVsThreshold(body)].filter((part) => part !== undefined).join(' '),
    body.window === undefined ? undefined : `(${formatWindow(body.window)})`,
    body.project === undefined ? undefined : `project ${body.project}`,
  ].filter((fact): fact is string => fact !== undefined && fact !== '');
  return facts.length === 0 ? headline(notification) : `${headline(notification)} — ${facts.join(' ')}`;
}
