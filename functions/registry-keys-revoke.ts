import { apiKeyView, keyIdParams } from '#lib/contracts/platform-registry.ts';
import { revokeKey } from '#lib/domain/registry/api-key-admin.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** DELETE /platform-api/keys/{keyId} — revokes the key (it stays listed, `revoked`); 200 with it. */
export const handler = httpRoute(
  'registry-keys-revoke',
  { params: keyIdParams, response: apiKeyView, idempotent: true, ifMatch: true },
  async ({ params, headers, principal, runtime }) =>
    resource(await revokeKey(runtime, principal.tenantId, params.keyId, ifMatchVersion(headers))),
);
