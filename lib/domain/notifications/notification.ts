import { createHash } from 'node:crypto';
import * as z from 'zod';

/**
 * A notification: what the deciding side (alert, budget and billing jobs, the channel test route)
 * hands the publisher port. It says what happened and to whom; how each channel renders it lives in
 * `lib/notify/`. Its `id` is derived from its cause, so a re-run of the same evaluation yields the
 * same id, and every layer below (SNS message, ledger item, `webhook-id`) de-duplicates on it.
 */

export const NOTIFICATION_KINDS = [
  'alert.firing',
  'alert.resolved',
  'alert.repeat',
  'budget.threshold',
  'budget.forecast',
  'budget.exceeded',
  'billing.statement.ready',
  'test',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** PagerDuty's four severities; Slack and webhooks show the same word. */
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CHANNEL_TYPES = ['slack', 'pagerduty', 'webhook'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * Bounds that keep one rendered message well inside every receiver's limits (a Standard Webhooks
 * body of ~20 KB at most, SNS's 256 KB) before any channel format truncates for its own limits.
 */
export const BODY_LIMITS = {
  title: 200,
  summary: 2_000,
  text: 200,
  href: 1_000,
  links: 5,
  details: 20,
  detailKey: 64,
  detailValue: 256,
  id: 128,
} as const;

const idString = z.string().min(1).max(BODY_LIMITS.id);
const isoDateTime = z.iso.datetime({ offset: false });
const shortText = z.string().min(1).max(BODY_LIMITS.text);
/** A number, or a decimal string where the value is money (exact, never a float). */
const quantity = z.union([z.number().finite(), z.string().regex(/^-?\d+(\.\d+)?$/)]);

export const channelTargetSchema = z.object({ channelId: idString, type: z.enum(CHANNEL_TYPES) }).strict();
export type ChannelTarget = z.infer<typeof channelTargetSchema>;

export const notificationLinkSchema = z
  .object({
    href: z.url({ protocol: /^https?$/ }).max(BODY_LIMITS.href),
    text: shortText,
  })
  .strict();
export type NotificationLink = z.infer<typeof notificationLinkSchema>;

export const notificationBodySchema = z
  .object({
    title: z.string().min(1).max(BODY_LIMITS.title),
    summary: z.string().max(BODY_LIMITS.summary),
    severity: z.enum(SEVERITIES),
    /** The metric a rule or budget watches, e.g. `error_rate` or `cost`. */
    metric: shortText.optional(),
    value: quantity.optional(),
    threshold: quantity.optional(),
    /** Unit of `value` and `threshold`: `USD`, `%`, `ms`, `requests`… */
    unit: z.string().min(1).max(16).optional(),
    /** The evaluated window, `from` inclusive, `to` exclusive (UTC). */
    window: z.object({ from: isoDateTime, to: isoDateTime }).strict().optional(),
    project: shortText.optional(),
    tenantName: shortText.optional(),
    /** The first link is the way back into the product; channels show it most prominently. */
    links: z.array(notificationLinkSchema).max(BODY_LIMITS.links),
    /**
     * For alert kinds: the incident this notification belongs to. `dedupKey` is the same for the
     * firing, every repeat and the resolve of one incident (PagerDuty correlates on it).
     */
    incident: z
      .object({ dedupKey: z.string().min(1).max(255), firingSince: isoDateTime })
      .strict()
      .optional(),
    details: z
      .record(
        z.string().min(1).max(BODY_LIMITS.detailKey),
        z.union([z.string().max(BODY_LIMITS.detailValue), z.number().finite(), z.boolean(), z.null()]),
      )
      .refine((record) => Object.keys(record).length <= BODY_LIMITS.details, {
        message: `at most ${BODY_LIMITS.details} details`,
      })
      .optional(),
  })
  .strict();
export type NotificationBody = z.infer<typeof notificationBodySchema>;

export const NOTIFICATION_ID_PATTERN = /^ntf_[a-z2-7]{26}$/;

export const notificationSchema = z
  .object({
    id: z.string().regex(NOTIFICATION_ID_PATTERN),
    tenantId: idString,
    kind: z.enum(NOTIFICATION_KINDS),
    createdAt: isoDateTime,
    body: notificationBodySchema,
    targets: z.array(channelTargetSchema).min(1).max(20),
  })
  .strict();
export type Notification = z.infer<typeof notificationSchema>;

/** What caused a notification: enough to tell it apart from every other one, and nothing more. */
export interface NotificationCause {
  tenantId: string;
  kind: NotificationKind;
  /** The alert rule, budget, statement or channel (for `test`) that caused it. */
  sourceId: string;
  /** The group value of a grouped alert rule, or the threshold of a budget; '' when there is none. */
  group?: string;
  /** The time of the cause: the evaluation time of a transition, the period of a statement. */
  at: Date;
}

/**
 * `ntf_` + 26 base32 characters (130 bits) of SHA-256 over the cause as a JSON array: an array of
 * strings has one serialization, so the same cause always hashes the same and no two fields can
 * run into each other (`a|b` + `c` vs `a` + `b|c`).
 */
export function notificationId(cause: NotificationCause): string {
  const tuple = [cause.tenantId, cause.kind, cause.sourceId, cause.group ?? '', cause.at.toISOString()];
  return `ntf_${base32(sha256(JSON.stringify(tuple))).slice(0, 26)}`;
}

/**
 * One PagerDuty dedup_key per incident: rule + group value + the time it started firing. The firing,
 * its repeats and its resolve carry it, and the next incident of the same rule and group (a new
 * `firingSince`) gets a new one: after a resolve PagerDuty opens a new alert for a reused key anyway.
 * Hashed rather than spelt out, so a group value (which may name a customer) never reaches
 * PagerDuty's key, and the key has a fixed length (39) far below PagerDuty's 255.
 */
export function incidentDedupKey(incident: {
  tenantId: string;
  ruleId: string;
  groupValue?: string;
  firingSince: Date;
}): string {
  const tuple = [
    incident.tenantId,
    incident.ruleId,
    incident.groupValue ?? '',
    incident.firingSince.toISOString(),
  ];
  return `mh_inc_${base32(sha256(JSON.stringify(tuple))).slice(0, 32)}`;
}

/** The dedup key a channel sends: the incident's for alerts, else the notification's own id. */
export function dedupKeyOf(notification: Pick<Notification, 'id' | 'body'>): string {
  return notification.body.incident?.dedupKey ?? notification.id;
}

/**
 * The body of one SNS message: one notification for one channel target (the publisher sends one
 * message per target, with message attributes `kind` and `channel`). The delivery Lambda parses
 * what it receives with `parseDeliveryMessage` before trusting any of it.
 */
export const deliveryMessageSchema = z
  .object({
    version: z.literal(1),
    notification: notificationSchema.omit({ targets: true }),
    target: channelTargetSchema,
  })
  .strict();
export type DeliveryMessage = z.infer<typeof deliveryMessageSchema>;

/** SNS refuses messages over 256 KiB (body and attributes together); leave room for attributes. */
export const MAX_DELIVERY_MESSAGE_BYTES = 250 * 1024;

export function toDeliveryMessages(notification: Notification): DeliveryMessage[] {
  const { targets, ...rest } = notification;
  return targets.map((target) => ({ version: 1, notification: rest, target }));
}

export function serializeDeliveryMessage(message: DeliveryMessage): string {
  const json = JSON.stringify(message);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_DELIVERY_MESSAGE_BYTES) {
    throw new RangeError(`delivery message ${message.notification.id} is ${bytes} bytes, over SNS's limit`);
  }
  return json;
}

export type ParsedDeliveryMessage = { ok: true; message: DeliveryMessage } | { ok: false; reason: string };

export function parseDeliveryMessage(raw: string): ParsedDeliveryMessage {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'message is not JSON' };
  }
  const parsed = deliveryMessageSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}` };
  }
  return { ok: true, message: parsed.data };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lower case, no padding: safe in URLs, DynamoDB keys and PagerDuty. */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
