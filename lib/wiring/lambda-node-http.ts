import { createRequire } from 'node:module';

/**
 * Stands in for `node:http` in the Lambda bundles (an esbuild alias, infra/cdk/bundling.ts). On
 * Node 24 an ESM `import … from 'node:http'` builds the module's ESM facade, which reads every
 * export, lazy ones included, and so loads the bundled undici (for `WebSocket` and friends): about
 * 35 ms of every cold start, for the one `STATUS_CODES` table @middy/util imports. `require` hands
 * out the CommonJS module without reading its lazy getters. A bundled package that imports another
 * name from `node:http` fails the build until it is added here.
 */
const http = createRequire(import.meta.url)('node:http') as typeof import('node:http');

export const STATUS_CODES = http.STATUS_CODES;
