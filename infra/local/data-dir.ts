import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Where `npm start`, the admin CLI and `invoke` keep the embedded stores. */
export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env.METERHOUSE_DATA_DIR || '.data');
}

/** Directories of the data dir are 0700 and files 0600: every tenant's configuration and events. */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Makes the data dir private to its owner before a store opens it: creates it 0700, sets the
 * process umask to 077 so that what DuckDB and LevelDB create later is 0600 (they take no mode of
 * their own), and tightens whatever is already there and readable by others (a data dir of an
 * earlier version, or one restored from a backup): tightening, not refusing, because the owner
 * can only mean to keep their own store private, and the warning says what changed. An entry
 * owned by another user is refused: chmod could not help, and that user could change it back.
 * Returns the entries it tightened.
 */
export function securePrivateDataDir(dir: string): string[] {
  // The umask is per process and worker threads may not set it; the checks below still hold there.
  if (isMainThread) process.umask(0o077);
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const uid = process.getuid?.();
  const tightened: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (uid !== undefined && stat.uid !== uid) {
      throw new Error(
        `${path} belongs to user ${stat.uid}, not to the user running Meterhouse (${uid}); the data dir ` +
          'must be owned by its user alone. Fix the owner, or point METERHOUSE_DATA_DIR elsewhere.',
      );
    }
    if (stat.isSymbolicLink()) return;
    const wanted = stat.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((stat.mode & 0o777) !== wanted) {
      chmodSync(path, wanted);
      tightened.push(path);
    }
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return tightened;
}

/** The warning for `securePrivateDataDir`'s result, or undefined when nothing changed. */
export function tightenedWarning(dir: string, tightened: readonly string[]): string | undefined {
  if (tightened.length === 0) return undefined;
  const shown = tightened.slice(0, 5).join(', ');
  const more = tightened.length > 5 ? ` and ${tightened.length - 5} more` : '';
  return (
    `meterhouse: ${dir} was readable by other users; made ${tightened.length} entries owner-only ` +
    `(directories 0700, files 0600): ${shown}${more}`
  );
}

/** What a running `npm start` tells other local tools (the admin CLI) about itself. */
export interface RuntimeFile {
  pid: number;
  url: string;
  dynamodbEndpoint: string;
  /** The embedded DynamoDB refuses every request not signed with this access key id. */
  dynamodbAccessKeyId: string;
  startedAt: string;
}

const runtimeFile = (dir: string) => join(dir, 'runtime.json');

/**
 * Written 0600: it holds the embedded DynamoDB's access key id. Removed first, because a write
 * keeps the mode of a file that exists (one left by a crashed run of an earlier version).
 */
export function writeRuntimeFile(dir: string, value: RuntimeFile): void {
  removeRuntimeFile(dir);
  writeFileSync(runtimeFile(dir), `${JSON.stringify(value, null, 2)}\n`, {
    mode: PRIVATE_FILE_MODE,
    flag: 'wx',
  });
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
    return typeof value.dynamodbAccessKeyId === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}
