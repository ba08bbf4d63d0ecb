import type { RateLimitOverrides } from '../rate-limit.ts';
/**
 * The registry of a tenant: who its operators are, which connectors they are connected to, their
 * accounts and projects, and the platform's own profile. Events name these by id (`operatorId`,
 * `connectorId`, `accountId`, `projectId`), so an id is the client's own when it gives one.
 */
export const OPERATOR_STATUSES = ['active', 'suspended'] as const;
export type OperatorStatus = (typeof OPERATOR_STATUSES)[number];

export const CONNECTION_STATUSES = ['active', 'inactive'] as const;
export type ConnectionStatus = (typeof CONNECTION_STATUSES)[number];

/** Every stored resource carries these; `version` starts at 1 and grows by one per write. */
export interface EntityMeta {
  id: string;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface Operator {
  name: string;
  status: OperatorStatus;
  contactEmail?: string;
}

export interface Connector {
  name: string;
  category?: string;
  description?: string;
}

export interface Connection {
  operatorId: string;
  connectorId: string;
  status: ConnectionStatus;
}

export interface Account {
  name: string;
  operatorId: string;
  projectIds: string[];
}

export interface Project {
  name: string;
  description?: string;
}

export interface PlatformSettings {
  name: string;
  contactEmail: string;
  billingEmail?: string;
  webhookUrl?: string;
  website?: string;
  /** IANA time zone the platform reports in. */
  timezone: string;
  /** ISO 4217 code; the currency of new price plans unless they name their own. */
  defaultCurrency: string;
  /** Request rate limits of the tenant's keys by role, where they differ from the defaults. */
  rateLimits?: RateLimitOverrides;
}

/**
 * A stored entity: its fields, its metadata, and (for kinds with a unique key) the token of the
 * unique-key claim it was written under, which only the claim protocol reads.
 */
export type Stored<T> = T & EntityMeta & { claimToken?: string };
