import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import type { Binding } from '#lib/manifest-types.ts';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How every manifest Lambda is bundled: one description, read both by the stack (as NodejsFunction
 * bundling props, `cdkBundling`) and by the bundle-budget test and the cold-start bench (as esbuild
 * build options, `esbuildOptions`), so what is measured is what is deployed.
 */
export interface LambdaBundleSettings {
  target: string;
  mainFields: string[];
  /** ESM output has no `require`; bundled CommonJS dependencies still call it. */
  banner: string;
  minify: boolean;
  sourcemap: boolean;
  /** Stack traces need the mappings only; shipping the sources would double the bundle. */
  sourcesContent: boolean;
  /** Compile-time constants (esbuild `define`), keyed by the expression they replace. */
  define: Record<string, string>;
  /** Package → file substitutions (esbuild `alias`), the file given as an absolute path. */
  alias: Record<string, string>;
}

/** The flags lib/wiring/cloud.ts reads to leave unbound stores, and the SDK clients only they import, out. */
export const BUNDLE_FLAGS = {
  config: 'process.env.METERHOUSE_BUNDLE_CONFIG',
  timeseriesRead: 'process.env.METERHOUSE_BUNDLE_TIMESERIES_READ',
  timeseriesWrite: 'process.env.METERHOUSE_BUNDLE_TIMESERIES_WRITE',
} as const;

/** The bundle flags a function's manifest `binds` set: the store is in the bundle iff bound. */
export function bundleDefines(binds: readonly Binding[]): Record<string, string> {
  const has = (...any: Binding[]) => any.some((binding) => binds.includes(binding));
  const flag = (on: boolean) => JSON.stringify(String(on));
  return {
    [BUNDLE_FLAGS.config]: flag(has('config:read', 'config:write', 'config:cursor-key')),
    [BUNDLE_FLAGS.timeseriesRead]: flag(has('timeseries:read')),
    [BUNDLE_FLAGS.timeseriesWrite]: flag(has('timeseries:write')),
  };
}

/** The settings for a function with these bindings. */
export function lambdaBundleSettings(binds: readonly Binding[]): LambdaBundleSettings {
  return {
    target: 'node24',
    mainFields: ['module', 'main'],
    banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    define: bundleDefines(binds),
    alias: {
      // Lambda gives credentials in the environment; the SDK's default chain bundles ten providers.
      '@aws-sdk/credential-provider-node': `${PROJECT_ROOT}lib/wiring/lambda-credentials.ts`,
      // An ESM import of node:http loads undici at init (~35 ms); the stand-in `require`s it.
      'node:http': `${PROJECT_ROOT}lib/wiring/lambda-node-http.ts`,
      http: `${PROJECT_ROOT}lib/wiring/lambda-node-http.ts`,
      ...unboundWiring(binds),
    },
  };
}

/**
 * Wiring modules swapped for stand-ins that only say the store is not bound, where the function
 * binds no config store or no store at all: their SDK imports cannot be left out by `define`
 * alone, since @aws-sdk/lib-dynamodb has side effects at import (lib/wiring/runtime.ts).
 */
function unboundWiring(binds: readonly Binding[]): Record<string, string> {
  const wiring = (name: string) => `${PROJECT_ROOT}lib/wiring/${name}.ts`;
  const config =
    binds.includes('config:read') || binds.includes('config:write') || binds.includes('config:cursor-key');
  return {
    ...(config ? {} : { '#lib/wiring/config-stores.ts': wiring('unbound-config-stores') }),
    ...(binds.length > 0 ? {} : { '#lib/wiring/cloud.ts': wiring('unbound-cloud') }),
  };
}

/** The settings as NodejsFunction bundling props (local esbuild, no Docker). */
export function cdkBundling(settings: LambdaBundleSettings): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: settings.target,
    mainFields: settings.mainFields,
    banner: settings.banner,
    minify: settings.minify,
    sourceMap: settings.sourcemap,
    sourcesContent: settings.sourcesContent,
    define: settings.define,
    esbuildArgs: {
      '--alias': Object.entries(settings.alias).map(([from, to]) => `${from}=${to}`),
    },
    // Pin the SDK versions the tests ran against instead of whatever the runtime ships.
    bundleAwsSDK: true,
    forceDockerBundling: false,
  };
}

/**
 * The same settings as esbuild build options, the way NodejsFunction passes them to the esbuild
 * CLI (bundle, platform node, ESM, no externals since the SDK is bundled), for the given entries.
 */
export function esbuildOptions(
  settings: LambdaBundleSettings,
  output: Pick<BuildOptions, 'entryPoints' | 'stdin' | 'outdir' | 'outfile' | 'metafile' | 'write'>,
): BuildOptions {
  return {
    ...output,
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    platform: 'node',
    format: 'esm',
    outExtension: { '.js': '.mjs' },
    target: settings.target,
    mainFields: settings.mainFields,
    banner: { js: settings.banner },
    minify: settings.minify,
    sourcemap: settings.sourcemap,
    sourcesContent: settings.sourcesContent,
    define: settings.define,
    alias: settings.alias,
    logLevel: 'error',
  };
}
