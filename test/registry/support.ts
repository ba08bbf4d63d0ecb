import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { LocalStack } from '../support/local-stack.ts';

export interface Answer {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: test answers are read field by field and checked by schemas.
  body: any;
}

/** One JSON call against the local stack as the given key (the stack's platform key by default). */
export async function call(
  stack: LocalStack,
  method: string,
  path: string,
  options: { body?: unknown; rawBody?: string; key?: string; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await stack.request(path, {
    method,
    key: options.key ?? stack.tenant.keys.platform,
    headers: { ...(hasBody ? { 'content-type': 'application/json' } : {}), ...options.headers },
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/**
 * Every config-table item of the tenant's registry partition (entities, claims, price book,
 * settings), as `sk → item`: a bad request must leave this exactly as it was.
 */
export async function registrySnapshot(
  stack: LocalStack,
  tenantId: string,
): Promise<Record<string, unknown>> {
  const { doc, tableName } = stack.stores.runtime.configTable;
  const items: Record<string, unknown> = {};
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `T#${tenantId}` },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of page.Items ?? []) items[String(item.sk)] = item;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Pages through a list endpoint with `limit`, returning every page's ids. */
export async function pageIds(
  stack: LocalStack,
  path: string,
  limit: number,
  key?: string,
): Promise<string[][]> {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const separator = path.includes('?') ? '&' : '?';
    const url: string = `${path}${separator}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const answer = await call(stack, 'GET', url, key ? { key } : {});
    if (answer.status !== 200) throw new Error(`GET ${url}: ${answer.status} ${JSON.stringify(answer.body)}`);
    pages.push(
      (answer.body.items as { id?: string; keyId?: string }[]).map((item) => item.id ?? item.keyId ?? '?'),
    );
    cursor = answer.body.nextCursor as string | null;
  } while (cursor);
  return pages;
}
