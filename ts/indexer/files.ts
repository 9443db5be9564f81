/**
 * Discovery of the TypeScript and JavaScript source files under an indexed root.
 */
import { readdirSync, statSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

/** File name endings that count as source files. `.d.ts`, `.d.mts` and `.d.cts` match too. */
export const SOURCE_EXTENSIONS: readonly string[] = [
  '.ts',
  '.tsx',
  '.mts',
  '.cts',
  '.js',
  '.jsx',
  '.mjs',
  '.cjs',
];

/** Directory names skipped anywhere below the root. The root itself is never skipped. */
const SKIPPED_DIRECTORY_NAMES: ReadonlySet<string> = new Set(['node_modules', '.git']);

/** Error codes of an entry that vanished, cannot be read or is a symbolic link loop. Such an entry is skipped. */
const SKIPPABLE_ERROR_CODES: ReadonlySet<string> = new Set([
  'EACCES',
  'EPERM',
  'ENOENT',
  'ENOTDIR',
  'ELOOP',
]);

/** Returns whether `fileName` ends with one of {@link SOURCE_EXTENSIONS}. */
export function isSourceFileName(fileName: string): boolean {
  return SOURCE_EXTENSIONS.some((extension) => fileName.endsWith(extension));
}

/**
 * Lists the source files under `rootDir` as POSIX paths relative to it, sorted by UTF-16 code
 * units so the order does not depend on the locale or the file system.
 *
 * The walk skips `node_modules` and `.git` directories below the root and never follows a symbolic
 * link to a directory, so it cannot loop. A symbolic link to a file is listed under the link's own
 * path, and a dangling or looping link is skipped. A subdirectory that cannot be read (EACCES, EPERM) or that
 * disappears during the walk is skipped. An unreadable root throws the error from `readdirSync`.
 */
export function listSourceFiles(rootDir: string): string[] {
  const found: string[] = [];
  const pending: string[] = [''];

  for (let relDir = pending.pop(); relDir !== undefined; relDir = pending.pop()) {
    const entries = readDirectory(rootDir, relDir);
    for (const entry of entries) {
      const relPath = relDir === '' ? entry.name : relDir + '/' + entry.name;
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORY_NAMES.has(entry.name)) {
          pending.push(relPath);
        }
      } else if (isSourceFileName(entry.name) && isListedFile(rootDir, relPath, entry)) {
        found.push(relPath);
      }
    }
  }

  return found.sort();
}

function readDirectory(rootDir: string, relDir: string): Dirent[] {
  if (relDir === '') {
    return readdirSync(rootDir, { withFileTypes: true });
  }
  try {
    return readdirSync(join(rootDir, relDir), { withFileTypes: true });
  } catch (error) {
    if (isSkippableError(error)) {
      return [];
    }
    throw error;
  }
}

function isListedFile(rootDir: string, relPath: string, entry: Dirent): boolean {
  if (entry.isFile()) {
    return true;
  }
  if (!entry.isSymbolicLink()) {
    return false;
  }
  try {
    return statSync(join(rootDir, relPath)).isFile();
  } catch (error) {
    if (isSkippableError(error)) {
      return false;
    }
    throw error;
  }
}

function isSkippableError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code !== undefined && SKIPPABLE_ERROR_CODES.has(code);
}
