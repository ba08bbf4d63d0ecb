import { apiKeyView, keyIdParams, keyPatchBody } from '#lib/contracts/platform-registry.ts';
import { updateKey } from '#lib/domain/registry/api-key-admin.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/keys/{keyId} — renames a key or changes its rate limits. */
export const handler = httpRoute(
  'registry-keys-update',
  { params: keyIdParams, body: keyPatchBody, response: apiKeyView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) =>
    resource(await updateKey(runtime, principal.tenantId, params.keyId, body, ifMatchVersion(headers))),
);
