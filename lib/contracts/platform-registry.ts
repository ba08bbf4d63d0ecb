import * as z from 'zod';
import { ID_PATTERN, ID_RULE } from '../domain/registry/ids.ts';
import { DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT } from '../domain/registry/paging.ts';
import { PRICE_METRICS, UNIT_PRICE_PATTERN } from '../domain/registry/price-plans.ts';
import { isCurrency, isTimeZone } from '../domain/registry/settings.ts';
import { CONNECTION_STATUSES, OPERATOR_STATUSES } from '../domain/registry/types.ts';
import { ROLES } from '../domain/roles.ts';
import { dateOrInstantParam } from './calendar.ts';

/**
 * The registry part of contracts/platform-metrics-api.txt (settings) and of the platform API
 * around it (operators, connectors, connections, accounts, projects, API keys, price plans).
 * Request schemas are strict: an unknown field is a 400, never silently dropped.
 *
 * Conventions shared by every resource: `version` (1 on create, +1 per write) is also the ETag;
 * PATCH, PUT and DELETE take `If-Match: <version>` (a stale one is 409 VERSION_CONFLICT); lists
 * take `limit` (1–200, default 50) and `cursor`, and answer `{ items, nextCursor }` (null on the
 * last page); optional fields are present as null when unset; a PATCH sends only what changes,
 * null clearing an optional field.
 */

// building blocks

export const idSchema = z.string().regex(ID_PATTERN, `must be ${ID_RULE}`);
const noControl = /^[^\p{Cc}]*$/u;
const text = (max: number) =>
  z.string().trim().min(1).max(max).regex(noControl, 'must not contain control characters');
export const nameSchema = text(200);
const emailSchema = z.email().max(254);
/** Public https URLs only (webhooks are called from the cloud: no http, no IP literals, no localhost). */
const httpsUrl = z
  .url({
    protocol: /^https$/,
    hostname: z.regexes.domain,
    error: 'must be an https URL with a public host name',
  })
  .max(2048);
const currencySchema = z.string().refine(isCurrency, 'must be an ISO 4217 currency code, e.g. EUR');
const timeZoneSchema = z.string().refine(isTimeZone, 'must be an IANA time zone, e.g. Europe/London');
const instant = dateOrInstantParam.transform((date) => date.toISOString());
const nonEmptyPatch = (value: object) => Object.keys(value).length > 0;
const NON_EMPTY = { message: 'send at least one field to change' };
const meta = {
  version: z.number().int().positive(),
  createdAt: z.string(),
  updatedAt: z.string(),
};

export const idParams = z.strictObject({ id: idSchema });
export const keyIdParams = z.strictObject({
  keyId: z.string().regex(/^key_[0-9a-f]{16}$/, 'must be a key id, e.g. key_0123456789abcdef'),
});

const pageShape = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT),
  cursor: z.string().min(1).max(2048).optional(),
};
export const pageQuery = z.strictObject(pageShape);
export const listResponse = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });

// settings

/** Defaults (lib/domain/rate-limit.ts): ingest 500/s bursts 1,000; platform 100/s bursts 1,000; account 20/s bursts 200. */
const roleRateLimit = z.strictObject({
  // Fractions allowed: 0.1 is one request every 10 s.
  requestsPerSecond: z.number().min(0.001).max(100_000),
  burst: z.number().int().min(1).max(1_000_000),
});
const roleRateLimits = z
  .strictObject({
    platform: roleRateLimit.optional(),
    ingest: roleRateLimit.optional(),
    account: roleRateLimit.optional(),
  })
  .describe('Request rate limits per API key, by role; a role left out keeps its default');

export const settingsPutBody = z.strictObject({
  name: nameSchema,
  contactEmail: emailSchema,
  billingEmail: emailSchema.nullish().transform((v) => v ?? undefined),
  webhookUrl: httpsUrl.nullish().transform((v) => v ?? undefined),
  website: httpsUrl.nullish().transform((v) => v ?? undefined),
  timezone: timeZoneSchema.nullish().transform((v) => v ?? undefined),
  defaultCurrency: currencySchema.nullish().transform((v) => v ?? undefined),
  rateLimits: roleRateLimits.nullish().transform((v) => v ?? undefined),
});
export const settingsView = z.strictObject({
  name: z.string(),
  contactEmail: z.string().nullable(),
  billingEmail: z.string().nullable(),
  webhookUrl: z.string().nullable(),
  website: z.string().nullable(),
  timezone: z.string(),
  defaultCurrency: z.string(),
  rateLimits: z
    .strictObject({
      platform: roleRateLimit.nullable(),
      ingest: roleRateLimit.nullable(),
      account: roleRateLimit.nullable(),
    })
    .describe("The tenant's own rate limit per role; null where the default applies"),
  version: z.number().int().nonnegative(),
  updatedAt: z.string().nullable(),
});

// operators

const operatorStatus = z.enum(OPERATOR_STATUSES);
export const operatorCreateBody = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema,
  status: operatorStatus.optional(),
  contactEmail: emailSchema.optional(),
});
export const operatorPatchBody = z
  .strictObject({
    name: nameSchema.optional(),
    status: operatorStatus.optional(),
    contactEmail: emailSchema.nullable().optional(),
  })
  .refine(nonEmptyPatch, NON_EMPTY);
export const operatorView = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: operatorStatus,
  contactEmail: z.string().nullable(),
  ...meta,
});

// connectors

const categorySchema = text(64);
const descriptionSchema = text(1000);
export const connectorCreateBody = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema,
  category: categorySchema.optional(),
  description: descriptionSchema.optional(),
});
export const connectorPatchBody = z
  .strictObject({
    name: nameSchema.optional(),
    category: categorySchema.nullable().optional(),
    description: descriptionSchema.nullable().optional(),
  })
  .refine(nonEmptyPatch, NON_EMPTY);
export const connectorView = z.strictObject({
  id: z.string(),
  name: z.string(),
  category: z.string().nullable(),
  description: z.string().nullable(),
  ...meta,
});

// connections

const connectionStatus = z.enum(CONNECTION_STATUSES);
export const connectionCreateBody = z.strictObject({
  id: idSchema.optional(),
  operatorId: idSchema,
  connectorId: idSchema,
  status: connectionStatus.optional(),
});
export const connectionPatchBody = z.strictObject({ status: connectionStatus });
export const connectionListQuery = z.strictObject({
  ...pageShape,
  operatorId: idSchema.optional(),
  connectorId: idSchema.optional(),
  status: connectionStatus.optional(),
});
export const connectionView = z.strictObject({
  id: z.string(),
  operatorId: z.string(),
  connectorId: z.string(),
  status: connectionStatus,
  ...meta,
});

// accounts

const projectIdsSchema = z
  .array(idSchema)
  .max(50)
  .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a project id');
export const accountCreateBody = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema,
  operatorId: idSchema,
  projectIds: projectIdsSchema.optional(),
});
export const accountPatchBody = z
  .strictObject({
    name: nameSchema.optional(),
    operatorId: idSchema.optional(),
    projectIds: projectIdsSchema.optional(),
  })
  .refine(nonEmptyPatch, NON_EMPTY);
export const accountListQuery = z.strictObject({
  ...pageShape,
  operatorId: idSchema.optional(),
  projectId: idSchema.optional(),
});
export const accountView = z.strictObject({
  id: z.string(),
  name: z.string(),
  operatorId: z.string(),
  projectIds: z.array(z.string()),
  ...meta,
});

// projects

export const projectCreateBody = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema,
  description: descriptionSchema.optional(),
});
export const projectPatchBody = z
  .strictObject({ name: nameSchema.optional(), description: descriptionSchema.nullable().optional() })
  .refine(nonEmptyPatch, NON_EMPTY);
export const projectView = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  ...meta,
});

// API keys

const limit = z.number().int().min(1).max(1_000_000_000);
export const rateLimitsSchema = z
  .strictObject({ requestsPerMinute: limit, requestsPerHour: limit, requestsPerDay: limit })
  .refine((r) => r.requestsPerMinute <= r.requestsPerHour && r.requestsPerHour <= r.requestsPerDay, {
    message: 'must satisfy requestsPerMinute ≤ requestsPerHour ≤ requestsPerDay',
  });
export const keyCreateBody = z.strictObject({
  role: z.enum(ROLES),
  name: nameSchema.optional(),
  accountId: idSchema.optional(),
  projectId: idSchema.optional(),
  rateLimits: rateLimitsSchema.optional(),
});
export const keyPatchBody = z
  .strictObject({
    name: nameSchema.nullable().optional(),
    rateLimits: rateLimitsSchema.nullable().optional(),
  })
  .refine(nonEmptyPatch, NON_EMPTY);
export const apiKeyView = z.strictObject({
  keyId: z.string(),
  name: z.string().nullable(),
  role: z.enum(ROLES),
  accountId: z.string().nullable(),
  projectId: z.string().nullable(),
  status: z.enum(['active', 'revoked']),
  hint: z.string(),
  rateLimits: z
    .strictObject({ requestsPerMinute: z.number(), requestsPerHour: z.number(), requestsPerDay: z.number() })
    .nullable(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
  version: z.number().int().positive(),
});
/** The answer to create: the view plus the full key, shown this once. */
export const apiKeyCreatedView = apiKeyView.extend({ key: z.string() });

// price plans

const unitPriceSchema = z.strictObject({
  metric: z.enum(PRICE_METRICS),
  dimensionValue: z.string().trim().min(1).max(128).regex(noControl).optional(),
  unitPrice: z
    .string()
    .regex(
      UNIT_PRICE_PATTERN,
      'must be a non-negative decimal string with at most 12 decimals, e.g. "0.0015"',
    ),
});
const pricesSchema = z.array(unitPriceSchema).min(1).max(500);
export const pricePlanCreateBody = z.strictObject({
  id: idSchema.optional(),
  name: nameSchema,
  description: descriptionSchema.optional(),
  currency: currencySchema.optional(),
  validFrom: instant,
  validTo: instant.optional(),
  prices: pricesSchema,
});
export const pricePlanPatchBody = z
  .strictObject({
    name: nameSchema.optional(),
    description: descriptionSchema.nullable().optional(),
    currency: currencySchema.optional(),
    validFrom: instant.optional(),
    validTo: instant.nullable().optional(),
    prices: pricesSchema.optional(),
  })
  .refine(nonEmptyPatch, NON_EMPTY);
export const pricePlanView = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  currency: z.string(),
  validFrom: z.string(),
  validTo: z.string().nullable(),
  prices: z.array(
    z.strictObject({
      metric: z.enum(PRICE_METRICS),
      dimensionValue: z.string().nullable(),
      unitPrice: z.string(),
    }),
  ),
  ...meta,
});
