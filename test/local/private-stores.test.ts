import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetItemCommand, ListTablesCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '#lib/domain/tenants.ts';
import { readRuntimeFile, securePrivateDataDir, writeRuntimeFile } from '../../infra/local/data-dir.ts';
import { type EmbeddedStores, startEmbeddedStores } from '../../infra/local/embedded-stores.ts';
import { LOCAL_TABLE_NAME, localDynamoClient } from '../../infra/local/local-dynamo.ts';

const mode = (path: string) => statSync(path).mode & 0o777;

/** Every entry under `dir`, itself included, with its permission bits. */
function modes(dir: string): { path: string; dir: boolean; mode: number }[] {
  const found = [{ path: dir, dir: true, mode: mode(dir) }];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    found.push({ path, dir: statSync(path).isDirectory(), mode: mode(path) });
  }
  return found;
}

const target = 'DynamoDB_20120810';

describe('the local stores are private to their owner', () => {
  const root = mkdtempSync(join(tmpdir(), 'meterhouse-private-'));
  const dir = join(root, 'data');
  let stores: EmbeddedStores;
  let tenantId = '';

  beforeAll(async () => {
    stores = await startEmbeddedStores({ dataDir: dir });
    tenantId = (await createTenant(stores.runtime, 'Private', new Date())).tenantId;
  });
  afterAll(async () => {
    await stores.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the data dir, the LevelDB store and events.duckdb owner-only (dirs 0700, files 0600)', async () => {
    await stores.timeSeries.ping();
    const entries = modes(dir);
    expect(entries.map((e) => e.path)).toEqual(
      expect.arrayContaining([dir, join(dir, 'dynamodb'), join(dir, 'events.duckdb')]),
    );
    for (const entry of entries)
      expect([entry.path, entry.mode]).toEqual([entry.path, entry.dir ? 0o700 : 0o600]);
  });

  it('refuses a request without the access key id as DynamoDB does, and stores nothing', async () => {
    // given: an unsigned request and one signed with another access key id
    const unsigned = await fetch(stores.dynamo.endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `${target}.ListTables` },
      body: '{}',
    });
    expect(unsigned.status).toBe(400);
    expect(await unsigned.json()).toEqual({
      __type: 'com.amazon.coral.service#UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
    const forger = localDynamoClient(stores.dynamo.endpoint, 'local');
    const forged = {
      TableName: LOCAL_TABLE_NAME,
      Item: { pk: { S: 'APIKEY#forged' }, sk: { S: 'APIKEY' }, tenantId: { S: tenantId } },
    };
    await expect(forger.send(new PutItemCommand(forged))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    await expect(forger.send(new ListTablesCommand({}))).rejects.toMatchObject({
      name: 'UnrecognizedClientException',
    });
    forger.destroy();
    // then: the owner's client sees no forged key
    const owner = localDynamoClient(stores.dynamo.endpoint, stores.dynamo.accessKeyId);
    const { Item } = await owner.send(
      new GetItemCommand({ TableName: LOCAL_TABLE_NAME, Key: { pk: forged.Item.pk, sk: forged.Item.sk } }),
    );
    expect(Item).toBeUndefined();
    expect((await owner.send(new ListTablesCommand({}))).TableNames).toContain(LOCAL_TABLE_NAME);
    owner.destroy();
  });

  it('gives each start its own random access key id of at least 128 bits', async () => {
    const other = await startEmbeddedStores();
    try {
      expect(other.dynamo.accessKeyId).not.toBe(stores.dynamo.accessKeyId);
      expect(stores.dynamo.accessKeyId).toMatch(/^[0-9A-F]{32,}$/);
    } finally {
      await other.close();
    }
  });
});

describe('securePrivateDataDir', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterhouse-modes-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("tightens an earlier version's world-readable files and dirs, and says which", () => {
    // given: what an earlier version left, readable by every local user
    const store = join(dir, 'dynamodb');
    const events = join(dir, 'events.duckdb');
    mkdirSync(store);
    writeFileSync(events, 'x');
    chmodSync(events, 0o644);
    chmodSync(store, 0o775);
    chmodSync(dir, 0o755);
    const tightened = securePrivateDataDir(dir);
    expect(tightened.sort()).toEqual([dir, store, events].sort());
    for (const entry of modes(dir))
      expect([entry.path, entry.mode]).toEqual([entry.path, entry.dir ? 0o700 : 0o600]);
    expect(securePrivateDataDir(dir)).toEqual([]);
  });

  it('writes runtime.json 0600 even over a world-readable one a crashed run left behind', () => {
    const path = join(dir, 'runtime.json');
    writeFileSync(path, '{}', { mode: 0o644 });
    chmodSync(path, 0o644);
    const value = {
      pid: process.pid,
      url: 'http://127.0.0.1:1',
      dynamodbEndpoint: 'http://127.0.0.1:2',
      dynamodbAccessKeyId: 'A'.repeat(40),
      startedAt: new Date().toISOString(),
    };
    writeRuntimeFile(dir, value);
    expect(mode(path)).toBe(0o600);
    expect(readRuntimeFile(dir)).toEqual(value);
  });
});
