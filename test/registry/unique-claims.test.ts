import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError } from '#lib/domain/errors.ts';
import type { RegistryPorts } from '#lib/domain/registry/entities.ts';
import { nameKey } from '#lib/domain/registry/ids.ts';
import { operators } from '#lib/domain/registry/registry.ts';
import { CLAIM_GRACE_MS, claimUnique } from '#lib/domain/registry/unique-claims.ts';
import type { ConfigTable } from '#lib/stores/dynamodb/config-table.ts';
import { DynamoDbApiKeyRepository } from '#lib/stores/dynamodb/dynamodb-api-key-repository.ts';
import { dynamoDbRegistryStores } from '#lib/stores/dynamodb/dynamodb-registry-repository.ts';
import { DynamoDbTenantRepository } from '#lib/stores/dynamodb/dynamodb-tenant-repository.ts';
import { startDynalite, type TestDynalite } from '../support/dynalite.ts';

// The unique-name protocol against the crashes it must survive: a request that dies between its
// two writes leaves a claim behind, which must block nobody forever and never let two entities
// share a name.
let db: TestDynalite;
let ports: RegistryPorts;
let now = new Date('2026-05-01T10:00:00Z');
const advance = (ms: number) => {
  now = new Date(now.getTime() + ms);
};

beforeAll(async () => {
  db = await startDynalite();
  const table: ConfigTable = { doc: db.doc, tableName: db.tableName };
  ports = {
    registry: dynamoDbRegistryStores(table),
    apiKeys: new DynamoDbApiKeyRepository(table),
    tenants: new DynamoDbTenantRepository(table),
    clock: () => now,
  };
});
afterAll(() => db.stop());

const T = 'ten_claims';
const claimFor = (ownerId: string, name: string) =>
  claimUnique(ports.registry.claims, {
    tenantId: T,
    scope: 'OPERATOR_NAME',
    key: nameKey(name),
    ownerId,
    now,
    currentKeyOf: async () => undefined,
    taken: () => new ConflictError('NAME_TAKEN', 'taken'),
  });

describe('unique names without transactions', () => {
  it('heals the claim of a create that died before writing its entity, once the grace period is over', async () => {
    await claimFor('ghost', 'Ghost Telecom'); // the request dies here
    advance(10_000);
    await expect(operators.create(ports, T, { name: 'Ghost Telecom' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
    advance(CLAIM_GRACE_MS);
    const created = await operators.create(ports, T, { name: 'ghost telecom' });
    expect(created.name).toBe('ghost telecom');
    await expect(operators.create(ports, T, { name: 'Ghost Telecom' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
  });

  it('heals the old name of a rename that died before releasing it', async () => {
    const op = await operators.create(ports, T, { id: 'renamer', name: 'Old Name' });
    advance(CLAIM_GRACE_MS + 1);
    // the rename's first two writes: claim the new name, replace the entity; then it dies
    const held = await claimFor('renamer', 'New Name');
    expect(
      await ports.registry.operators.replace(
        T,
        { ...op, name: 'New Name', version: 2, claimToken: held.token },
        1,
      ),
    ).toBe(true);
    const reused = await operators.create(ports, T, { name: 'Old Name' });
    expect(reused.name).toBe('Old Name');
    await expect(operators.create(ports, T, { name: 'New Name' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
  });

  it('never takes over a valid claim, however old', async () => {
    await operators.create(ports, T, { id: 'valid', name: 'Valid Telecom' });
    advance(24 * 3600_000);
    await expect(operators.create(ports, T, { name: 'VALID telecom' })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
  });

  it('keeps the claim of the winner when two creates of the same id and name race', async () => {
    for (let round = 0; round < 5; round += 1) {
      const name = `Twin ${round}`;
      const results = await Promise.allSettled([
        operators.create(ports, T, { id: `twin-${round}`, name }),
        operators.create(ports, T, { id: `twin-${round}`, name }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(rejected.reason).toMatchObject({ code: 'OPERATOR_EXISTS' });
      await expect(operators.create(ports, T, { name })).rejects.toMatchObject({ code: 'NAME_TAKEN' });
    }
  });

  it('lets one of two entities renamed to the same name at once have it', async () => {
    await operators.create(ports, T, { id: 'left', name: 'Left' });
    await operators.create(ports, T, { id: 'right', name: 'Right' });
    const results = await Promise.allSettled([
      operators.update(ports, T, 'left', { name: 'Middle' }),
      operators.update(ports, T, 'right', { name: 'middle' }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const names = [
      (await operators.get(ports, T, 'left')).name,
      (await operators.get(ports, T, 'right')).name,
    ];
    expect(names.filter((n) => nameKey(n) === 'middle')).toHaveLength(1);
    // the loser kept its name, and still holds it
    const loserName = names.find((n) => nameKey(n) !== 'middle') as string;
    await expect(operators.create(ports, T, { name: loserName })).rejects.toMatchObject({
      code: 'NAME_TAKEN',
    });
  });
});
