/**
 * The yata-local install used by the compatibility tests: it must load, use
 * better-sqlite3 12, and never leave the files that musubix-core's
 * postinstall copies into the installing folder.
 */

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

import { ensureOracle, ORACLE_DIR, POSTINSTALL_ARTIFACTS } from './oracle/install.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

function version(packageDir: string): string {
  return (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}

describe('yata-local oracle install', () => {
  it('installs yata-local 2.4.6 on better-sqlite3 12', async () => {
    await ensureOracle();
    const modules = join(ORACLE_DIR, 'node_modules');
    expect(version(join(modules, '@nahisaho', 'yata-local'))).toBe('2.4.6');
    expect(version(join(modules, 'better-sqlite3'))).toMatch(/^12\./);
  }, 600_000);

  it('leaves no postinstall files behind', async () => {
    await ensureOracle();
    for (const dir of [repoRoot, ORACLE_DIR]) {
      for (const name of POSTINSTALL_ARTIFACTS) {
        expect(existsSync(join(dir, name)), `${join(dir, name)} exists`).toBe(false);
      }
    }
  }, 600_000);

  it('keeps yata-local out of the package dependencies', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      expect(Object.keys(manifest[field] ?? {}), field).not.toContain('@nahisaho/yata-local');
    }
    expect(existsSync(join(repoRoot, 'node_modules', '@nahisaho', 'yata-local'))).toBe(false);
  });
});
