import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { FunctionSpec } from '#lib/manifest-types.ts';

// biome-ignore lint/suspicious/noExplicitAny: a Lambda handler's event is whatever its trigger sends.
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

const functionsDir = new URL('../../functions/', import.meta.url);

/** Loads `functions/<name>.ts` — the same module the CDK stack bundles — and returns its `handler`. */
export async function loadHandler(spec: Pick<FunctionSpec, 'function'>): Promise<LambdaHandler> {
  const url = pathToFileURL(new URL(`${spec.function}.ts`, functionsDir).pathname);
  const module = (await import(url.href)) as { handler?: LambdaHandler };
  if (typeof module.handler !== 'function') {
    throw new Error(`functions/${spec.function}.ts does not export a handler`);
  }
  return module.handler;
}

export async function loadHandlers<S extends Pick<FunctionSpec, 'function'>>(
  specs: readonly S[],
): Promise<Map<string, LambdaHandler>> {
  const entries = await Promise.all(
    specs.map(async (spec) => [spec.function, await loadHandler(spec)] as const),
  );
  return new Map(entries);
}
