import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { BODY_LIMITS, notificationSchema } from '#lib/domain/notifications/notification.ts';
import {
  generateWebhookSecret,
  webhookRequest,
  webhookSecretKey,
  webhookSignature,
} from '#lib/notify/webhook.ts';
import { alertNotification } from './fixtures.ts';

describe('webhook secrets', () => {
  it('are whsec_ + base64 of 32 random bytes, different every time', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(a).not.toBe(b);
    expect(webhookSecretKey(a)).toHaveLength(32);
  });

  it.each([
    ['no prefix', Buffer.alloc(32, 1).toString('base64')],
    ['too short', `whsec_${Buffer.alloc(23, 1).toString('base64')}`],
    ['too long', `whsec_${Buffer.alloc(65, 1).toString('base64')}`],
    ['not base64', 'whsec_not base64 at all!!'],
  ])('refuse a secret with %s', (_name, secret) => {
    expect(() => webhookSecretKey(secret)).toThrow(/webhook secret/);
  });
});

describe('signed webhook requests', () => {
  const notification = alertNotification('alert.firing');
  const attemptAt = new Date();

  it('verify with the standardwebhooks package, as a receiver would', () => {
    const secret = generateWebhookSecret();
    const request = webhookRequest(notification, { secrets: [secret], attemptAt });
    const payload = new Webhook(secret).verify(request.body, request.headers) as Record<string, unknown>;
    expect(payload).toMatchObject({
      type: 'alert.firing',
      timestamp: notification.createdAt,
      data: {
        id: notification.id,
        tenant_id: 'ten_acme',
        severity: 'critical',
        value: 7.5,
        threshold: 5,
        unit: '%',
      },
    });
    expect(request.headers['webhook-id']).toBe(notification.id);
    expect(request.headers['webhook-timestamp']).toBe(String(Math.floor(attemptAt.getTime() / 1000)));
  });

  it('sign with every secret during a rotation; a receiver holding either one accepts', () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const request = webhookRequest(notification, { secrets: [newSecret, oldSecret], attemptAt });
    expect(request.headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const secret of [oldSecret, newSecret]) {
      expect(() => new Webhook(secret).verify(request.body, request.headers)).not.toThrow();
    }
    expect(() => new Webhook(generateWebhookSecret()).verify(request.body, request.headers)).toThrow(
      WebhookVerificationError,
    );
  });

  it('fail verification when the body is altered', () => {
    const secret = generateWebhookSecret();
    const request = webhookRequest(notification, { secrets: [secret], attemptAt });
    const tampered = request.body.replace('"critical"', '"info"');
    expect(tampered).not.toBe(request.body);
    expect(() => new Webhook(secret).verify(tampered, request.headers)).toThrow(WebhookVerificationError);
  });

  it('keep the webhook-id on a retry and sign the retry with its own time', () => {
    const secret = generateWebhookSecret();
    const first = webhookRequest(notification, {
      secrets: [secret],
      attemptAt: new Date(attemptAt.getTime() - 7_200_000),
    });
    const retry = webhookRequest(notification, { secrets: [secret], attemptAt });
    expect(retry.headers['webhook-id']).toBe(first.headers['webhook-id']);
    expect(retry.body).toBe(first.body);
    expect(() => new Webhook(secret).verify(retry.body, retry.headers)).not.toThrow();
    // Two hours old: outside the receiver's ±5 minutes, as a replayed request should be.
    expect(() => new Webhook(secret).verify(first.body, first.headers)).toThrow(/timestamp/i);
  });

  it("stay near the spec's ~20 KB even at every bound of the body schema", () => {
    const largest = alertNotification('alert.firing', {
      title: 't'.repeat(BODY_LIMITS.title),
      summary: 's'.repeat(BODY_LIMITS.summary),
      links: Array.from({ length: BODY_LIMITS.links }, (_, i) => ({
        href: `https://app.meterhouse.example/${'h'.repeat(BODY_LIMITS.href - 40)}/${i}`,
        text: 'x'.repeat(BODY_LIMITS.text),
      })),
      details: Object.fromEntries(
        Array.from({ length: BODY_LIMITS.details }, (_, i) => [
          `${i}`.padStart(BODY_LIMITS.detailKey, 'k'),
          'v'.repeat(BODY_LIMITS.detailValue),
        ]),
      ),
    });
    expect(notificationSchema.safeParse(largest).success).toBe(true);
    const { body } = webhookRequest(largest, { secrets: [generateWebhookSecret()], attemptAt });
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(20 * 1024);
  });

  it('match the signature standardwebhooks computes for the same id, time and body', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-11-23T10:05:00Z');
    const body = '{"type":"test","timestamp":"2026-11-23T10:05:00Z","data":{}}';
    expect(webhookSignature({ id: 'ntf_x', timestampSeconds: at.getTime() / 1000, body }, [secret])).toBe(
      new Webhook(secret).sign('ntf_x', at, body),
    );
    expect(() => webhookSignature({ id: 'ntf_x', timestampSeconds: 0, body }, [])).toThrow(/at least one/);
  });
});
