import { join } from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { Binding, FunctionSpec } from '#lib/manifest-types.ts';
import { routes } from '#lib/routes.ts';
import { schedules } from '#lib/schedules.ts';
import { esbuildOptions, lambdaBundleSettings } from './cdk/bundling.ts';

/** One manifest function as the stack bundles it. */
export interface FunctionBundle {
  function: string;
  binds: readonly Binding[];
  /** The bundle's path (`<outdir>/<function>.mjs`, its source map beside it). */
  file: string;
  /** Size of the bundle file, source map excluded. */
  bytes: number;
  /** Bytes each npm package (`@scope/name`) contributes to the bundle, after tree shaking. */
  packages: Map<string, number>;
}

/** The package an esbuild input path belongs to, or undefined for project sources. */
export function packageOf(inputPath: string): string | undefined {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(inputPath);
  return match?.[1];
}

function packagesOf(output: Metafile['outputs'][string]): Map<string, number> {
  const packages = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = packageOf(path);
    if (name && input.bytesInOutput > 0) packages.set(name, (packages.get(name) ?? 0) + input.bytesInOutput);
  }
  return packages;
}

/**
 * Bundles every function of the route and job manifests with the stack's esbuild settings
 * (infra/cdk/bundling.ts) into `outdir`. The settings depend only on a function's bindings, so the
 * functions are built in one esbuild run per binding set: esbuild parses a shared module once per
 * run, and each entry still gets a bundle of its own (no code splitting), the same as the stack's.
 * `write: false` measures without writing the files.
 */
export async function buildManifestBundles(
  outdir: string,
  options: { specs?: readonly FunctionSpec[]; write?: boolean } = {},
): Promise<FunctionBundle[]> {
  const { specs = [...routes, ...schedules], write = true } = options;
  const byBinds = new Map<string, FunctionSpec[]>();
  for (const spec of specs) {
    const key = [...spec.binds].sort().join(',');
    byBinds.set(key, [...(byBinds.get(key) ?? []), spec]);
  }
  const groups = await Promise.all(
    [...byBinds.values()].map(async (group) => {
      const binds = group[0]?.binds ?? [];
      const result = await build(
        esbuildOptions(lambdaBundleSettings(binds), {
          entryPoints: Object.fromEntries(
            group.map((spec) => [spec.function, `functions/${spec.function}.ts`]),
          ),
          outdir,
          metafile: true,
          write,
        }),
      );
      return group.map((spec): FunctionBundle => {
        const file = join(outdir, `${spec.function}.mjs`);
        const output = Object.entries(result.metafile?.outputs ?? {}).find(([path]) =>
          path.endsWith(`/${spec.function}.mjs`),
        )?.[1];
        if (!output) throw new Error(`esbuild wrote no bundle for ${spec.function}`);
        return {
          function: spec.function,
          binds: spec.binds,
          file,
          bytes: output.bytes,
          packages: packagesOf(output),
        };
      });
    }),
  );
  return groups.flat().sort((a, b) => a.function.localeCompare(b.function));
}
