import { Runtime, unboundStore } from './runtime.ts';

/**
 * The cloud wiring of a function that binds no store (health-live, route-not-found): the stack
 * bundles it in place of cloud.ts (an esbuild alias, infra/cdk/bundling.ts), so the function's
 * bundle holds no SDK client. Reaching a store from it is a wiring bug and says so.
 */
export function cloudRuntime(): Runtime {
  return new Runtime({
    configTable: () => unboundStore('config:read or config:write'),
    timeSeries: () => unboundStore('timeseries:read or timeseries:write'),
  });
}
