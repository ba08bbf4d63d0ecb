import { afterAll, afterEach } from 'vitest';
import { takeUndocumentedAnswers } from '#lib/http/documented-answers.ts';

/**
 * Set up for every test file (vitest.config.ts): a test during which a route answered a status
 * its OpenAPI document does not list fails, naming the route, the status and the problem code.
 * The routes record such answers themselves (lib/http/documented-answers.ts), so this covers
 * every test that serves a request in this thread, whichever way it sends it.
 */
function failOnUndocumentedAnswers(): void {
  const found = takeUndocumentedAnswers();
  if (found.length === 0) return;
  const lines = found.map(
    ({ route, status, code }) => `${route} answered ${status}${code ? ` ${code}` : ''}`,
  );
  throw new Error(
    `Answers with a status their route does not document (declare it in the route's \`answers\`, ` +
      `or fix the handler), then run \`npm run openapi\`:\n${lines.join('\n')}`,
  );
}

afterEach(failOnUndocumentedAnswers);
afterAll(failOnUndocumentedAnswers);
