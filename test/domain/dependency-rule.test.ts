import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// The domain owns its ports (lib/domain/ports/); adapters, the HTTP stack and the wiring depend on
// the domain, never the reverse. Type-only imports count too: they are how the arrow creeps back.
const ROOT = resolve(import.meta.dirname, '../..');
const DOMAIN = join(ROOT, 'lib/domain');
const FORBIDDEN_FOLDERS = ['lib/stores/', 'lib/http/', 'lib/notify/', 'lib/wiring/', 'lib/analytics/'];
const FORBIDDEN_PACKAGES = /^(@aws-sdk\/|@duckdb\/|@middy\/|aws-cdk-lib|dynalite)/;
const SPECIFIER = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'/g;

/** Each import of a domain file, as a path from the repository root or a package name. */
function domainImports(): { file: string; target: string }[] {
  const files = readdirSync(DOMAIN, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  return files.flatMap((name) => {
    const file = join(DOMAIN, name);
    return [...readFileSync(file, 'utf8').matchAll(SPECIFIER)].map(([, specifier = '']) => ({
      file: relative(ROOT, file),
      target: specifier.startsWith('#lib/')
        ? `lib/${specifier.slice('#lib/'.length)}`
        : specifier.startsWith('.')
          ? relative(ROOT, resolve(dirname(file), specifier))
          : specifier,
    }));
  });
}

describe('lib/domain', () => {
  const imports = domainImports();

  it('is read (its ports are imported through the alias and relative paths alike)', () => {
    expect(imports).toContainEqual({
      file: 'lib/domain/ingest.ts',
      target: 'lib/domain/ports/time-series.ts',
    });
    expect(imports).toContainEqual({
      file: 'lib/domain/registry/entities.ts',
      target: 'lib/domain/ports/registry-repository.ts',
    });
  });

  it('imports no adapter, HTTP, wiring or read-service code and no AWS SDK, DuckDB or middy', () => {
    const offending = imports.filter(
      ({ target }) =>
        FORBIDDEN_PACKAGES.test(target) || FORBIDDEN_FOLDERS.some((folder) => target.startsWith(folder)),
    );
    expect(offending).toEqual([]);
  });
});
