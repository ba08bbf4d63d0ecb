import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeterhouseFunction } from '#infra/cdk/meterhouse-function.ts';
import { cdkJsonContext, FIXTURE_ENTRY } from './support.ts';

// The one test that runs esbuild for real, on a fixture so it stays fast and independent of functions/.
describe('MeterhouseFunction bundling', () => {
  let outdir: string;
  let bundleDir: string;

  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'meterhouse-bundle-'));
    const app = new App({ outdir, context: cdkJsonContext });
    const stack = new Stack(app, 'BundlingStack');
    new MeterhouseFunction(stack, 'Fixture', {
      spec: { function: 'fixture', binds: [] },
      kind: 'route',
      entry: FIXTURE_ENTRY,
    });
    const [fn] = Object.values(Template.fromStack(stack).findResources('AWS::Lambda::Function')) as {
      Properties: { Code: { S3Key: string } };
    }[];
    const assetHash = fn?.Properties.Code.S3Key.replace(/\.zip$/, '');
    bundleDir = join(outdir, `asset.${assetHash}`);
  }, 60_000);
  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('stages a minified ESM bundle with an external source map and no embedded sources', () => {
    const bundle = readFileSync(join(bundleDir, 'index.mjs'), 'utf8');
    expect(bundle).toMatch(/export\s*\{[^}]*handler/);
    expect(bundle).toContain('createRequire(import.meta.url)');
    expect(bundle.split('\n').length).toBeLessThan(10);
    expect(bundle).toContain('sourceMappingURL=index.mjs.map');
    const map = JSON.parse(readFileSync(join(bundleDir, 'index.mjs.map'), 'utf8')) as {
      sourcesContent?: unknown;
    };
    expect(map.sourcesContent).toBeUndefined();
    expect(existsSync(join(bundleDir, 'node_modules'))).toBe(false);
  });

  it('runs on Node 24, CommonJS dependencies included, and answers through its handler', () => {
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(join(bundleDir, 'index.mjs')).href)});
      process.stdout.write(JSON.stringify(await handler()));`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    const response = JSON.parse(output) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ ok: true, platform: process.platform });
  });
});
