import { connectorCreateBody, connectorView } from '#lib/contracts/platform-registry.ts';
import { connectors } from '#lib/domain/registry/registry.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/connectors — registers a connector (the client may bring its own id); 201 with it. */
export const handler = httpRoute(
  'registry-connectors-create',
  { body: connectorCreateBody, response: connectorView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const connector = await connectors.create(runtime, principal.tenantId, body);
    return created(
      `/platform-api/connectors/${encodeURIComponent(connector.id)}`,
      connectors.view(connector),
    );
  },
);
