import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Where `npm start`, the admin CLI and `invoke` keep the embedded stores. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.METERHOUSE_DATA_DIR || '.data');
}

/** What a running `npm start` tells other local tools (the admin CLI) about itself. */
export interface RuntimeFile {
  pid: number;
  url: string;
  dynamodbEndpoint: string;
  startedAt: string;
}

const runtimeFile = (dir: string) => join(dir, 'runtime.json');

export function writeRuntimeFile(dir: string, value: RuntimeFile): void {
  writeFileSync(runtimeFile(dir), `${JSON.stringify(value, null, 2)}\n`);
}

export function removeRuntimeFile(dir: string): void {
  rmSync(runtimeFile(dir), { force: true });
}

/** The running server's details, or undefined when none runs (a stale file of a dead pid is ignored). */
export function readRuntimeFile(dir: string): RuntimeFile | undefined {
  const path = runtimeFile(dir);
  if (!existsSync(path)) return undefined;
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as RuntimeFile;
    process.kill(value.pid, 0);
    return value;
  } catch {
    return undefined;
  }
}
