import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accountView,
  connectionView,
  connectorView,
  listResponse,
  operatorView,
  projectView,
} from '#lib/contracts/platform-registry.ts';
import { type LocalStack, readProblem, startLocalStack } from '../support/local-stack.ts';
import { call, pageIds, registrySnapshot } from './support.ts';

let stack: LocalStack;
beforeAll(async () => {
  stack = await startLocalStack();
});
afterAll(() => stack.close());

const tenantId = () => stack.tenant.tenantId;

describe('operators', () => {
  it('creates with the client id, reads, patches, lists and deletes, with versions and ETags', async () => {
    // arrange / act: create with the client's own id
    const created = await call(stack, 'POST', '/platform-api/operators', {
      body: { id: 'carrier-alpha-uk', name: 'Carrier Alpha UK', contactEmail: 'noc@alpha.example.com' },
    });
    expect(created.status).toBe(201);
    expect(operatorView.parse(created.body)).toMatchObject({
      id: 'carrier-alpha-uk',
      name: 'Carrier Alpha UK',
      status: 'active',
      contactEmail: 'noc@alpha.example.com',
      version: 1,
    });
    expect(created.headers.get('location')).toBe('/platform-api/operators/carrier-alpha-uk');
    expect(created.headers.get('etag')).toBe('"1"');

    const read = await call(stack, 'GET', '/platform-api/operators/carrier-alpha-uk');
    expect(read.body).toEqual(created.body);

    const patched = await call(stack, 'PATCH', '/platform-api/operators/carrier-alpha-uk', {
      body: { status: 'suspended', contactEmail: null },
      headers: { 'if-match': '"1"' },
    });
    expect(patched.status).toBe(200);
    expect(operatorView.parse(patched.body)).toMatchObject({
      status: 'suspended',
      contactEmail: null,
      version: 2,
    });
    expect(patched.body.createdAt).toBe(created.body.createdAt);

    const stale = await call(stack, 'DELETE', '/platform-api/operators/carrier-alpha-uk', {
      headers: { 'if-match': '1' },
    });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('VERSION_CONFLICT');

    const deleted = await call(stack, 'DELETE', '/platform-api/operators/carrier-alpha-uk', {
      headers: { 'if-match': '2' },
    });
    expect(deleted.status).toBe(204);
    const gone = await stack.request('/platform-api/operators/carrier-alpha-uk', {
      key: stack.tenant.keys.platform,
    });
    expect([gone.status, (await readProblem(gone)).code]).toEqual([404, 'OPERATOR_NOT_FOUND']);
  });

  it('generates a UUIDv7 id when the client gives none', async () => {
    const created = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: 'Nordic Mobile SE' },
    });
    expect(created.status).toBe(201);
    expect(created.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('answers 409 to a duplicate name (case and spacing do not make a name different) and to a taken id', async () => {
    await call(stack, 'POST', '/platform-api/operators', {
      body: { id: 'iberia', name: 'Iberia Telecom ES' },
    });
    const before = await registrySnapshot(stack, tenantId());
    const sameName = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: '  iberia   TELECOM es ' },
    });
    expect([sameName.status, sameName.body.code]).toEqual([409, 'NAME_TAKEN']);
    const sameId = await call(stack, 'POST', '/platform-api/operators', {
      body: { id: 'iberia', name: 'Other' },
    });
    expect([sameId.status, sameId.body.code]).toEqual([409, 'OPERATOR_EXISTS']);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);
  });

  it('frees a name on rename and on delete', async () => {
    await call(stack, 'POST', '/platform-api/operators', { body: { id: 'atlas', name: 'Atlas Connect DE' } });
    const renamed = await call(stack, 'PATCH', '/platform-api/operators/atlas', {
      body: { name: 'Atlas Connect GmbH' },
    });
    expect(renamed.status).toBe(200);
    const reuseOld = await call(stack, 'POST', '/platform-api/operators', {
      body: { id: 'atlas-2', name: 'Atlas Connect DE' },
    });
    expect(reuseOld.status).toBe(201);
    const takeNew = await call(stack, 'PATCH', '/platform-api/operators/atlas-2', {
      body: { name: 'atlas connect gmbh' },
    });
    expect([takeNew.status, takeNew.body.code]).toEqual([409, 'NAME_TAKEN']);
    expect((await call(stack, 'DELETE', '/platform-api/operators/atlas')).status).toBe(204);
    expect(
      (
        await call(stack, 'PATCH', '/platform-api/operators/atlas-2', {
          body: { name: 'Atlas Connect GmbH' },
        })
      ).status,
    ).toBe(200);
  });

  it('lets exactly one of two concurrent PATCHes with the same If-Match win', async () => {
    await call(stack, 'POST', '/platform-api/operators', { body: { id: 'maple', name: 'Maple Link CA' } });
    const [a, b] = await Promise.all([
      call(stack, 'PATCH', '/platform-api/operators/maple', {
        body: { name: 'Maple Link A' },
        headers: { 'if-match': '1' },
      }),
      call(stack, 'PATCH', '/platform-api/operators/maple', {
        body: { name: 'Maple Link B' },
        headers: { 'if-match': '1' },
      }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 409]);
    const winner = a.status === 200 ? a : b;
    const loser = a.status === 200 ? b : a;
    expect(loser.body.code).toBe('VERSION_CONFLICT');
    const now = await call(stack, 'GET', '/platform-api/operators/maple');
    expect(now.body).toMatchObject({ name: winner.body.name, version: 2 });
    // the loser's name was claimed and released again: it is free
    const free = await call(stack, 'POST', '/platform-api/operators', {
      body: { name: loser === a ? 'Maple Link A' : 'Maple Link B' },
    });
    expect(free.status).toBe(201);
  });

  it('never loses a concurrent PATCH sent without If-Match', async () => {
    await call(stack, 'POST', '/platform-api/operators', {
      body: { id: 'pacific', name: 'Pacific Wave AU' },
    });
    const [a, b] = await Promise.all([
      call(stack, 'PATCH', '/platform-api/operators/pacific', { body: { status: 'suspended' } }),
      call(stack, 'PATCH', '/platform-api/operators/pacific', {
        body: { contactEmail: 'ops@pacific.example.com' },
      }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const now = await call(stack, 'GET', '/platform-api/operators/pacific');
    expect(now.body).toMatchObject({
      status: 'suspended',
      contactEmail: 'ops@pacific.example.com',
      version: 3,
    });
  });

  it('lets exactly one of two concurrent creates of the same name win', async () => {
    const answers = await Promise.all(
      ['race-1', 'race-2', 'race-3'].map((id) =>
        call(stack, 'POST', '/platform-api/operators', { body: { id, name: 'Racing Telecom' } }),
      ),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
  });

  it.each([
    ['an unknown field', { name: 'X Telecom', colour: 'red' }, 'colour'],
    ['an invalid id', { id: 'has space', name: 'X Telecom' }, 'id'],
    ['an id with a slash', { id: 'a/b', name: 'X Telecom' }, 'id'],
    ['an oversize name', { name: 'x'.repeat(201) }, 'name'],
    ['an empty name', { name: '   ' }, 'name'],
    ['an invalid email', { name: 'X Telecom', contactEmail: 'not-an-email' }, 'contactEmail'],
    ['an unknown status', { name: 'X Telecom', status: 'closed' }, 'status'],
  ])('rejects %s with 400 and writes nothing', async (_case, body, field) => {
    const before = await registrySnapshot(stack, tenantId());
    const answer = await stack.request('/platform-api/operators', {
      method: 'POST',
      key: stack.tenant.keys.platform,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const problem = await readProblem(answer);
    expect([answer.status, problem.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect((problem.errors as { name: string }[]).map((e) => e.name)).toContain(field);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);
  });

  it('rejects an empty PATCH, a malformed If-Match and a malformed path id with 400', async () => {
    const empty = await call(stack, 'PATCH', '/platform-api/operators/maple', { body: {} });
    expect([empty.status, empty.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const ifMatch = await call(stack, 'PATCH', '/platform-api/operators/maple', {
      body: { status: 'active' },
      headers: { 'if-match': 'yesterday' },
    });
    expect([ifMatch.status, ifMatch.body.errors?.[0]?.name]).toEqual([400, 'If-Match']);
    const badId = await call(stack, 'GET', `/platform-api/operators/${encodeURIComponent('bad id!')}`);
    expect([badId.status, badId.body.errors?.[0]?.in]).toEqual([400, 'path']);
  });
});

describe('connectors, connections, accounts and projects', () => {
  beforeAll(async () => {
    for (const [id, name] of [
      ['op-a', 'Operator A'],
      ['op-b', 'Operator B'],
    ]) {
      await call(stack, 'POST', '/platform-api/operators', { body: { id, name } });
    }
  });

  it('keeps connectors with unique names and optional fields as null', async () => {
    const created = await call(stack, 'POST', '/platform-api/connectors', {
      body: { id: 'sms', name: 'SMS Gateway', category: 'messaging' },
    });
    expect(connectorView.parse(created.body)).toMatchObject({
      id: 'sms',
      category: 'messaging',
      description: null,
    });
    const dup = await call(stack, 'POST', '/platform-api/connectors', { body: { name: 'sms gateway' } });
    expect([dup.status, dup.body.code]).toEqual([409, 'NAME_TAKEN']);
    await call(stack, 'POST', '/platform-api/connectors', {
      body: { id: 'stripe', name: 'Stripe Payments' },
    });
  });

  it('connects an operator to a connector once; both must exist (422)', async () => {
    const created = await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-a', connectorId: 'sms' },
    });
    expect(created.status).toBe(201);
    expect(connectionView.parse(created.body)).toMatchObject({
      operatorId: 'op-a',
      connectorId: 'sms',
      status: 'active',
    });

    const before = await registrySnapshot(stack, tenantId());
    const again = await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-a', connectorId: 'sms' },
    });
    expect([again.status, again.body.code]).toEqual([409, 'CONNECTION_EXISTS']);
    const noOperator = await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-none', connectorId: 'sms' },
    });
    expect([noOperator.status, noOperator.body.code]).toEqual([422, 'UNKNOWN_OPERATOR']);
    const noConnector = await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-a', connectorId: 'none' },
    });
    expect([noConnector.status, noConnector.body.code]).toEqual([422, 'UNKNOWN_CONNECTOR']);
    const changePair = await call(stack, 'PATCH', `/platform-api/connections/${created.body.id}`, {
      body: { operatorId: 'op-b' },
    });
    expect(changePair.status).toBe(400);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);

    const off = await call(stack, 'PATCH', `/platform-api/connections/${created.body.id}`, {
      body: { status: 'inactive' },
    });
    expect(off.body).toMatchObject({ status: 'inactive', version: 2 });
    await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-b', connectorId: 'sms' },
    });
    await call(stack, 'POST', '/platform-api/connections', {
      body: { operatorId: 'op-a', connectorId: 'stripe' },
    });

    const byOperator = await call(stack, 'GET', '/platform-api/connections?operatorId=op-a');
    expect(
      listResponse(connectionView)
        .parse(byOperator.body)
        .items.map((c) => c.connectorId)
        .sort(),
    ).toEqual(['sms', 'stripe']);
    const inactive = await call(stack, 'GET', '/platform-api/connections?status=inactive');
    expect(inactive.body.items).toHaveLength(1);
  });

  it('keeps accounts on existing operators and projects', async () => {
    await call(stack, 'POST', '/platform-api/projects', { body: { id: 'bot', name: 'Bot' } });
    await call(stack, 'POST', '/platform-api/projects', { body: { id: 'commerce', name: 'Commerce' } });
    const dupProject = await call(stack, 'POST', '/platform-api/projects', { body: { name: 'BOT' } });
    expect([dupProject.status, dupProject.body.code]).toEqual([409, 'NAME_TAKEN']);

    const created = await call(stack, 'POST', '/platform-api/accounts', {
      body: { id: 'acct-1', name: 'Northwind', operatorId: 'op-a', projectIds: ['bot'] },
    });
    expect(accountView.parse(created.body)).toMatchObject({ projectIds: ['bot'], version: 1 });
    const before = await registrySnapshot(stack, tenantId());
    for (const [body, code] of [
      [{ name: 'X', operatorId: 'op-none' }, 'UNKNOWN_OPERATOR'],
      [{ name: 'X', operatorId: 'op-a', projectIds: ['bot', 'nope'] }, 'UNKNOWN_PROJECT'],
    ] as const) {
      const answer = await call(stack, 'POST', '/platform-api/accounts', { body });
      expect([answer.status, answer.body.code]).toEqual([422, code]);
    }
    const repeated = await call(stack, 'POST', '/platform-api/accounts', {
      body: { name: 'X', operatorId: 'op-a', projectIds: ['bot', 'bot'] },
    });
    expect(repeated.status).toBe(400);
    const moveToNowhere = await call(stack, 'PATCH', '/platform-api/accounts/acct-1', {
      body: { operatorId: 'op-none' },
    });
    expect(moveToNowhere.status).toBe(422);
    expect(await registrySnapshot(stack, tenantId())).toEqual(before);

    const moved = await call(stack, 'PATCH', '/platform-api/accounts/acct-1', {
      body: { operatorId: 'op-b', projectIds: ['bot', 'commerce'] },
    });
    expect(moved.body).toMatchObject({ operatorId: 'op-b', projectIds: ['bot', 'commerce'], version: 2 });
    const byProject = await call(stack, 'GET', '/platform-api/accounts?projectId=commerce');
    expect(byProject.body.items.map((a: { id: string }) => a.id)).toEqual(['acct-1']);
    expect(
      projectView.parse((await call(stack, 'GET', '/platform-api/projects/bot')).body).description,
    ).toBeNull();
  });

  it('refuses to delete what is still referenced (409), and allows it afterwards', async () => {
    const operator = await call(stack, 'DELETE', '/platform-api/operators/op-b');
    expect([operator.status, operator.body.code]).toEqual([409, 'OPERATOR_IN_USE']);
    const connector = await call(stack, 'DELETE', '/platform-api/connectors/stripe');
    expect([connector.status, connector.body.code]).toEqual([409, 'CONNECTOR_IN_USE']);
    const project = await call(stack, 'DELETE', '/platform-api/projects/commerce');
    expect([project.status, project.body.code]).toEqual([409, 'PROJECT_IN_USE']);

    const connections = await call(stack, 'GET', '/platform-api/connections?connectorId=stripe');
    for (const c of connections.body.items as { id: string }[]) {
      expect((await call(stack, 'DELETE', `/platform-api/connections/${c.id}`)).status).toBe(204);
    }
    expect((await call(stack, 'DELETE', '/platform-api/connectors/stripe')).status).toBe(204);
    // the pair is free again once its connection is gone
    await call(stack, 'POST', '/platform-api/connectors', {
      body: { id: 'stripe', name: 'Stripe Payments' },
    });
    expect(
      (
        await call(stack, 'POST', '/platform-api/connections', {
          body: { operatorId: 'op-a', connectorId: 'stripe' },
        })
      ).status,
    ).toBe(201);
  });
});

describe('paging', () => {
  it('pages 7 projects 3 + 3 + 1 with no duplicates, in id order', async () => {
    for (let i = 1; i <= 7; i += 1) {
      await call(stack, 'POST', '/platform-api/projects', { body: { id: `paged-${i}`, name: `Paged ${i}` } });
    }
    // other projects exist too (bot, commerce); page only over a filterless list and pick ours
    const all = (await pageIds(stack, '/platform-api/projects', 3)).flat();
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((id) => id.startsWith('paged-'))).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((i) => `paged-${i}`),
    );

    const accountsPages = await pageIds(stack, '/platform-api/projects', 200);
    expect(accountsPages).toHaveLength(1);
  });

  it('pages a filtered list by full pages', async () => {
    for (let i = 1; i <= 7; i += 1) {
      await call(stack, 'POST', '/platform-api/connectors', {
        body: { id: `pc-${i}`, name: `Paged connector ${i}` },
      });
      await call(stack, 'POST', '/platform-api/connections', {
        body: { id: `pcx-${i}`, operatorId: 'op-b', connectorId: `pc-${i}` },
      });
    }
    const pages = await pageIds(stack, '/platform-api/connections?operatorId=op-b', 3);
    const ids = pages.flat();
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]); // 7 + the op-b/sms connection
    expect(new Set(ids).size).toBe(8);
  });

  it('rejects a cursor of another list or another filter, and a forged one', async () => {
    const first = await call(stack, 'GET', '/platform-api/projects?limit=2');
    const cursor = encodeURIComponent(first.body.nextCursor);
    for (const path of [
      `/platform-api/operators?cursor=${cursor}`,
      `/platform-api/connections?operatorId=op-a&cursor=${cursor}`,
      '/platform-api/projects?cursor=bm90LWEtY3Vyc29y',
    ]) {
      const answer = await call(stack, 'GET', path);
      expect([answer.status, answer.body.code]).toEqual([400, 'INVALID_CURSOR']);
    }
    const filtered = await call(stack, 'GET', '/platform-api/connections?operatorId=op-b&limit=1');
    const other = await call(
      stack,
      'GET',
      `/platform-api/connections?operatorId=op-a&cursor=${encodeURIComponent(filtered.body.nextCursor)}`,
    );
    expect(other.status).toBe(400);
  });

  it.each(['0', '201', 'ten', '-1'])('rejects limit=%s with 400', async (limit) => {
    const answer = await call(stack, 'GET', `/platform-api/operators?limit=${limit}`);
    expect([answer.status, answer.body.errors?.[0]?.name]).toEqual([400, 'limit']);
  });
});
