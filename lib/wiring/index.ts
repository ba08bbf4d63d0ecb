// A package import, so that the stack can swap the cloud wiring for a function that binds no store
// (infra/cdk/bundling.ts): its bundle then holds no SDK client at all.
import { cloudRuntime } from '#lib/wiring/cloud.ts';
import type { Runtime } from './runtime.ts';

export { Runtime } from './runtime.ts';

let current: Runtime | undefined;

/** The local runtime, `invoke` and tests install their runtime before any handler runs. */
export function installRuntime(runtime: Runtime | undefined): void {
  current = runtime;
}

/** The container's runtime: the installed one, else the cloud wiring built once from the environment. */
export function runtime(): Runtime {
  current ??= cloudRuntime();
  return current;
}
