import { connectionCreateBody, connectionView } from '#lib/contracts/platform-registry.ts';
import { connections } from '#lib/domain/registry/registry.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/connections — registers a connection (the client may bring its own id); 201 with it. */
export const handler = httpRoute(
  'registry-connections-create',
  { body: connectionCreateBody, response: connectionView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const connection = await connections.create(runtime, principal.tenantId, body);
    return created(
      `/platform-api/connections/${encodeURIComponent(connection.id)}`,
      connections.view(connection),
    );
  },
);
