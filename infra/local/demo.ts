import type { CreatedTenant } from '#lib/domain/tenants.ts';
import type { Runtime } from '#lib/wiring/runtime.ts';
import { seedDemoEvents } from './demo-events.ts';
import { type DemoRegistry, seedDemoRegistry } from './demo-registry.ts';

export interface DemoData {
  registry: DemoRegistry;
  events: number;
}

/**
 * Demo data for the demo tenant of `npm start`: a registry (operators in both states, connectors
 * with active and inactive connections, accounts, keys with rate limits, a price plan) and seven
 * days of usage events that refer to it, written through the same services the API uses.
 */
export async function seedDemoData(runtime: Runtime, tenant: CreatedTenant, now: Date): Promise<DemoData> {
  const registry = await seedDemoRegistry(runtime, tenant, now);
  const events = await seedDemoEvents(runtime.timeSeries, tenant.tenantId, registry, {
    now,
    days: Number(process.env.METERHOUSE_DEMO_DAYS ?? 7),
    peakPerMinute: Number(process.env.METERHOUSE_DEMO_PEAK_PER_MINUTE ?? 60),
  });
  return { registry, events };
}
