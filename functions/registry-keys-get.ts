import { apiKeyView, keyIdParams } from '#lib/contracts/platform-registry.ts';
import { getKey } from '#lib/domain/registry/api-key-admin.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/keys/{keyId} — one key of the tenant (another tenant's key is a 404). */
export const handler = httpRoute(
  'registry-keys-get',
  { params: keyIdParams, response: apiKeyView },
  async ({ params, principal, runtime }) => resource(await getKey(runtime, principal.tenantId, params.keyId)),
);
