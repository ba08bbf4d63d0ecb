import type { MessagePort } from 'node:worker_threads';
import type { TimeSeriesStore, WriteOutcome } from '#lib/domain/ports/time-series.ts';
import * as domainErrors from '../../domain/errors.ts';
import type { UsageEvent } from '../../domain/events.ts';
import type { QueryRow, QuerySpec } from '../../query/spec.ts';
import type { DuckDbTimeSeriesStore } from './duckdb-time-series-store.ts';
import {
  type EncodedEventBatch,
  prepareEventWrite,
  recycleBuffers,
  type StoredRows,
  transferables,
  writeOutcome,
} from './event-encoding.ts';

/**
 * The embedded DuckDB store served to other threads of the process. DuckDB allows one open
 * database per file and process, so the local runtime keeps it in the main thread and its Lambda
 * worker threads reach it through a MessagePort, as a Lambda reaches Timestream over the network.
 * A write is prepared and encoded into data-chunk buffers by the calling thread (event-encoding.ts)
 * and its buffers are transferred, not copied: the thread that owns DuckDB only appends them.
 */
type Request =
  | { id: number; op: 'write'; tenantId: string; batch: EncodedEventBatch }
  | { id: number; op: 'query'; spec: QuerySpec }
  | { id: number; op: 'ping' };

/** A request before the client numbers it. */
type Call = Request extends infer R ? (R extends unknown ? Omit<R, 'id'> : never) : never;

/** `spent`: a write's chunk buffers, moved back for the client to encode its next writes into (recycleBuffers). */
type Response =
  | { id: number; ok: true; value: unknown; spent?: ArrayBuffer[] }
  | { id: number; ok: false; error: SentError; spent?: ArrayBuffer[] };

interface SentError {
  name: string;
  message: string;
  code?: string;
  extensions?: Record<string, unknown>;
}

type DomainErrorClass = new (
  code: string,
  detail: string,
  extensions?: Record<string, unknown>,
) => domainErrors.DomainError;

/** Domain errors keep their class across the port, so the problem mapper answers as it would in-thread. */
const DOMAIN_ERRORS = new Map<string, DomainErrorClass>(
  Object.entries(domainErrors).flatMap(([name, value]) =>
    typeof value === 'function' && value.prototype instanceof domainErrors.DomainError
      ? [[name, value as unknown as DomainErrorClass]]
      : [],
  ),
);

function sendable(error: unknown): SentError {
  if (error instanceof domainErrors.DomainError) {
    return { name: error.name, message: error.message, code: error.code, extensions: error.extensions };
  }
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

function revive(sent: SentError): Error {
  const DomainErrorClass = DOMAIN_ERRORS.get(sent.name);
  if (DomainErrorClass && sent.code !== undefined) {
    return new DomainErrorClass(sent.code, sent.message, sent.extensions);
  }
  const error = new Error(sent.message);
  error.name = sent.name;
  return error;
}

/** The store's thread: answers the client at the other end of `port` until either end closes it. */
export function serveTimeSeriesStore(store: DuckDbTimeSeriesStore, port: MessagePort): void {
  const answer = async (request: Request): Promise<unknown> => {
    switch (request.op) {
      case 'write':
        return store.writeEncoded(request.tenantId, request.batch);
      case 'query':
        return store.query(request.spec);
      case 'ping':
        return store.ping();
    }
  };
  port.on('message', (request: Request) => {
    // Once a write is settled its buffers are done with. Moving them back, rather than leaving them
    // to this thread's GC, keeps the external memory V8 counts here from growing with every write,
    // and each of them that grows makes it mark this thread's whole heap again.
    const spent = () => (request.op === 'write' ? transferables(request.batch.chunks) : []);
    answer(request).then(
      (value) => {
        const buffers = spent();
        port.postMessage({ id: request.id, ok: true, value, spent: buffers } satisfies Response, buffers);
      },
      (error: unknown) => {
        const buffers = spent();
        port.postMessage(
          { id: request.id, ok: false, error: sendable(error), spent: buffers } satisfies Response,
          buffers,
        );
      },
    );
  });
}

/** Worker side: a TimeSeriesStore whose calls run on the store at the other end of `port`. close() closes only the port. */
export class DuckDbStoreClient implements TimeSeriesStore {
  readonly #port: MessagePort;
  readonly #waiting = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  #nextId = 1;
  #closed = false;

  constructor(port: MessagePort) {
    this.#port = port;
    port.on('message', (response: Response) => {
      if (response.spent) recycleBuffers(response.spent);
      const waiting = this.#waiting.get(response.id);
      if (!waiting) return;
      this.#waiting.delete(response.id);
      if (response.ok) waiting.resolve(response.value);
      else waiting.reject(revive(response.error));
    });
    // Only calls in flight keep the thread alive.
    port.unref();
  }

  #call<T>(request: Call, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The time-series store client is closed'));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.#waiting.size === 0) this.#port.ref();
      this.#waiting.set(id, {
        resolve: (value) => {
          this.#settled();
          resolve(value as T);
        },
        reject: (error) => {
          this.#settled();
          reject(error);
        },
      });
      this.#port.postMessage({ ...request, id }, transfer);
    });
  }

  #settled(): void {
    if (this.#waiting.size === 0) this.#port.unref();
  }

  async writeEvents(tenantId: string, events: readonly UsageEvent[]): Promise<WriteOutcome> {
    const prepared = prepareEventWrite(events);
    const { batch } = prepared;
    const stored = await this.#call<StoredRows>(
      { op: 'write', tenantId, batch },
      transferables(batch.chunks),
    );
    return writeOutcome(events, prepared, stored);
  }

  query(spec: QuerySpec): Promise<QueryRow[]> {
    return this.#call({ op: 'query', spec });
  }

  async ping(): Promise<void> {
    await this.#call({ op: 'ping' });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const waiting of this.#waiting.values())
      waiting.reject(new Error('The time-series store client is closed'));
    this.#waiting.clear();
    this.#port.close();
  }
}
