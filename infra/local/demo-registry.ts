import { type ApiKeyInput, createKey } from '#lib/domain/registry/api-key-admin.ts';
import type { RegistryPorts } from '#lib/domain/registry/entities.ts';
import { createPricePlan } from '#lib/domain/registry/price-plan-service.ts';
import type { UnitPrice } from '#lib/domain/registry/price-plans.ts';
import { accounts, connections, connectors, operators, projects } from '#lib/domain/registry/registry.ts';
import { putSettings } from '#lib/domain/registry/settings.ts';
import type { ConnectionStatus, OperatorStatus } from '#lib/domain/registry/types.ts';
import type { CreatedTenant } from '#lib/domain/tenants.ts';
import type { Runtime } from '#lib/wiring/runtime.ts';

/**
 * The demo tenant's registry, created through the same services the platform API uses. Its ids
 * are what the demo events (demo-events.ts) carry, so that registry and usage tell one story;
 * the price plan prices the endpoint categories, models and event types those events use.
 */
export interface DemoRegistry {
  /** Every operator id; `suspendedOperators` lists the suspended ones. */
  operators: string[];
  suspendedOperators: string[];
  connectors: string[];
  connections: { id: string; operatorId: string; connectorId: string; status: ConnectionStatus }[];
  accounts: { id: string; operatorId: string; projectIds: string[] }[];
  projects: string[];
  apiKeyIds: string[];
  /** The account keys, full key included (local demo only; shown once like any new key). */
  apiKeys: { keyId: string; key: string; accountId: string; projectId: string | null }[];
  pricePlanId: string;
}

const PROJECTS = [
  { id: 'platform', name: 'Platform API', description: 'The public scores, identity and achievements API' },
  { id: 'bot', name: 'Support Bot', description: 'LLM assistant answering customer questions' },
  { id: 'commerce', name: 'Commerce', description: 'Checkout, orders and payment notifications' },
  { id: 'internal', name: 'Internal Tools', description: 'Back-office automation and reporting' },
];

const OPERATORS: { id: string; name: string; status: OperatorStatus; contactEmail: string }[] = [
  {
    id: 'op-carrier-alpha-uk',
    name: 'Carrier Alpha UK',
    status: 'active',
    contactEmail: 'noc@carrier-alpha.example.co.uk',
  },
  {
    id: 'op-nordic-mobile-se',
    name: 'Nordic Mobile SE',
    status: 'active',
    contactEmail: 'ops@nordicmobile.example.se',
  },
  {
    id: 'op-iberia-telecom-es',
    name: 'Iberia Telecom ES',
    status: 'active',
    contactEmail: 'soporte@iberiatel.example.es',
  },
  {
    id: 'op-atlas-connect-de',
    name: 'Atlas Connect DE',
    status: 'active',
    contactEmail: 'betrieb@atlas-connect.example.de',
  },
  {
    id: 'op-maple-link-ca',
    name: 'Maple Link CA',
    status: 'active',
    contactEmail: 'support@maplelink.example.ca',
  },
  {
    id: 'op-pacific-wave-au',
    name: 'Pacific Wave AU',
    status: 'suspended',
    contactEmail: 'ops@pacificwave.example.com.au',
  },
];

const CONNECTORS = [
  {
    id: 'conn-sms-gateway',
    name: 'SMS Gateway',
    category: 'messaging',
    description: 'Outbound SMS with delivery receipts',
  },
  {
    id: 'conn-whatsapp',
    name: 'WhatsApp Business',
    category: 'messaging',
    description: 'WhatsApp Business Platform',
  },
  {
    id: 'conn-stripe',
    name: 'Stripe Payments',
    category: 'payments',
    description: 'Card payments and refunds',
  },
  { id: 'conn-salesforce', name: 'Salesforce CRM', category: 'crm', description: 'Contact and case sync' },
  { id: 'conn-openai', name: 'OpenAI', category: 'ai', description: 'Model calls through the gateway' },
];

/** [operator, connector, status]: every operator on SMS, some on more, a few switched off. */
const CONNECTIONS: [string, string, ConnectionStatus][] = [
  ['op-carrier-alpha-uk', 'conn-sms-gateway', 'active'],
  ['op-carrier-alpha-uk', 'conn-whatsapp', 'active'],
  ['op-carrier-alpha-uk', 'conn-stripe', 'active'],
  ['op-nordic-mobile-se', 'conn-sms-gateway', 'active'],
  ['op-nordic-mobile-se', 'conn-salesforce', 'inactive'],
  ['op-iberia-telecom-es', 'conn-sms-gateway', 'active'],
  ['op-iberia-telecom-es', 'conn-whatsapp', 'active'],
  ['op-atlas-connect-de', 'conn-sms-gateway', 'active'],
  ['op-atlas-connect-de', 'conn-openai', 'active'],
  ['op-atlas-connect-de', 'conn-stripe', 'inactive'],
  ['op-maple-link-ca', 'conn-sms-gateway', 'active'],
  ['op-maple-link-ca', 'conn-salesforce', 'active'],
  ['op-pacific-wave-au', 'conn-sms-gateway', 'inactive'],
];

const ACCOUNTS = [
  {
    id: 'acct-northwind',
    name: 'Northwind Retail',
    operatorId: 'op-carrier-alpha-uk',
    projectIds: ['commerce', 'platform'],
  },
  {
    id: 'acct-brightpath',
    name: 'BrightPath Learning',
    operatorId: 'op-carrier-alpha-uk',
    projectIds: ['bot'],
  },
  {
    id: 'acct-fjord-bank',
    name: 'Fjord Bank',
    operatorId: 'op-nordic-mobile-se',
    projectIds: ['platform', 'internal'],
  },
  { id: 'acct-solvik', name: 'Solvik Energy', operatorId: 'op-nordic-mobile-se', projectIds: ['platform'] },
  {
    id: 'acct-mercado-sol',
    name: 'Mercado Sol',
    operatorId: 'op-iberia-telecom-es',
    projectIds: ['commerce'],
  },
  {
    id: 'acct-clinica-norte',
    name: 'Clínica Norte',
    operatorId: 'op-iberia-telecom-es',
    projectIds: ['bot', 'platform'],
  },
  {
    id: 'acct-rheinlogistik',
    name: 'Rhein Logistik',
    operatorId: 'op-atlas-connect-de',
    projectIds: ['platform', 'internal'],
  },
  {
    id: 'acct-kaffeehaus',
    name: 'Kaffeehaus Online',
    operatorId: 'op-atlas-connect-de',
    projectIds: ['commerce', 'bot'],
  },
  {
    id: 'acct-true-north',
    name: 'True North Travel',
    operatorId: 'op-maple-link-ca',
    projectIds: ['bot', 'commerce'],
  },
  {
    id: 'acct-coral-coast',
    name: 'Coral Coast Surf',
    operatorId: 'op-pacific-wave-au',
    projectIds: ['commerce'],
  },
];

const KEYS: (ApiKeyInput & { accountId: string })[] = [
  {
    role: 'account',
    name: 'Northwind storefront',
    accountId: 'acct-northwind',
    projectId: 'commerce',
    rateLimits: { requestsPerMinute: 100, requestsPerHour: 1000, requestsPerDay: 10000 },
  },
  {
    role: 'account',
    name: 'BrightPath tutor bot',
    accountId: 'acct-brightpath',
    projectId: 'bot',
    rateLimits: { requestsPerMinute: 60, requestsPerHour: 2000, requestsPerDay: 20000 },
  },
  {
    role: 'account',
    name: 'Fjord Bank integration',
    accountId: 'acct-fjord-bank',
    rateLimits: { requestsPerMinute: 300, requestsPerHour: 10000, requestsPerDay: 150000 },
  },
  {
    role: 'account',
    name: 'Rhein Logistik tracking',
    accountId: 'acct-rheinlogistik',
    projectId: 'platform',
    rateLimits: { requestsPerMinute: 120, requestsPerHour: 5000, requestsPerDay: 60000 },
  },
];

/** Default prices per metric, and prices for the endpoint categories, models and event types of the demo events. */
const PRICES: UnitPrice[] = [
  { metric: 'api_call', unitPrice: '0.0004' },
  { metric: 'api_call', dimensionValue: 'identity', unitPrice: '0.0010' },
  { metric: 'api_call', dimensionValue: 'achievements', unitPrice: '0.0006' },
  { metric: 'gateway_request', unitPrice: '0.0002' },
  { metric: 'gateway_request', dimensionValue: 'conn-openai', unitPrice: '0.0005' },
  { metric: 'event_ingested', unitPrice: '0.00005' },
  { metric: 'event_ingested', dimensionValue: 'payment.captured', unitPrice: '0.0001' },
  { metric: 'storage_gb_month', unitPrice: '0.023' },
  { metric: 'input_tokens_1k', unitPrice: '0.002' },
  { metric: 'input_tokens_1k', dimensionValue: 'claude-sonnet-4-5', unitPrice: '0.003' },
  { metric: 'input_tokens_1k', dimensionValue: 'gpt-4o', unitPrice: '0.0025' },
  { metric: 'input_tokens_1k', dimensionValue: 'llama-3.1-70b', unitPrice: '0.0006' },
  { metric: 'output_tokens_1k', unitPrice: '0.008' },
  { metric: 'output_tokens_1k', dimensionValue: 'claude-sonnet-4-5', unitPrice: '0.015' },
  { metric: 'output_tokens_1k', dimensionValue: 'gpt-4o', unitPrice: '0.010' },
  { metric: 'output_tokens_1k', dimensionValue: 'llama-3.1-70b', unitPrice: '0.0006' },
  { metric: 'message_segment', unitPrice: '0.0065' },
];

/** Seeds a new tenant's registry (ids are fixed, so a second run on the same tenant answers 409s). */
export async function seedDemoRegistry(
  runtime: Runtime,
  tenant: CreatedTenant,
  now: Date,
): Promise<DemoRegistry> {
  const ports: RegistryPorts = {
    registry: runtime.registry,
    apiKeys: runtime.apiKeys,
    tenants: runtime.tenants,
    clock: () => now,
  };
  const { tenantId } = tenant;
  await putSettings(ports, tenantId, {
    name: tenant.name,
    contactEmail: 'platform-team@example.com',
    billingEmail: 'billing@example.com',
    webhookUrl: 'https://hooks.example.com/meterhouse',
    website: 'https://www.example.com',
    timezone: 'Europe/London',
    defaultCurrency: 'EUR',
  });
  for (const project of PROJECTS) await projects.create(ports, tenantId, project);
  for (const operator of OPERATORS) await operators.create(ports, tenantId, operator);
  for (const connector of CONNECTORS) await connectors.create(ports, tenantId, connector);
  const createdConnections: DemoRegistry['connections'] = [];
  for (const [operatorId, connectorId, status] of CONNECTIONS) {
    const connection = await connections.create(ports, tenantId, {
      id: `${operatorId}.${connectorId}`,
      operatorId,
      connectorId,
      status,
    });
    createdConnections.push({ id: connection.id, operatorId, connectorId, status });
  }
  for (const account of ACCOUNTS) await accounts.create(ports, tenantId, account);
  const apiKeys: DemoRegistry['apiKeys'] = [];
  for (const input of KEYS) {
    const { view, key } = await createKey(ports, tenantId, input);
    apiKeys.push({ keyId: view.keyId, key, accountId: input.accountId, projectId: view.projectId });
  }
  const plan = await createPricePlan(ports, tenantId, {
    id: 'standard',
    name: 'Standard',
    description: 'List prices for every operator',
    validFrom: new Date(Date.UTC(now.getUTCFullYear() - 1, 0, 1)).toISOString(),
    prices: PRICES,
  });
  return {
    operators: OPERATORS.map((o) => o.id),
    suspendedOperators: OPERATORS.filter((o) => o.status === 'suspended').map((o) => o.id),
    connectors: CONNECTORS.map((c) => c.id),
    connections: createdConnections,
    accounts: ACCOUNTS.map(({ id, operatorId, projectIds }) => ({ id, operatorId, projectIds })),
    projects: PROJECTS.map((p) => p.id),
    apiKeyIds: apiKeys.map((k) => k.keyId),
    apiKeys,
    pricePlanId: plan.id,
  };
}
