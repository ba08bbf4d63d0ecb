import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildManifestBundles, type FunctionBundle } from '#infra/bundles.ts';
import type { Binding } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';

/** Issue 11 point 12: a bundle over this fails (they were 892–985 KB when the SDK clients were not per binding). */
const MAX_BUNDLE_BYTES = 600_000;

/** The SDK packages a bundle may hold only when the function binds one of these. */
const SDK_PACKAGE_BINDINGS: Record<string, readonly Binding[]> = {
  '@aws-sdk/client-dynamodb': ['config:read', 'config:write'],
  '@aws-sdk/lib-dynamodb': ['config:read', 'config:write'],
  '@aws-sdk/client-timestream-query': ['timeseries:read'],
  '@aws-sdk/client-timestream-write': ['timeseries:write'],
  '@aws-sdk/client-sns': ['alerts:publish'],
};

/**
 * Known gap: a function without bindings still carries the DynamoDB SDK, because the Runtime it is
 * handed imports the config-table repositories, and @aws-sdk/lib-dynamodb declares no
 * `sideEffects: false` (its paginators run at import), so esbuild keeps it once imported.
 */
const UNBOUND_BUT_BUNDLED: readonly string[] = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

/** Lambda's credentials are in the environment; the default chain's other providers must stay out. */
const NEVER_BUNDLED = [
  '@aws-sdk/credential-provider-node',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/nested-clients',
];

const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;

// Bundles every manifest function with the stack's own esbuild settings (infra/cdk/bundling.ts).
describe('Lambda bundle budgets', () => {
  let bundles: FunctionBundle[];

  beforeAll(async () => {
    bundles = await buildManifestBundles(join(tmpdir(), 'meterhouse-budgets'), { write: false });
  }, 120_000);

  it('bundles every function of the manifests', () => {
    expect(bundles.map((b) => b.function).sort()).toEqual(
      [...routes, ...schedules].map((spec) => spec.function).sort(),
    );
  });

  it(`keeps every bundle at most ${kb(MAX_BUNDLE_BYTES)}`, () => {
    const over = bundles
      .filter((b) => b.bytes > MAX_BUNDLE_BYTES)
      .map((b) => `${b.function}: ${kb(b.bytes)}`);
    expect(over).toEqual([]);
  });

  it('bundles exactly the SDK clients each function binds', () => {
    const wrong = bundles.flatMap((bundle) =>
      Object.entries(SDK_PACKAGE_BINDINGS).flatMap(([pkg, needs]) => {
        const needed = needs.some((binding) => bundle.binds.includes(binding));
        const tolerated = bundle.binds.length === 0 && UNBOUND_BUT_BUNDLED.includes(pkg);
        const bundled = bundle.packages.has(pkg);
        if (bundled === needed || tolerated) return [];
        return [`${bundle.function} [${bundle.binds.join(', ')}]: ${bundled ? 'has' : 'lacks'} ${pkg}`];
      }),
    );
    expect(wrong).toEqual([]);
  });

  it('bundles only the environment credential provider', () => {
    const found = bundles.flatMap((bundle) =>
      NEVER_BUNDLED.filter((pkg) => bundle.packages.has(pkg)).map((pkg) => `${bundle.function}: ${pkg}`),
    );
    expect(found).toEqual([]);
    expect(
      bundles.every((b) => b.packages.has('@aws-sdk/credential-provider-env') || b.binds.length === 0),
    ).toBe(true);
  });
});
