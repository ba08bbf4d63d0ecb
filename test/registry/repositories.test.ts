import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiKeyRecord } from '#lib/domain/api-keys.ts';
import type { IdempotencyRecord } from '#lib/domain/ports/idempotency-store.ts';
import type { EntityMeta } from '#lib/domain/registry/types.ts';
import {
  apiKeyKey,
  type ConfigTable,
  cursorKeyItemKey,
  tenantApiKeysPartition,
} from '#lib/stores/dynamodb/config-table.ts';
import { DynamoDbApiKeyRepository } from '#lib/stores/dynamodb/dynamodb-api-key-repository.ts';
import { DynamoDbCursorKey } from '#lib/stores/dynamodb/dynamodb-cursor-key.ts';
import { DynamoDbIdempotencyStore } from '#lib/stores/dynamodb/dynamodb-idempotency-store.ts';
import {
  DynamoDbEntityRepository,
  DynamoDbPriceBookRepository,
  DynamoDbUniqueClaimRepository,
} from '#lib/stores/dynamodb/dynamodb-registry-repository.ts';
import { startDynalite, type TestDynalite } from '../support/dynalite.ts';

interface Thing extends EntityMeta {
  name: string;
  colour?: string;
}

let db: TestDynalite;
let table: ConfigTable;
beforeAll(async () => {
  db = await startDynalite();
  table = db.table;
});
afterAll(() => db.stop());

const thing = (id: string, version = 1, extra: Partial<Thing> = {}): Thing => ({
  id,
  name: `Thing ${id}`,
  version,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...extra,
});

describe('DynamoDbEntityRepository on dynalite', () => {
  it('creates once, replaces and deletes only at the expected version', async () => {
    const repo = new DynamoDbEntityRepository<Thing>(table, 'THING', 'thing');
    expect(await repo.create('t1', thing('a'))).toBe(true);
    expect(await repo.create('t1', thing('a', 1, { name: 'again' }))).toBe(false);
    expect(await repo.get('t1', 'a')).toEqual(thing('a'));
    expect(await repo.get('t2', 'a')).toBeUndefined();

    expect(await repo.replace('t1', thing('a', 2, { colour: 'red' }), 2)).toBe(false);
    expect(await repo.replace('t1', thing('a', 2, { colour: 'red' }), 1)).toBe(true);
    expect(await repo.replace('t1', thing('a', 3), 1)).toBe(false);
    expect(await repo.replace('t1', thing('missing', 2), 1)).toBe(false);
    expect((await repo.get('t1', 'a'))?.colour).toBe('red');

    expect(await repo.delete('t1', 'a', 1)).toBe(false);
    expect(await repo.delete('t1', 'a', 2)).toBe(true);
    expect(await repo.get('t1', 'a')).toBeUndefined();
    expect(await repo.delete('t1', 'a', 2)).toBe(false);
  });

  it('lists one kind of one tenant in id order, in pages that say whether more follow', async () => {
    const things = new DynamoDbEntityRepository<Thing>(table, 'ITEM', 'item');
    const others = new DynamoDbEntityRepository<Thing>(table, 'ITEMS', 'items'); // a kind whose prefix extends ITEM
    for (const id of ['e', 'b', 'g', 'a', 'd', 'c', 'f']) await things.create('lt', thing(id));
    await others.create('lt', thing('x'));
    await things.create('lt-other', thing('z'));

    const first = await things.list('lt', { limit: 3 });
    expect([first.items.map((t) => t.id), first.more]).toEqual([['a', 'b', 'c'], true]);
    const second = await things.list('lt', { limit: 3, after: 'c' });
    expect([second.items.map((t) => t.id), second.more]).toEqual([['d', 'e', 'f'], true]);
    const third = await things.list('lt', { limit: 3, after: 'f' });
    expect([third.items.map((t) => t.id), third.more]).toEqual([['g'], false]);
    const exact = await things.list('lt', { limit: 7 });
    expect([exact.items.length, exact.more]).toEqual([7, false]);

    const vowels = await things.list('lt', { limit: 1, where: (t) => 'aeiou'.includes(t.id) });
    expect([vowels.items.map((t) => t.id), vowels.more]).toEqual([['a'], true]);
    const rest = await things.list('lt', { limit: 1, after: 'a', where: (t) => 'aeiou'.includes(t.id) });
    expect([rest.items.map((t) => t.id), rest.more]).toEqual([['e'], false]);
  });
});

describe('DynamoDbUniqueClaimRepository on dynalite', () => {
  it('claims when absent, refreshes for the same owner, takes over by token, releases by token', async () => {
    const claims = new DynamoDbUniqueClaimRepository(table);
    const claim = (ownerId: string, token: string) => ({
      ownerId,
      token,
      claimedAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await claims.put('t', 'NAME', 'acme', claim('o1', 'k1'), { absent: true })).toBe(true);
    expect(await claims.put('t', 'NAME', 'acme', claim('o2', 'k2'), { absent: true })).toBe(false);
    expect(await claims.put('t', 'NAME', 'acme', claim('o2', 'k2'), { ownerId: 'o2' })).toBe(false);
    expect(await claims.put('t', 'NAME', 'acme', claim('o1', 'k3'), { ownerId: 'o1' })).toBe(true);
    expect(await claims.put('t', 'NAME', 'acme', claim('o2', 'k4'), { token: 'k1' })).toBe(false);
    expect(await claims.put('t', 'NAME', 'acme', claim('o2', 'k4'), { token: 'k3' })).toBe(true);
    expect(await claims.get('t', 'NAME', 'acme')).toEqual(claim('o2', 'k4'));
    expect(await claims.get('t', 'OTHER', 'acme')).toBeUndefined();
    expect(await claims.delete('t', 'NAME', 'acme', 'k3')).toBe(false);
    expect(await claims.delete('t', 'NAME', 'acme', 'k4')).toBe(true);
    expect(await claims.get('t', 'NAME', 'acme')).toBeUndefined();
  });
});

describe('DynamoDbPriceBookRepository on dynalite', () => {
  it('starts empty at version 0 and writes only over the expected version', async () => {
    const books = new DynamoDbPriceBookRepository(table);
    expect(await books.get('pb')).toEqual({ version: 0, plans: [] });
    expect(await books.put('pb', { version: 1, plans: [] }, 0)).toBe(true);
    expect(await books.put('pb', { version: 1, plans: [] }, 0)).toBe(false);
    expect(await books.put('pb', { version: 2, plans: [] }, 2)).toBe(false);
    expect(await books.put('pb', { version: 2, plans: [] }, 1)).toBe(true);
    expect((await books.get('pb')).version).toBe(2);
  });
});

describe('DynamoDbIdempotencyStore on dynalite', () => {
  const store = () => new DynamoDbIdempotencyStore(table);
  const now = new Date('2026-03-01T12:00:00Z');
  const record = (token: string, at: Date = now, fingerprint = 'fp'): IdempotencyRecord => ({
    fingerprint,
    state: 'in-progress',
    token,
    lockedUntil: at.getTime() + 60_000,
    expiresAt: Math.floor(at.getTime() / 1000) + 86_400,
  });

  it('claims once; a second claim sees the live record; complete and release need the token', async () => {
    expect(await store().claim('t', 'k1', record('a'), now)).toEqual({ claimed: true });
    const second = await store().claim('t', 'k1', record('b'), now);
    expect(second).toEqual({
      claimed: false,
      existing: expect.objectContaining({ token: 'a', state: 'in-progress' }),
    });
    expect(await store().complete('t', 'k1', 'b', 'sealed')).toBe(false);
    expect(await store().complete('t', 'k1', 'a', 'sealed')).toBe(true);
    const replay = await store().claim('t', 'k1', record('c'), now);
    expect(replay).toEqual({
      claimed: false,
      existing: expect.objectContaining({ state: 'completed', response: 'sealed' }),
    });
    await store().release('t', 'k1', 'wrong');
    expect((await store().claim('t', 'k1', record('d'), now)).claimed).toBe(false);
    await store().release('t', 'k1', 'a');
    expect((await store().claim('t', 'k1', record('e'), now)).claimed).toBe(true);
  });

  it('lets the same request take over an abandoned in-progress claim, and anyone an expired record', async () => {
    await store().claim('t', 'k2', record('a'), now);
    const later = new Date(now.getTime() + 61_000);
    expect((await store().claim('t', 'k2', record('b', later, 'other-fp'), later)).claimed).toBe(false);
    expect((await store().claim('t', 'k2', record('b', later), later)).claimed).toBe(true);
    await store().complete('t', 'k2', 'b', 'sealed');
    expect((await store().claim('t', 'k2', record('c', later), later)).claimed).toBe(false);
    const nextDay = new Date(later.getTime() + 86_401_000);
    expect((await store().claim('t', 'k2', record('c', nextDay, 'other-fp'), nextDay)).claimed).toBe(true);
  });
});

describe('DynamoDbApiKeyRepository.update on dynalite', () => {
  const record = (keyId: string, tenantId: string): ApiKeyRecord => ({
    keyId,
    tenantId,
    role: 'account',
    accountId: 'acct-1',
    secretHash: 'ab'.repeat(32),
    status: 'active',
    hint: 'mh_account_abcd…',
    createdAt: '2026-01-01T00:00:00.000Z',
  });

  it('changes only keys of the given tenant, at the expected version', async () => {
    const keys = new DynamoDbApiKeyRepository(table);
    await keys.create(record('key_00000000000000a1', 'ka'));
    expect(await keys.update('key_00000000000000a1', 'kb', { name: 'stolen' })).toBe('not-found');
    expect(await keys.update('key_00000000000000ff', 'ka', { name: 'x' })).toBe('not-found');
    expect(await keys.update('key_00000000000000a1', 'ka', { name: 'x' }, 2)).toBe('version-conflict');
    const limits = { requestsPerMinute: 1, requestsPerHour: 2, requestsPerDay: 3 };
    const updated = await keys.update('key_00000000000000a1', 'ka', { name: 'x', rateLimits: limits }, 1);
    expect(updated).toMatchObject({ name: 'x', rateLimits: limits, version: 2 });
    const cleared = await keys.update('key_00000000000000a1', 'ka', {
      name: null,
      revokedAt: '2026-02-01T00:00:00.000Z',
    });
    expect(cleared).toMatchObject({ status: 'revoked', revokedAt: '2026-02-01T00:00:00.000Z', version: 3 });
    expect(cleared).not.toHaveProperty('name');
    expect((await keys.get('key_00000000000000a1'))?.secretHash).toBe('ab'.repeat(32));
  });

  it("refuses a list cursor of another tenant's keys", async () => {
    const keys = new DynamoDbApiKeyRepository(table);
    await keys.create(record('key_00000000000000c3', 'kc'));
    await keys.create(record('key_00000000000000c4', 'kc'));
    const page = await keys.listByTenant('kc', { limit: 1 });
    expect(page.nextCursor).toEqual(expect.any(String));
    await expect(keys.listByTenant('ka', { limit: 1, cursor: page.nextCursor })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });

  it('refuses a start key DynamoDB would reject (a 500 before) with INVALID_CURSOR', async () => {
    // The admin CLI hands its --cursor to the repository unsealed; the API seals it (paging.ts).
    const keys = new DynamoDbApiKeyRepository(table);
    const partition = tenantApiKeysPartition('kc');
    const encode = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
    const valid = { pk: 'APIKEY#key_00000000000000c3', sk: 'APIKEY', gsi1pk: partition, gsi1sk: 'x' };
    for (const forged of [
      { gsi1pk: partition },
      { ...valid, extra: 'a' },
      { ...valid, pk: 'T#kc' },
      { ...valid, sk: 'TENANT' },
      { ...valid, gsi1sk: 7 },
    ]) {
      await expect(keys.listByTenant('kc', { limit: 1, cursor: encode(forged) })).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
      });
    }
    expect((await keys.listByTenant('kc', { limit: 1, cursor: encode(valid) })).items).toBeDefined();
  });
});

describe('DynamoDbCursorKey on dynalite', () => {
  it('creates one 32-byte key for every container, however many race to create it', async () => {
    const containers = Array.from({ length: 6 }, () => new DynamoDbCursorKey(table));
    const keys = await Promise.all(containers.map((container) => container.cursorKey()));
    const { Item } = await table.doc.send(
      new GetCommand({ TableName: table.tableName, Key: cursorKeyItemKey }),
    );
    const stored = Item?.key as Uint8Array | undefined;
    expect(stored).toBeInstanceOf(Uint8Array);
    expect(stored?.length).toBe(32);
    for (const key of keys) expect(Buffer.from(key)).toEqual(Buffer.from(stored ?? []));
    // Cached per container: a later call answers the very same key without a read.
    expect(await containers[0]?.cursorKey()).toBe(keys[0]);
  });
});
