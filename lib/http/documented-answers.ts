import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { logger } from './logger.ts';
import type { RouteStatuses } from './route-docs.ts';

/**
 * The statuses a route declares (route-docs.ts `routeStatuses`, the same set the OpenAPI document
 * lists) are checked against every answer it gives, so the document cannot drift from the code.
 *
 * Why statuses checked at the exit rather than error classes declared per handler: the classes
 * already carry their status (lib/domain/errors.ts), but which of them a handler's services raise
 * is spread over lib/ (windows, registry, stores) and TypeScript cannot check a `throws` list, so
 * declaring classes would be as unverified as declaring statuses, only wordier. One check where
 * every answer leaves the stack verifies the declaration against real traffic (every HTTP test and
 * the fuzz suite), and also sees statuses no DomainError carries: a handler's own `status`, middy's
 * 415, an idempotent replay.
 *
 * A mismatch never changes the answer: it is logged as an error (an alarm in production) and
 * recorded here; test/support/documented-answers.ts fails the test during which one was recorded.
 */

export interface UndocumentedAnswer {
  route: string;
  status: number;
  /** The problem document's `code`, when the answer is one. */
  code?: string;
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** At most one entry per route and status: bounded however long a process runs. */
const undocumented = new Map<string, UndocumentedAnswer>();

/** Answers given since the last `takeUndocumentedAnswers`, whose status their route does not document. */
export function takeUndocumentedAnswers(): UndocumentedAnswer[] {
  const taken = [...undocumented.values()];
  undocumented.clear();
  return taken;
}

/** `handler`, with each of its answers checked against the route's documented statuses. */
export function checkingDocumentedAnswers(route: string, statuses: RouteStatuses, handler: Handler): Handler {
  const documented = new Set<number>([...statuses.body, ...statuses.problems]);
  return async (event, context) => {
    const answer = await handler(event, context);
    const status = answer.statusCode ?? 200;
    if (!documented.has(status)) {
      const code = problemCode(answer.body);
      const found: UndocumentedAnswer = { route, status, ...(code ? { code } : {}) };
      undocumented.set(`${route} ${status}`, found);
      logger.error('answered a status its route does not document', { ...found });
    }
    return answer;
  };
}

function problemCode(body: string | undefined): string | undefined {
  try {
    const code = (JSON.parse(body ?? '') as { code?: unknown } | null)?.code;
    return typeof code === 'string' ? code : undefined;
  } catch {
    return undefined;
  }
}
