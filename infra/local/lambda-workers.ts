import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import { InMemoryRateLimiter } from '#lib/domain/rate-limit.ts';
import { logger } from '#lib/http/logger.ts';
import { serveRateLimiter } from './rate-limit-channel.ts';

/** What a worker thread receives at start (lambda-worker.ts). */
export interface LambdaWorkerData {
  dynamodbEndpoint: string;
  /** The embedded DynamoDB refuses requests without it (dynalite-auth.ts). */
  dynamodbAccessKeyId: string;
  functions: readonly string[];
  /** Its end of the channel to the main thread's DuckDB store. */
  timeSeriesPort: MessagePort;
  /** Its end of the channel to the rate-limit buckets all workers share (rate-limit-channel.ts). */
  rateLimitPort: MessagePort;
}

export interface InvokeMessage {
  id: number;
  functionName: string;
  event: unknown;
  timeoutSeconds: number;
  /** The request body still to add to the event (withApiGatewayBody), moved here without a copy. */
  body?: ArrayBuffer;
}

/** The body's bytes in an ArrayBuffer of their own, which a transfer may take away. */
function ownBuffer(body: Buffer): ArrayBuffer {
  if (
    body.byteOffset === 0 &&
    body.byteLength === body.buffer.byteLength &&
    body.buffer instanceof ArrayBuffer
  ) {
    return body.buffer;
  }
  return body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer;
}

export type WorkerReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; result: unknown }
  | { type: 'error'; id: number; message: string; stack?: string };

export interface LambdaWorkers {
  /** Runs the function in the worker with the fewest invocations in flight. */
  invoke(functionName: string, event: unknown, timeoutSeconds: number, body?: Buffer): Promise<unknown>;
  /** Invocations dispatched so far to each worker (a replaced worker's count carries on). */
  invocations(): number[];
  /** The thread of each worker, current one (for tests: terminating one simulates a crash). */
  threads(): readonly Worker[];
  close(): Promise<void>;
}

interface Environment {
  readonly slot: number;
  readonly worker: Worker;
  readonly inFlight: Map<number, { resolve(value: unknown): void; reject(error: Error): void }>;
  ready: boolean;
  exited: boolean;
}

const WORKER_URL = new URL('./lambda-worker.ts', import.meta.url);
/**
 * A 1,000-event batch is a few MB of objects that die with its request: a young generation this
 * big lets most of them die there (measured with the ingest benchmark: less GC, ~5 % more events/s).
 */
export const YOUNG_GENERATION_MB = 96;

/**
 * Lambda execution environments for the local runtime: `count` worker threads, each with its own
 * copy of the handlers and its own runtime, so handler work runs in parallel as concurrent Lambda
 * invocations do. DuckDB allows one database per process, so the store stays in the main thread
 * and each worker reaches it over a MessagePort; dynalite they reach over HTTP like any client.
 * Resolves once every worker has loaded its handlers; rejects if any of them fails to.
 */
export async function startLambdaWorkers(options: {
  count: number;
  dynamodbEndpoint: string;
  dynamodbAccessKeyId: string;
  /** A port to the time-series store for one more client (EmbeddedStores.connectTimeSeries). */
  connectTimeSeries: () => MessagePort;
  functions: readonly string[];
  /** The buckets every worker takes its tokens from; one of their own by default. */
  rateLimiter?: InMemoryRateLimiter;
}): Promise<LambdaWorkers> {
  if (!Number.isInteger(options.count) || options.count < 1) {
    throw new Error(`Lambda workers: count must be a positive integer, got ${options.count}`);
  }
  const invocations = Array.from({ length: options.count }, () => 0);
  let closing = false;
  let nextId = 1;
  const rateLimiter = options.rateLimiter ?? new InMemoryRateLimiter();

  function start(slot: number): { environment: Environment; ready: Promise<void> } {
    const timeSeriesPort = options.connectTimeSeries();
    const rateLimits = new MessageChannel();
    serveRateLimiter(rateLimiter, rateLimits.port1);
    const workerData: LambdaWorkerData = {
      dynamodbEndpoint: options.dynamodbEndpoint,
      dynamodbAccessKeyId: options.dynamodbAccessKeyId,
      functions: options.functions,
      timeSeriesPort,
      rateLimitPort: rateLimits.port2,
    };
    const worker = new Worker(WORKER_URL, {
      workerData,
      transferList: [timeSeriesPort, rateLimits.port2],
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
    });
    const environment: Environment = { slot, worker, inFlight: new Map(), ready: false, exited: false };
    let failure: Error | undefined;
    const ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (reply: WorkerReply) => {
        if (reply.type === 'ready') {
          environment.ready = true;
          resolve();
          return;
        }
        const pending = environment.inFlight.get(reply.id);
        if (!pending) return;
        environment.inFlight.delete(reply.id);
        if (reply.type === 'result') pending.resolve(reply.result);
        else pending.reject(Object.assign(new Error(reply.message), { stack: reply.stack }));
      });
      worker.on('error', (error) => {
        failure = error;
        reject(error);
      });
      worker.on('exit', (code) => {
        environment.exited = true;
        rateLimits.port1.close();
        const reason = closing
          ? 'the local runtime is shutting down'
          : `it exited with code ${code}${failure ? `: ${failure.message}` : ''}`;
        const error = new Error(`Lambda worker ${slot} stopped before answering: ${reason}`);
        reject(error);
        for (const pending of environment.inFlight.values()) pending.reject(error);
        environment.inFlight.clear();
        // A worker that never got ready is not replaced: it would fail the same way again.
        if (!closing && environment.ready) {
          logger.error('Lambda worker died; starting another', { slot, code, error: failure });
          const replacement = start(slot);
          environments[slot] = replacement.environment;
          replacement.ready.catch((startError: unknown) =>
            logger.error('replacement Lambda worker failed to start', { slot, error: startError as Error }),
          );
        }
      });
    });
    return { environment, ready };
  }

  const started = Array.from({ length: options.count }, (_, slot) => start(slot));
  const environments = started.map((s) => s.environment);

  const close = async (): Promise<void> => {
    closing = true;
    await Promise.all(environments.map((environment) => environment.worker.terminate()));
  };

  try {
    await Promise.all(started.map((s) => s.ready));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    invoke(functionName, event, timeoutSeconds, body) {
      if (closing) return Promise.reject(new Error('The Lambda workers are closed'));
      const environment = leastBusy(environments);
      if (!environment) return Promise.reject(new Error('No Lambda worker is running'));
      return new Promise((resolve, reject) => {
        const id = nextId++;
        if (body) {
          const bytes = ownBuffer(body);
          const message: InvokeMessage = { id, functionName, event, timeoutSeconds, body: bytes };
          environment.worker.postMessage(message, [bytes]);
        } else {
          environment.worker.postMessage({ id, functionName, event, timeoutSeconds } satisfies InvokeMessage);
        }
        environment.inFlight.set(id, { resolve, reject });
        invocations[environment.slot] = (invocations[environment.slot] ?? 0) + 1;
      });
    },
    invocations: () => [...invocations],
    threads: () => environments.map((environment) => environment.worker),
    close,
  };
}

/** Fewest invocations in flight; on a tie, one that has loaded its handlers (no cold start). */
function leastBusy(environments: readonly Environment[]): Environment | undefined {
  let best: Environment | undefined;
  for (const environment of environments) {
    if (environment.exited) continue;
    if (
      !best ||
      environment.inFlight.size < best.inFlight.size ||
      (environment.inFlight.size === best.inFlight.size && environment.ready && !best.ready)
    ) {
      best = environment;
    }
  }
  return best;
}
