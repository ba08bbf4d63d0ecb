import { DuckDbTimeSeriesStore } from '#lib/stores/duckdb/duckdb-time-series-store.ts';

/**
 * Child process for the DuckDB file-lock test: opens the store on argv[2], says "ready", and holds
 * the file until its stdin closes.
 */
const path = process.argv[2];
if (path === undefined) throw new Error('usage: duckdb-file-holder.ts <database file>');
const store = await DuckDbTimeSeriesStore.open({ path });
process.stdout.write('ready\n');
process.stdin.resume();
process.stdin.on('end', () => {
  void store.close().then(() => process.exit(0));
});
