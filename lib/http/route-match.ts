import type { RouteEntry } from '../manifest-types.ts';

export interface RouteMatch<R extends RouteEntry> {
  route: R;
  pathParameters: Record<string, string>;
}

interface CompiledRoute<R> {
  route: R;
  pattern: RegExp;
  names: string[];
  staticSegments: number;
}

function compile<R extends RouteEntry>(route: R): CompiledRoute<R> {
  const names: string[] = [];
  let staticSegments = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{([A-Za-z0-9_]+)(\+?)\}$/.exec(segment);
      if (!param) {
        if (segment) staticSegments += 1;
        return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      }
      names.push(param[1] ?? '');
      return param[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}/?$`), names, staticSegments };
}

/**
 * Matches requests against the manifest the way API Gateway HTTP APIs do: the most specific
 * route wins (more literal segments first), path parameters are URL-decoded, and `$default`
 * catches what nothing else matches. Used by the local runtime and the catch-all handler alike.
 */
export class RouteMatcher<R extends RouteEntry> {
  readonly #compiled: CompiledRoute<R>[];
  readonly #fallback: R | undefined;

  constructor(routes: readonly R[]) {
    this.#compiled = routes
      .filter((route) => route.path !== '$default')
      .map(compile)
      .sort((a, b) => b.staticSegments - a.staticSegments);
    this.#fallback = routes.find((route) => route.path === '$default');
  }

  /** The route for this method and path; else the `$default` route, if declared. */
  match(method: string, path: string): RouteMatch<R> | undefined {
    if (hasDotSegment(path))
      return this.#fallback ? { route: this.#fallback, pathParameters: {} } : undefined;
    for (const candidate of this.#compiled) {
      if (candidate.route.method !== method && candidate.route.method !== 'ANY') continue;
      const found = candidate.pattern.exec(path);
      if (!found) continue;
      const pathParameters: Record<string, string> = {};
      candidate.names.forEach((name, i) => {
        pathParameters[name] = safeDecode(found[i + 1] ?? '');
      });
      return { route: candidate.route, pathParameters };
    }
    return this.#fallback ? { route: this.#fallback, pathParameters: {} } : undefined;
  }

  /** Methods declared for a path (for 405 and the Allow header); empty when the path is unknown. */
  allowedMethods(path: string): string[] {
    if (hasDotSegment(path)) return [];
    const methods = this.#compiled
      .filter((candidate) => candidate.pattern.test(path))
      .map((candidate) => candidate.route.method);
    return [...new Set(methods)].sort();
  }
}

/**
 * `.` and `..` segments, also percent-encoded (`%2e`, `.%2E`): no route has them, and they are
 * never resolved into another route's path (`/platform-api/operators/.` is not the list).
 */
function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => /^(?:\.|%2e){1,2}$/i.test(segment));
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
