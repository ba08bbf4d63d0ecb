import { listResponse, pageQuery, projectView } from '#lib/contracts/platform-registry.ts';
import { projects } from '#lib/domain/registry/registry.ts';
import { page } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/projects — the tenant's projects in id order, paged. */
export const handler = httpRoute(
  'registry-projects-list',
  { query: pageQuery, response: listResponse(projectView) },
  async ({ query, principal, runtime }) =>
    page(await projects.list(runtime, principal.tenantId, query), projects.view),
);
