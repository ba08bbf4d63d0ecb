import { NotFoundError } from '../errors.ts';
import type { RateLimit, RateLimitOverrides } from '../rate-limit.ts';
import type { Role } from '../roles.ts';
import { type RegistryPorts, versionConflict } from './entities.ts';
import type { PlatformSettings, Stored } from './types.ts';

/**
 * The platform profile: one per tenant, replaced as a whole by PUT. Before the first PUT the
 * profile is the tenant's name with defaults, at version 0 (so `If-Match: 0` means "only if
 * nobody has set it yet").
 */
export const SETTINGS_ID = 'profile';
export const DEFAULT_TIMEZONE = 'UTC';
export const DEFAULT_CURRENCY = 'USD';

const TIME_ZONES = new Set([...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC']);
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An IANA zone name the runtime knows (`Europe/London`, `UTC`); offsets and abbreviations are not zones. */
export function isTimeZone(value: string): boolean {
  return TIME_ZONES.has(value);
}

/** An ISO 4217 alphabetic code the runtime knows (`EUR`). */
export function isCurrency(value: string): boolean {
  return /^[A-Z]{3}$/.test(value) && CURRENCIES.has(value);
}

export interface SettingsInput {
  name: string;
  contactEmail: string;
  billingEmail?: string;
  webhookUrl?: string;
  website?: string;
  timezone?: string;
  defaultCurrency?: string;
  rateLimits?: RateLimitOverrides;
}

export interface SettingsView {
  name: string;
  contactEmail: string | null;
  billingEmail: string | null;
  webhookUrl: string | null;
  website: string | null;
  timezone: string;
  defaultCurrency: string;
  /** The tenant's own limit per role; null where the role's default applies. */
  rateLimits: Record<Role, RateLimit | null>;
  version: number;
  updatedAt: string | null;
}

function rateLimitsView(overrides: RateLimitOverrides | undefined): Record<Role, RateLimit | null> {
  return {
    platform: overrides?.platform ?? null,
    ingest: overrides?.ingest ?? null,
    account: overrides?.account ?? null,
  };
}

/** The tenant's rate limit overrides (the rate limiter reads them through a short cache). */
export async function rateLimitOverrides(
  ports: Pick<RegistryPorts, 'registry'>,
  tenantId: string,
): Promise<RateLimitOverrides | undefined> {
  return (await ports.registry.settings.get(tenantId, SETTINGS_ID))?.rateLimits;
}

function view(settings: Stored<PlatformSettings>): SettingsView {
  return {
    name: settings.name,
    contactEmail: settings.contactEmail,
    billingEmail: settings.billingEmail ?? null,
    webhookUrl: settings.webhookUrl ?? null,
    website: settings.website ?? null,
    timezone: settings.timezone,
    defaultCurrency: settings.defaultCurrency,
    rateLimits: rateLimitsView(settings.rateLimits),
    version: settings.version,
    updatedAt: settings.updatedAt,
  };
}

export async function getSettings(ports: RegistryPorts, tenantId: string): Promise<SettingsView> {
  const stored = await ports.registry.settings.get(tenantId, SETTINGS_ID);
  if (stored) return view(stored);
  const tenant = await ports.tenants.get(tenantId);
  if (!tenant) throw new NotFoundError('TENANT_NOT_FOUND', `No tenant ${tenantId}`);
  return {
    name: tenant.name,
    contactEmail: null,
    billingEmail: null,
    webhookUrl: null,
    website: null,
    timezone: DEFAULT_TIMEZONE,
    defaultCurrency: DEFAULT_CURRENCY,
    rateLimits: rateLimitsView(undefined),
    version: 0,
    updatedAt: null,
  };
}

/** The currency new price plans get unless they name one. */
export async function defaultCurrency(ports: RegistryPorts, tenantId: string): Promise<string> {
  return (await ports.registry.settings.get(tenantId, SETTINGS_ID))?.defaultCurrency ?? DEFAULT_CURRENCY;
}

/** Replaces the profile: fields left out are cleared (or back to their defaults). */
export async function putSettings(
  ports: RegistryPorts,
  tenantId: string,
  input: SettingsInput,
  expectedVersion?: number,
): Promise<SettingsView> {
  const repository = ports.registry.settings;
  const attempts = expectedVersion === undefined ? 3 : 1;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const current = await repository.get(tenantId, SETTINGS_ID);
    const currentVersion = current?.version ?? 0;
    if (expectedVersion !== undefined && currentVersion !== expectedVersion) {
      throw versionConflict('settings', 'of this platform');
    }
    const now = ports.clock().toISOString();
    const next: Stored<PlatformSettings> = {
      id: SETTINGS_ID,
      name: input.name,
      contactEmail: input.contactEmail,
      ...(input.billingEmail === undefined ? {} : { billingEmail: input.billingEmail }),
      ...(input.webhookUrl === undefined ? {} : { webhookUrl: input.webhookUrl }),
      ...(input.website === undefined ? {} : { website: input.website }),
      timezone: input.timezone ?? DEFAULT_TIMEZONE,
      defaultCurrency: input.defaultCurrency ?? DEFAULT_CURRENCY,
      ...(input.rateLimits === undefined ? {} : { rateLimits: input.rateLimits }),
      version: currentVersion + 1,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    const written = current
      ? await repository.replace(tenantId, next, current.version)
      : await repository.create(tenantId, next);
    if (written) return view(next);
  }
  throw versionConflict('settings', 'of this platform');
}
