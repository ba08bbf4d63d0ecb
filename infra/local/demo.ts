import type { CreatedTenant } from '#lib/domain/tenants.ts';
import type { Runtime } from '#lib/wiring/runtime.ts';

/**
 * Demo data for the demo tenant of `npm start`: its registry and several days of realistic usage
 * events, written through the same services the API uses.
 */
export async function seedDemoData(_runtime: Runtime, _tenant: CreatedTenant, _now: Date): Promise<void> {
  // Filled in by the ingest (events) and registry (operators, connectors, accounts) work.
}
