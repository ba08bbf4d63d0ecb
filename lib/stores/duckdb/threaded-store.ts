import { MessageChannel, type MessagePort, Worker } from 'node:worker_threads';
import type { DuckDbTimeSeriesStoreOptions } from './duckdb-time-series-store.ts';
import { claimStoreFile, DuckDbFileLockedError } from './duckdb-time-series-store.ts';
import type { StoreThreadCommand, StoreThreadReport } from './store-thread.ts';

const STORE_THREAD_URL = new URL('./store-thread.ts', import.meta.url);

/**
 * The embedded DuckDB store running in a thread of its own (store-thread.ts). Each client, in
 * whatever thread, gets a port from `connect()` and wraps it in a DuckDbStoreClient
 * (store-channel.ts). The local runtime uses it so that DuckDB's appends and commits run beside
 * the HTTP server and the Lambda worker threads instead of between their requests.
 */
export class DuckDbStoreThread {
  readonly #worker: Worker;
  readonly #release: () => void;
  #closed: Promise<void> | null = null;

  private constructor(worker: Worker, release: () => void) {
    this.#worker = worker;
    this.#release = release;
  }

  /** Opens the store in its thread; rejects as DuckDbTimeSeriesStore.open would (DuckDbFileLockedError…). */
  static async start(options: Omit<DuckDbTimeSeriesStoreOptions, 'faults'>): Promise<DuckDbStoreThread> {
    // DuckDB's own file lock is per process: another thread of this one would not be stopped by it.
    const release = claimStoreFile(options.path);
    try {
      return await DuckDbStoreThread.#spawn(options, release);
    } catch (error) {
      release();
      throw error;
    }
  }

  static #spawn(
    options: Omit<DuckDbTimeSeriesStoreOptions, 'faults'>,
    release: () => void,
  ): Promise<DuckDbStoreThread> {
    // Each write's encoded buffers and outcome die young (see lambda-workers.ts YOUNG_GENERATION_MB).
    const worker = new Worker(STORE_THREAD_URL, {
      workerData: options,
      resourceLimits: { maxYoungGenerationSizeMb: 96 },
    });
    return new Promise((resolve, reject) => {
      const onExit = (code: number) => reject(new Error(`The DuckDB store thread exited with code ${code}`));
      worker.once('error', reject);
      worker.once('exit', onExit);
      worker.once('message', (report: StoreThreadReport) => {
        worker.off('exit', onExit);
        worker.off('error', reject);
        if (report.type === 'ready') {
          resolve(new DuckDbStoreThread(worker, release));
          return;
        }
        void worker.terminate();
        if (report.type === 'failed' && report.name === 'DuckDbFileLockedError') {
          reject(new DuckDbFileLockedError(options.path));
        } else {
          const error = new Error(
            report.type === 'failed' ? report.message : 'The DuckDB store thread stopped',
          );
          if (report.type === 'failed') error.name = report.name;
          reject(error);
        }
      });
    });
  }

  /** A port for one more client of the store (DuckDbStoreClient), usable from any thread. */
  connect(): MessagePort {
    const { port1, port2 } = new MessageChannel();
    this.#worker.postMessage({ type: 'connect', port: port1 } satisfies StoreThreadCommand, [port1]);
    return port2;
  }

  /** Closes the store (writes queued before still complete), then ends its thread. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      this.#worker.once('exit', () => {
        this.#release();
        resolve();
      });
      this.#worker.on('message', (report: StoreThreadReport) => {
        if (report.type === 'closed') void this.#worker.terminate();
      });
      this.#worker.postMessage({ type: 'close' } satisfies StoreThreadCommand);
    });
    return this.#closed;
  }
}
