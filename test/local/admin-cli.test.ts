import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runScript, startScript, stopProcess } from '../support/processes.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'meterhouse-admin-'));
const env = { METERHOUSE_DATA_DIR: dataDir };
const admin = (...args: string[]) => runScript('infra/local/admin-cli.ts', args, env);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('admin CLI', () => {
  let tenantId = '';
  let accountKeyId = '';

  it('creates a tenant with a platform and an ingest key, printing JSON only', async () => {
    const result = await admin('tenants', 'create', '--name', 'Acme Platform');
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as {
      tenantId: string;
      keys: { platform: string; ingest: string };
    };
    expect(created.tenantId).toMatch(/^ten_[0-9a-f]{16}$/);
    expect(created.keys.platform).toMatch(/^mh_platform_/);
    expect(created.keys.ingest).toMatch(/^mh_ingest_/);
    tenantId = created.tenantId;
  });

  it('creates an account key with rate limits', async () => {
    const result = await admin(
      'keys',
      'create',
      '--tenant',
      tenantId,
      '--role',
      'account',
      '--account',
      'acct_42',
      '--per-minute',
      '100',
      '--per-hour',
      '1000',
      '--per-day',
      '10000',
    );
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as { keyId: string; key: string };
    expect(created.key).toMatch(/^mh_account_[0-9a-f]{16}_/);
    accountKeyId = created.keyId;
  });

  it('lists keys without their secrets or hashes', async () => {
    const result = await admin('keys', 'list', '--tenant', tenantId);
    const { keys } = JSON.parse(result.stdout) as { keys: Record<string, unknown>[] };
    expect(keys.map((k) => k.role).sort()).toEqual(['account', 'ingest', 'platform']);
    const account = keys.find((k) => k.keyId === accountKeyId);
    expect(account).toMatchObject({
      accountId: 'acct_42',
      status: 'active',
      rateLimits: { requestsPerMinute: 100, requestsPerHour: 1000, requestsPerDay: 10000 },
    });
    expect(result.stdout).not.toMatch(/secretHash|mh_\w+_[0-9a-f]{16}_/);
  });

  it('refuses bad input with a clear message and a non-zero exit', async () => {
    const badRole = await admin('keys', 'create', '--tenant', tenantId, '--role', 'wizard');
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toMatch(/--role must be one of platform, ingest, account/);
    const noTenant = await admin('keys', 'create', '--tenant', 'ten_0000000000000000', '--role', 'ingest');
    expect(noTenant.code).toBe(1);
    expect(noTenant.stderr).toMatch(/No tenant ten_0000000000000000/);
    const noAccount = await admin('keys', 'create', '--tenant', tenantId, '--role', 'account');
    expect(noAccount.stderr).toMatch(/must name its account/);
    const unknown = await admin('keys', 'rotate');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
  });

  it('works while npm start holds the data directory, through its embedded endpoint', async () => {
    const server = await startScript(
      'infra/local/main.ts',
      { ...env, PORT: '0' },
      /running at (http:\/\/\S+)/,
    );
    try {
      // The file names the embedded DynamoDB's access key id: its owner alone may read it.
      expect(statSync(join(dataDir, 'runtime.json')).mode & 0o777).toBe(0o600);
      const revoked = await admin('keys', 'revoke', '--key-id', accountKeyId);
      expect(revoked.code).toBe(0);
      expect(JSON.parse(revoked.stdout)).toMatchObject({ keyId: accountKeyId, status: 'revoked' });
      const listed = await admin('keys', 'list', '--tenant', tenantId);
      const { keys } = JSON.parse(listed.stdout) as { keys: { keyId: string; status: string }[] };
      expect(keys.find((k) => k.keyId === accountKeyId)?.status).toBe('revoked');
    } finally {
      expect(await stopProcess(server.child)).toBe(0);
    }
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    // After the server has stopped the CLI opens the store itself again.
    const again = await admin('keys', 'list', '--tenant', tenantId);
    expect(again.code).toBe(0);
  });
});
