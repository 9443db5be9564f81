/**
 * Installs `@nahisaho/yata-local` 2.4.6, the predecessor that the
 * compatibility tests compare against, into tests/oracle/node_modules.
 *
 * `npm install --ignore-scripts` keeps every install script from running:
 * in particular the postinstall of its peer `@nahisaho/musubix-core`, which
 * copies AGENTS.md, CLAUDE.md, .claude/ and .github/ into the installing
 * folder. Only better-sqlite3 is then built, with `npm rebuild
 * better-sqlite3` (allowed by `allowScripts` in tests/oracle/package.json).
 * A lock directory keeps test files that run in parallel from installing at
 * the same time.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ORACLE_DIR = dirname(fileURLToPath(import.meta.url));
const YATA_LOCAL_DIR = join(ORACLE_DIR, 'node_modules', '@nahisaho', 'yata-local');
const SQLITE_BINARY = join(ORACLE_DIR, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
const LOCK_DIR = join(ORACLE_DIR, '.install-lock');
/**
 * A lock older than this is taken to be left over from a killed run. The
 * source build of better-sqlite3 took under 2 minutes when these tests were
 * written, so a live install stays well below it.
 */
const STALE_LOCK_MS = 15 * 60_000;
const POLL_MS = 500;

function installed(): boolean {
  return existsSync(join(YATA_LOCAL_DIR, 'package.json')) && existsSync(SQLITE_BINARY);
}

function npm(args: string[]): void {
  const result = spawnSync('npm', args, { cwd: ORACLE_DIR, encoding: 'utf8', shell: process.platform === 'win32' });
  if (result.status !== 0) {
    throw new Error(
      `'npm ${args.join(' ')}' in ${ORACLE_DIR} failed with exit code ${result.status}:\n${result.stderr || result.error}`,
    );
  }
}

function tryLock(): boolean {
  try {
    mkdirSync(LOCK_DIR);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    try {
      if (Date.now() - statSync(LOCK_DIR).mtimeMs > STALE_LOCK_MS) rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch {
      // The holder released the lock between the two calls.
    }
    return false;
  }
}

/**
 * Installs yata-local when it is missing and returns the `file:` URL of its
 * entry module, for `await import(url)`.
 */
export async function ensureOracle(): Promise<string> {
  const entry = pathToFileURL(join(YATA_LOCAL_DIR, 'dist', 'index.js')).href;
  while (!installed()) {
    if (!tryLock()) {
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      continue;
    }
    try {
      if (!existsSync(join(YATA_LOCAL_DIR, 'package.json'))) npm(['install', '--ignore-scripts', '--no-audit', '--no-fund']);
      if (!existsSync(SQLITE_BINARY)) npm(['rebuild', 'better-sqlite3']);
    } finally {
      rmSync(LOCK_DIR, { recursive: true, force: true });
    }
  }
  return entry;
}

/** Files that musubix-core's postinstall would create; the oracle test checks they never appear. */
export const POSTINSTALL_ARTIFACTS = ['AGENTS.md', 'CLAUDE.md', '.claude', '.github'];
