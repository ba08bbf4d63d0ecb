import type { ConfigStores } from './config-stores.ts';
import { unboundStore } from './runtime.ts';

/**
 * The config-table repositories of a function without a config binding: the stack bundles this in
 * place of config-stores.ts (an esbuild alias, infra/cdk/bundling.ts), leaving the DynamoDB SDK out.
 */
export function configStores(): ConfigStores {
  return unboundStore('config:read or config:write');
}
