import { NotFoundError } from '#lib/domain/errors.ts';
import { MethodNotAllowedError } from '#lib/http/problem.ts';
import { httpRoute } from '#lib/http/route.ts';
import { RouteMatcher } from '#lib/http/route-match.ts';
import { routes } from '#lib/routes.ts';

const matcher = new RouteMatcher(routes);

/** The `$default` route: 405 with `Allow` when the path exists under another method, else 404. */
export const handler = httpRoute(
  'route-not-found',
  { bodyFormat: 'none', answers: [404, 405] },
  async ({ method, path }) => {
    const allowed = matcher.allowedMethods(path);
    if (allowed.length > 0) throw new MethodNotAllowedError(method, allowed);
    throw new NotFoundError('ROUTE_NOT_FOUND', `No endpoint at ${path}`);
  },
);
