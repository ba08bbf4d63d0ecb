import { createHmac, randomBytes } from 'node:crypto';
import type { RenderableNotification } from './presentation.ts';

/**
 * Standard Webhooks (https://www.standardwebhooks.com): the body, the three headers and the
 * signing secret. A receiver verifies with any Standard Webhooks library (the tests use the
 * `standardwebhooks` package) and drops a redelivery by its `webhook-id`.
 */

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** The spec asks for 24 to 64 random bytes; 32 is the HMAC-SHA256 key size. */
export const WEBHOOK_SECRET_BYTES = 32;
const MIN_SECRET_BYTES = 24;
const MAX_SECRET_BYTES = 64;

/** A new signing secret, `whsec_<base64>`: shown to the owner once, stored only encrypted. */
export function generateWebhookSecret(): string {
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(WEBHOOK_SECRET_BYTES).toString('base64')}`;
}

/** The key bytes of a `whsec_` secret; throws on anything else (a secret we never issued). */
export function webhookSecretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) throw new Error('webhook secret must start with whsec_');
  const encoded = secret.slice(WEBHOOK_SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) {
    throw new Error('webhook secret must be base64 after whsec_');
  }
  const key = Buffer.from(encoded, 'base64');
  if (key.length < MIN_SECRET_BYTES || key.length > MAX_SECRET_BYTES) {
    throw new Error(`webhook secret must hold ${MIN_SECRET_BYTES} to ${MAX_SECRET_BYTES} bytes`);
  }
  return key;
}

/**
 * `webhook-signature`: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` for each secret, joined by
 * spaces. During a rotation the channel holds the new secret and the old one; signing with both
 * lets receivers switch secrets whenever they like without rejecting anything meanwhile.
 */
export function webhookSignature(
  message: { id: string; timestampSeconds: number; body: string },
  secrets: readonly string[],
): string {
  if (secrets.length === 0) throw new Error('a webhook needs at least one signing secret');
  const signed = `${message.id}.${message.timestampSeconds}.${message.body}`;
  return secrets
    .map(
      (secret) =>
        `v1,${createHmac('sha256', webhookSecretKey(secret)).update(signed, 'utf8').digest('base64')}`,
    )
    .join(' ');
}

/**
 * The body: `{"type","timestamp","data"}`. `type` is the notification kind (already a dotted
 * name), `timestamp` when it happened (not the attempt's time), `data` the facts in the channel
 * family's snake_case.
 */
export function webhookBody(notification: RenderableNotification): string {
  const { body } = notification;
  const data = {
    id: notification.id,
    tenant_id: notification.tenantId,
    kind: notification.kind,
    title: body.title,
    summary: body.summary,
    severity: body.severity,
    metric: body.metric,
    value: body.value,
    threshold: body.threshold,
    unit: body.unit,
    window: body.window,
    project: body.project,
    tenant_name: body.tenantName,
    links: body.links,
    incident:
      body.incident === undefined
        ? undefined
        : { dedup_key: body.incident.dedupKey, firing_since: body.incident.firingSince },
    details: body.details,
  };
  return JSON.stringify({ type: notification.kind, timestamp: notification.createdAt, data });
}

export interface WebhookRequest {
  body: string;
  headers: Record<'content-type' | 'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string>;
}

/**
 * One attempt's request. `webhook-id` is the notification id on every attempt (receivers
 * de-duplicate on it); `webhook-timestamp` is this attempt's time, so a retry hours later still
 * passes the receiver's ±5 minute replay window.
 */
export function webhookRequest(
  notification: RenderableNotification,
  signing: { secrets: readonly string[]; attemptAt: Date },
): WebhookRequest {
  const body = webhookBody(notification);
  const timestampSeconds = Math.floor(signing.attemptAt.getTime() / 1_000);
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': notification.id,
      'webhook-timestamp': String(timestampSeconds),
      'webhook-signature': webhookSignature({ id: notification.id, timestampSeconds, body }, signing.secrets),
    },
  };
}
