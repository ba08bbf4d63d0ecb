export interface DependencyCheck {
  name: string;
  check: () => Promise<void>;
}

export interface ReadinessReport {
  status: 'ready' | 'unavailable';
  checks: { name: string; status: 'up' | 'down'; detail?: string; durationMs: number }[];
}

const CHECK_TIMEOUT_MS = 2_000;

/** Runs every check at once, each bounded in time; one failure makes the service unavailable. */
export async function checkReadiness(checks: readonly DependencyCheck[]): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(
              () => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)),
              CHECK_TIMEOUT_MS,
            );
          }),
        ]);
        return { name, status: 'up' as const, durationMs: Math.round(performance.now() - started) };
      } catch (error) {
        return {
          name,
          status: 'down' as const,
          detail: error instanceof Error ? error.message : String(error),
          durationMs: Math.round(performance.now() - started),
        };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { status: results.every((r) => r.status === 'up') ? 'ready' : 'unavailable', checks: results };
}
