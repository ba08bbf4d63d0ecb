import { logger } from '#lib/http/logger.ts';

export type LogLine = Record<string, unknown> & { level: string; message: string };

/**
 * Collects the JSON log lines written to this process's stdout (Powertools writes there; the Lambda
 * worker threads' stdout is piped into it), with this thread's logger at DEBUG. Tests start
 * worker threads after setting POWERTOOLS_LOG_LEVEL for theirs.
 */
export function captureLogs(): { lines: LogLine[]; stop(): void } {
  const lines: LogLine[] = [];
  const write = process.stdout.write;
  let partial = '';
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    partial += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    const complete = partial.split('\n');
    partial = complete.pop() ?? '';
    for (const text of complete) {
      try {
        const parsed = JSON.parse(text) as LogLine;
        if (typeof parsed.level === 'string') lines.push(parsed);
      } catch {
        // Not a log line (test output): left alone.
      }
    }
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  const level = logger.getLevelName();
  logger.setLogLevel('DEBUG');
  return {
    lines,
    stop: () => {
      process.stdout.write = write;
      logger.setLogLevel(level);
    },
  };
}
