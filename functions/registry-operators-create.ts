import { operatorCreateBody, operatorView } from '#lib/contracts/platform-registry.ts';
import { operators } from '#lib/domain/registry/registry.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/operators — registers an operator (the client may bring its own id); 201 with it. */
export const handler = httpRoute(
  'registry-operators-create',
  { body: operatorCreateBody, response: operatorView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const operator = await operators.create(runtime, principal.tenantId, body);
    return created(`/platform-api/operators/${encodeURIComponent(operator.id)}`, operators.view(operator));
  },
);
