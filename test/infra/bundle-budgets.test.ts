import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('bundles exactly the SDK clients each function binds, and none where it binds nothing', () => {
    const wrong = bundles.flatMap((bundle) =>
      Object.entries(SDK_PACKAGE_BINDINGS).flatMap(([pkg, needs]) => {
        const needed = needs.some((binding) => bundle.binds.includes(binding));
        const bundled = bundle.packages.has(pkg);
        if (bundled === needed) return [];
        return [`${bundle.function} [${bundle.binds.join(', ')}]: ${bundled ? 'has' : 'lacks'} ${pkg}`];
      }),
    );
    expect(wrong).toEqual([]);
    const unbound = bundles.filter((b) => b.binds.length === 0);
    expect(unbound.length).toBeGreaterThan(0);
    for (const bundle of unbound)
      expect([...bundle.packages.keys()].filter((p) => p.startsWith('@aws-sdk/'))).toEqual([]);
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

// The stand-ins the unbound bundles get (define flags, aliases) must still make working handlers.
describe('a bundle without bindings', () => {
  let outdir: string;
  let bundles: FunctionBundle[];

  beforeAll(async () => {
    outdir = mkdtempSync(join(tmpdir(), 'meterhouse-unbound-'));
    bundles = await buildManifestBundles(outdir, {
      specs: routes.filter(
        (route) => route.function === 'health-live' || route.function === 'route-not-found',
      ),
    });
  }, 60_000);
  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('answers on Node 24 from its bundle alone', () => {
    const event = JSON.parse(
      readFileSync(new URL('../../events/apigw/health-live.json', import.meta.url), 'utf8'),
    );
    const answer = (name: string, request: unknown) => {
      const file = bundles.find((b) => b.function === name)?.file ?? '';
      const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
        process.stdout.write(JSON.stringify(await handler(${JSON.stringify(request)}, { awsRequestId: 'test' })));`;
      const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
        env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'SILENT' },
      });
      return JSON.parse(output) as { statusCode: number; body: string };
    };
    expect(answer('health-live', event)).toMatchObject({ statusCode: 200, body: '{"status":"ok"}' });
    const missing = answer('route-not-found', { ...event, rawPath: '/nowhere', routeKey: '$default' });
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toMatchObject({ code: 'ROUTE_NOT_FOUND' });
  });
});
