import { idParams, projectPatchBody, projectView } from '#lib/contracts/platform-registry.ts';
import { projects } from '#lib/domain/registry/registry.ts';
import { ifMatchVersion, resource } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** PATCH /platform-api/projects/{id} — changes a project; `If-Match: <version>` makes a stale write a 409. */
export const handler = httpRoute(
  'registry-projects-update',
  { params: idParams, body: projectPatchBody, response: projectView, idempotent: true, ifMatch: true },
  async ({ params, body, headers, principal, runtime }) => {
    const project = await projects.update(
      runtime,
      principal.tenantId,
      params.id,
      body,
      ifMatchVersion(headers),
    );
    return resource(projects.view(project));
  },
);
