import type { MessagePort } from 'node:worker_threads';
import type { InMemoryRateLimiter, RateDecision, RateLimit, RateLimiter } from '#lib/domain/rate-limit.ts';

/**
 * One set of rate-limit buckets for the whole local runtime: the main thread owns them and each
 * Lambda worker thread takes its tokens over a MessagePort, so a key's limit holds however its
 * requests are spread over the workers (as the DuckDB store is shared, lib/stores/duckdb/store-channel.ts).
 */
interface TakeRequest {
  id: number;
  keyId: string;
  limit: RateLimit;
}
interface TakeReply {
  id: number;
  decision: RateDecision;
}

/** Answers the takes that arrive on `port` from `limiter` (main thread). */
export function serveRateLimiter(limiter: InMemoryRateLimiter, port: MessagePort): void {
  port.on('message', ({ id, keyId, limit }: TakeRequest) => {
    port.postMessage({ id, decision: limiter.takeNow(keyId, limit) } satisfies TakeReply);
  });
  // The workers' ends keep the channel open; this end must not keep the main thread alive.
  port.unref();
}

/** The worker thread's limiter: each take is a round trip to the main thread's buckets. */
export class RateLimiterClient implements RateLimiter {
  readonly #port: MessagePort;
  readonly #pending = new Map<number, (decision: RateDecision) => void>();
  #nextId = 1;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', ({ id, decision }: TakeReply) => {
      const resolve = this.#pending.get(id);
      this.#pending.delete(id);
      resolve?.(decision);
    });
    port.unref();
  }

  take(keyId: string, limit: RateLimit): Promise<RateDecision> {
    const id = this.#nextId++;
    return new Promise((resolve) => {
      this.#pending.set(id, resolve);
      this.#port.postMessage({ id, keyId, limit } satisfies TakeRequest);
    });
  }
}
