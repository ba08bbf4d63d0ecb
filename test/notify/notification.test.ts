import { describe, expect, it } from 'vitest';
import {
  dedupKeyOf,
  incidentDedupKey,
  MAX_DELIVERY_MESSAGE_BYTES,
  NOTIFICATION_ID_PATTERN,
  notificationId,
  notificationSchema,
  parseDeliveryMessage,
  serializeDeliveryMessage,
  toDeliveryMessages,
} from '#lib/domain/notifications/notification.ts';
import { alertNotification, FIRING_SINCE } from './fixtures.ts';

const cause = {
  tenantId: 'ten_acme',
  kind: 'alert.firing' as const,
  sourceId: 'rul_errors',
  group: 'checkout',
  at: new Date('2026-11-23T10:05:00Z'),
};

describe('notification ids', () => {
  it('are the same for the same cause, so a re-run publishes the same id', () => {
    const id = notificationId(cause);
    expect(id).toMatch(NOTIFICATION_ID_PATTERN);
    expect(notificationId({ ...cause, at: new Date(cause.at.getTime()) })).toBe(id);
  });

  it('differ when any part of the cause differs', () => {
    const variants = [
      { ...cause, tenantId: 'ten_other' },
      { ...cause, kind: 'alert.resolved' as const },
      { ...cause, sourceId: 'rul_latency' },
      { ...cause, group: 'search' },
      { ...cause, group: undefined },
      { ...cause, at: new Date('2026-11-23T10:06:00Z') },
    ];
    const ids = new Set([notificationId(cause), ...variants.map(notificationId)]);
    expect(ids.size).toBe(variants.length + 1);
  });

  it('keep fields apart: a separator inside a value cannot make two causes collide', () => {
    const a = notificationId({ ...cause, sourceId: 'rul|x', group: 'y' });
    const b = notificationId({ ...cause, sourceId: 'rul', group: 'x|y' });
    expect(a).not.toBe(b);
  });
});

describe('incident dedup keys', () => {
  const incident = {
    tenantId: 'ten_acme',
    ruleId: 'rul_errors',
    groupValue: 'checkout',
    firingSince: FIRING_SINCE,
  };

  it('are one per incident: stable, new for the next firing, never over 255 characters', () => {
    const key = incidentDedupKey(incident);
    expect(incidentDedupKey({ ...incident })).toBe(key);
    expect(incidentDedupKey({ ...incident, firingSince: new Date('2026-11-23T12:00:00Z') })).not.toBe(key);
    expect(incidentDedupKey({ ...incident, groupValue: 'search' })).not.toBe(key);
    expect(incidentDedupKey({ ...incident, groupValue: 'x'.repeat(10_000) }).length).toBeLessThanOrEqual(255);
  });

  it('carry no group value (which may name a customer) in clear', () => {
    expect(incidentDedupKey({ ...incident, groupValue: 'Customer Megacorp' })).not.toContain('Megacorp');
  });

  it('are what a channel sends for alerts; other kinds use the notification id', () => {
    const firing = alertNotification('alert.firing');
    const resolved = alertNotification('alert.resolved');
    expect(dedupKeyOf(firing)).toBe(dedupKeyOf(resolved));
    expect(dedupKeyOf(firing)).toBe(incidentDedupKey(incident));
    const budget = alertNotification('budget.threshold', { incident: undefined });
    expect(dedupKeyOf(budget)).toBe(budget.id);
  });
});

describe('delivery messages', () => {
  it('are one per channel target and parse back to what was published', () => {
    const notification = alertNotification();
    const messages = toDeliveryMessages(notification);
    expect(messages.map((m) => m.target.type)).toEqual(['slack', 'pagerduty', 'webhook']);
    for (const message of messages) {
      const parsed = parseDeliveryMessage(serializeDeliveryMessage(message));
      expect(parsed).toEqual({ ok: true, message });
      expect(JSON.stringify(message)).not.toContain('targets');
    }
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['another version', JSON.stringify({ version: 2 }), /version/],
    [
      'an unknown kind',
      JSON.stringify({
        ...toDeliveryMessages(alertNotification())[0],
        notification: { ...alertNotification(), kind: 'alert.maybe', targets: undefined },
      }),
      /notification\.kind/,
    ],
    [
      'an unknown field',
      JSON.stringify({ ...toDeliveryMessages(alertNotification())[0], extra: true }),
      /^message: Unrecognized key: "extra"/,
    ],
  ])('refuse %s with a reason', (_name, raw, reason) => {
    const parsed = parseDeliveryMessage(raw);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('refuse links that are not http(s) and bodies over their bounds', () => {
    const bad = alertNotification('alert.firing', { links: [{ href: 'javascript:alert(1)', text: 'x' }] });
    expect(notificationSchema.safeParse(bad).success).toBe(false);
    const long = alertNotification('alert.firing', { summary: 'x'.repeat(2_001) });
    expect(notificationSchema.safeParse(long).success).toBe(false);
    const details = Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, i]));
    expect(notificationSchema.safeParse(alertNotification('alert.firing', { details })).success).toBe(false);
    expect(notificationSchema.safeParse(alertNotification()).success).toBe(true);
  });

  it('stay below SNS limits, and say so rather than publish a message SNS would refuse', () => {
    const [message] = toDeliveryMessages(alertNotification());
    if (message === undefined) throw new Error('no message');
    const huge = {
      ...message,
      notification: { ...message.notification, tenantId: 'x'.repeat(MAX_DELIVERY_MESSAGE_BYTES) },
    };
    expect(() => serializeDeliveryMessage(huge)).toThrow(/over SNS's limit/);
  });
});
