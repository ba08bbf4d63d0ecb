import { apiKeyCreatedView, keyCreateBody } from '#lib/contracts/platform-registry.ts';
import { createKey } from '#lib/domain/registry/api-key-admin.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/keys — issues a key; 201 with the full key, which is never shown again. */
export const handler = httpRoute(
  'registry-keys-create',
  { body: keyCreateBody, response: apiKeyCreatedView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const { view, key } = await createKey(runtime, principal.tenantId, body);
    return created(`/platform-api/keys/${view.keyId}`, { ...view, key });
  },
);
