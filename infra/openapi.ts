import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as z from 'zod';
import { buildOpenApiDocument, type OpenApiDocument } from '#lib/http/openapi.ts';
import { routeDocs } from '#lib/http/route-docs.ts';
import { routes } from '#lib/routes.ts';
import { loadHandlers } from './local/handlers.ts';

/**
 * `npm run openapi`: writes openapi.json at the repository root (`-- --stdout` prints it instead).
 * Loading every route's handler module makes `httpRoute` record its schemas; the document is
 * built from those and the manifest. test/http/openapi.test.ts fails while the file is stale.
 */

export const OPENAPI_FILE = new URL('../openapi.json', import.meta.url);
const FUNCTIONS_DIR = new URL('../functions/', import.meta.url);
const CONTRACTS_DIR = new URL('../lib/contracts/', import.meta.url);

export async function openApiDocument(): Promise<OpenApiDocument> {
  const served = routes.filter((route) => route.path !== '$default');
  await loadHandlers(served);
  return buildOpenApiDocument(routes, routeDocs(), {
    summaries: new Map(served.flatMap((route) => summaryOf(route.function))),
    names: await contractSchemaNames(),
  });
}

/**
 * Every object schema exported by lib/contracts/, named after its export in PascalCase
 * (`operatorView` → `OperatorView`, `usageRowSchema` → `UsageRow`).
 */
async function contractSchemaNames(): Promise<Map<z.ZodType, string>> {
  const names = new Map<z.ZodType, string>();
  const files = readdirSync(CONTRACTS_DIR)
    .filter((file) => file.endsWith('.ts'))
    .sort();
  for (const file of files) {
    const module = (await import(new URL(file, CONTRACTS_DIR).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(module)) {
      if (!(value instanceof z.ZodObject) || names.has(value)) continue;
      names.set(value, name.charAt(0).toUpperCase() + name.slice(1).replace(/Schema$/, ''));
    }
  }
  return names;
}

/** Two-space JSON with a final newline; the document's key order is fixed by how it is built. */
export function renderOpenApi(document: OpenApiDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** The handler's doc comment, without its leading `METHOD /path —`, as the operation's summary. */
function summaryOf(functionName: string): [string, string][] {
  const source = readFileSync(new URL(`${functionName}.ts`, FUNCTIONS_DIR), 'utf8');
  const comment = /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export const handler\b/.exec(source)?.[1];
  if (!comment) return [];
  const text = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\*?\s?/, '').trim())
    .filter((line) => line.length > 0)
    .join(' ')
    .replace(/^(?:GET|POST|PUT|PATCH|DELETE) \S+\s*(?:—|:)\s*/, '');
  return text ? [[functionName, text.charAt(0).toUpperCase() + text.slice(1)]] : [];
}

if (import.meta.main) {
  const document = await openApiDocument();
  const text = renderOpenApi(document);
  if (process.argv.includes('--stdout')) {
    process.stdout.write(text);
  } else {
    writeFileSync(OPENAPI_FILE, text);
    const operations = Object.values(document.paths).reduce((sum, item) => sum + Object.keys(item).length, 0);
    process.stderr.write(`openapi.json: ${operations} operations\n`);
  }
}
