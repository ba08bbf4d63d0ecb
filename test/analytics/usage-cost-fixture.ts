import { type LocalStack, startLocalStack } from '../support/local-stack.ts';

/** The usage/cost tests' fixed "now": `range` windows end here. */
export const NOW = new Date('2026-11-15T12:30:00Z');

export const llm = (id: string, time: string, extra: Record<string, unknown>) => ({
  id,
  time,
  type: 'llm.request',
  ...extra,
});

// 2 models on 2026-11-01, 20 models on 2026-11-02: a query count must not depend on the group count.
export const FEW_MODELS = Array.from({ length: 2 }, (_, i) =>
  llm(`F${i}`, '2026-11-01T10:00:00Z', { model: `few-${i}` }),
);
export const MANY_MODELS = Array.from({ length: 20 }, (_, i) =>
  llm(`N${i}`, '2026-11-02T10:00:00Z', { model: `many-${i}` }),
);

/** The local stack at NOW with `events` plus the few-and-many-models days ingested. */
export async function startUsageStack(events: readonly Record<string, unknown>[]): Promise<LocalStack> {
  const stack = await startLocalStack({ clock: () => NOW });
  await stack.ingest([...events, ...FEW_MODELS, ...MANY_MODELS]);
  return stack;
}
