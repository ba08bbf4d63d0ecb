import { projectCreateBody, projectView } from '#lib/contracts/platform-registry.ts';
import { projects } from '#lib/domain/registry/registry.ts';
import { created } from '#lib/http/resources.ts';
import { httpRoute } from '#lib/http/route.ts';

/** POST /platform-api/projects — registers a project (the client may bring its own id); 201 with it. */
export const handler = httpRoute(
  'registry-projects-create',
  { body: projectCreateBody, response: projectView, status: 201, idempotent: true },
  async ({ body, principal, runtime }) => {
    const project = await projects.create(runtime, principal.tenantId, body);
    return created(`/platform-api/projects/${encodeURIComponent(project.id)}`, projects.view(project));
  },
);
