import { idParams, projectView } from '#lib/contracts/platform-registry.ts';
import { projects } from '#lib/domain/registry/registry.ts';
import { resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** GET /platform-api/projects/{id} — one project, with its version as ETag. */
export const handler = httpRoute(
  'registry-projects-get',
  { params: idParams, response: projectView },
  async ({ params, principal, runtime }) =>
    resource(projects.view(await projects.get(runtime, principal.tenantId, params.id))),
);
