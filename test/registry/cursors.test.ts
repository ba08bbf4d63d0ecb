import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '#lib/domain/tenants.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { call, registrySnapshot } from './support.ts';

// Cursors are sealed (AES-256-GCM under the server's key, the tenant and list as associated data):
// whatever a client does to one, the list answers 400 INVALID_CURSOR and nothing changes.
let stack: LocalStack;
let other: Awaited<ReturnType<typeof createTenant>>;

const LISTS = ['operators', 'connectors', 'projects', 'keys', 'price-plans'] as const;
type List = (typeof LISTS)[number];
/** A first page's nextCursor of each list, in the stack's tenant. */
const cursors = new Map<List, string>();

const plan = (year: number) => ({
  id: `plan-${year}`,
  name: `Plan ${year}`,
  validFrom: `${year}-01-01`,
  validTo: `${year + 1}-01-01`,
  prices: [{ metric: 'api_call', unitPrice: '0.0004' }],
});

const flip = (cursor: string, at: number) => {
  const bytes = Buffer.from(cursor, 'base64url');
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
};

beforeAll(async () => {
  stack = await startLocalStack();
  other = await createTenant(stack.stores.runtime, 'Other Platform', new Date());
  for (const n of [1, 2, 3]) {
    for (const list of ['operators', 'connectors', 'projects'] as const) {
      const created = await call(stack, 'POST', `/platform-api/${list}`, { body: { name: `${list} ${n}` } });
      expect(created.status).toBe(201);
    }
    expect((await call(stack, 'POST', '/platform-api/price-plans', { body: plan(2030 + n) })).status).toBe(
      201,
    );
    expect((await call(stack, 'POST', '/platform-api/keys', { body: { role: 'ingest' } })).status).toBe(201);
  }
  for (const list of LISTS) {
    const page = await call(stack, 'GET', `/platform-api/${list}?limit=1`);
    expect(page.status).toBe(200);
    expect(page.body.nextCursor, list).toEqual(expect.any(String));
    cursors.set(list, page.body.nextCursor);
  }
});
afterAll(() => stack.close());

const cursorOf = (list: List) => {
  const cursor = cursors.get(list);
  if (!cursor) throw new Error(`no cursor of ${list}`);
  return cursor;
};

/** GETs the list with the cursor as the given tenant; expects the 400 and an unchanged store. */
async function expectRefused(list: List, cursor: string, key = stack.tenant.keys.platform): Promise<void> {
  const before = await Promise.all([
    registrySnapshot(stack, stack.tenant.tenantId),
    registrySnapshot(stack, other.tenantId),
    stack.stores.runtime.apiKeys.listByTenant(stack.tenant.tenantId, { limit: 200 }),
  ]);
  const response = await stack.request(`/platform-api/${list}?cursor=${encodeURIComponent(cursor)}`, { key });
  expect(response.status, `${list} ${cursor}`).toBe(400);
  const problem = await readProblem(response);
  expect(problem).toMatchObject({
    code: 'INVALID_CURSOR',
    errors: [{ in: 'query', name: 'cursor', message: expect.any(String) }],
  });
  const after = await Promise.all([
    registrySnapshot(stack, stack.tenant.tenantId),
    registrySnapshot(stack, other.tenantId),
    stack.stores.runtime.apiKeys.listByTenant(stack.tenant.tenantId, { limit: 200 }),
  ]);
  expect(after).toEqual(before);
}

describe.each(LISTS)('GET /platform-api/%s with a cursor it did not issue', (list) => {
  it('pages with the cursor it issued', async () => {
    const next = await call(
      stack,
      'GET',
      `/platform-api/${list}?limit=1&cursor=${encodeURIComponent(cursorOf(list))}`,
    );
    expect(next.status).toBe(200);
    expect(next.body.items).toHaveLength(1);
  });

  it('answers 400 to a cursor with any one byte altered', async () => {
    const cursor = cursorOf(list);
    const length = Buffer.from(cursor, 'base64url').length;
    // The version byte, the IV, the ciphertext and the tag.
    for (const at of [0, 1, 13, Math.floor(length / 2), length - 17, length - 1]) {
      await expectRefused(list, flip(cursor, at));
    }
  });

  it('answers 400 to a truncated or extended cursor, and to a non-canonical spelling', async () => {
    const cursor = cursorOf(list);
    const bytes = Buffer.from(cursor, 'base64url');
    await expectRefused(list, bytes.subarray(0, bytes.length - 1).toString('base64url'));
    await expectRefused(list, bytes.subarray(0, 20).toString('base64url'));
    await expectRefused(list, Buffer.concat([bytes, Buffer.of(0)]).toString('base64url'));
    await expectRefused(list, `${cursor}=`);
    await expectRefused(list, `${cursor.slice(0, 10)}.${cursor.slice(10)}`);
  });

  it("answers 400 to another tenant's cursor of the same list", async () => {
    await expectRefused(list, cursorOf(list), other.keys.platform);
  });

  it("answers 400 to another list's cursor", async () => {
    for (const from of LISTS.filter((l) => l !== list)) await expectRefused(list, cursorOf(from));
  });

  it('answers 400 to random base64url and to a forged cursor of the unsealed format', async () => {
    await expectRefused(list, randomBytes(64).toString('base64url'));
    await expectRefused(list, Buffer.concat([Buffer.of(1), randomBytes(40)]).toString('base64url'));
    // The format before cursors were sealed: a public tag and the store's start key, here one that
    // DynamoDB itself rejects (a ValidationException, which used to surface as a 500).
    const startKey = Buffer.from(JSON.stringify({ gsi1pk: `T#${stack.tenant.tenantId}#APIKEY` })).toString(
      'base64url',
    );
    const scope = `${stack.tenant.tenantId}|APIKEY|`;
    const publicTag = createHash('sha256').update(scope, 'utf8').digest('base64url').slice(0, 16);
    await expectRefused(
      list,
      Buffer.from(JSON.stringify({ s: publicTag, p: startKey })).toString('base64url'),
    );
  });
});

describe('a sealed cursor', () => {
  it('shows neither the tenant id nor the table key layout', () => {
    for (const [list, cursor] of cursors) {
      const bytes = Buffer.from(cursor, 'base64url');
      for (const text of [cursor, bytes.toString('latin1')]) {
        // Multi-byte needles only: a two-byte one would turn up in random bytes now and then.
        for (const secret of [stack.tenant.tenantId, '"pk"', '"sk"', 'gsi1', 'APIKEY#', 'SECRET#']) {
          expect(text.includes(secret), `${list} cursor shows ${secret}`).toBe(false);
        }
      }
    }
  });

  it('is opened by another container of the same deployment (one key in the config table)', async () => {
    const { Runtime } = await import('#lib/wiring/runtime.ts');
    const configTable = stack.stores.runtime.configTable;
    const second = new Runtime({
      configTable: () => configTable,
      timeSeries: () => stack.stores.timeSeries,
    });
    expect(Buffer.from(await second.cursorKey())).toEqual(
      Buffer.from(await stack.stores.runtime.cursorKey()),
    );
  });
});
