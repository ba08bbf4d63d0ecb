import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { DuckDbTimeSeriesStore, type DuckDbTimeSeriesStoreOptions } from './duckdb-time-series-store.ts';
import { serveTimeSeriesStore } from './store-channel.ts';

/**
 * The DuckDB store's own thread (started by threaded-store.ts): it opens the database and answers
 * every client port it is handed, so appends, commits and queries never hold up the thread that
 * serves HTTP.
 */
export type StoreThreadCommand = { type: 'connect'; port: MessagePort } | { type: 'close' };
export type StoreThreadReport =
  | { type: 'ready' }
  | { type: 'failed'; name: string; message: string }
  | { type: 'closed' };

const parent = parentPort;
if (!parent) throw new Error('store-thread.ts runs only as a worker thread (see threaded-store.ts)');
const options = workerData as Omit<DuckDbTimeSeriesStoreOptions, 'faults'>;

try {
  const store = await DuckDbTimeSeriesStore.open(options);
  parent.on('message', (command: StoreThreadCommand) => {
    if (command.type === 'connect') {
      serveTimeSeriesStore(store, command.port);
      return;
    }
    void store.close().then(() => {
      parent.postMessage({ type: 'closed' } satisfies StoreThreadReport);
      parent.close();
    });
  });
  parent.postMessage({ type: 'ready' } satisfies StoreThreadReport);
} catch (error) {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  parent.postMessage({ type: 'failed', name, message } satisfies StoreThreadReport);
}
