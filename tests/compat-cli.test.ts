/**
 * The `migrate`, `import` and `export` commands, run in-process on a
 * commander program with the global `--db` and `--json` options that the
 * yata-scale CLI defines.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { Command, CommanderError } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';

import { registerCompatCommands } from '../ts/cli/compat-commands.js';
import { createYataScale, MigrationError, StoreNotFoundError, YataScaleError } from '../ts/index.js';

const work = mkdtempSync(join(tmpdir(), 'yata-scale-compat-cli-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Run {
  stdout: string;
  stderr: string;
  error?: unknown;
}

/** Runs one command line; output written to stdout and stderr is captured. */
async function run(...args: string[]): Promise<Run> {
  const program = new Command()
    .option('--db <dir>', 'store directory')
    .option('--json', 'print JSON')
    .exitOverride()
    .configureOutput({ writeErr: () => {}, writeOut: () => {} });
  registerCompatCommands(program);

  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(['node', 'yata-scale', ...args]);
    return { stdout, stderr };
  } catch (error) {
    return { stdout, stderr, error };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

function yataLocalFile(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE entities (id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '',
    file_path TEXT, line INTEGER, description TEXT, metadata TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, updated_at TEXT NOT NULL);
    CREATE TABLE relationships (id TEXT PRIMARY KEY, source_id TEXT NOT NULL, target_id TEXT NOT NULL, type TEXT NOT NULL,
    weight REAL NOT NULL DEFAULT 1.0, metadata TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL)`);
  const at = '2024-01-01T00:00:00.000Z';
  db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run('m', 'module', 'Main', 'app', 'src/main.ts', 1, 'メイン', '{}', at, at);
  db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run('f', 'function', 'run', 'app', null, null, null, '{"entityKind":"Task"}', at, at);
  db.prepare('INSERT INTO relationships VALUES (?, ?, ?, ?, ?, ?, ?)').run('r', 'm', 'f', 'contains', 1, '{"relationKind":"BELONGS_TO"}', at);
  db.close();
}

describe('compat CLI commands', () => {
  const source = join(work, 'knowledge.db');
  const db = join(work, 'store');

  it('migrate prints a JSON summary', async () => {
    yataLocalFile(source);
    const result = await run('--db', db, '--json', 'migrate', source);
    expect(result.error).toBeUndefined();
    const summary = JSON.parse(result.stdout) as { entities: number; relationships: number; checksum: string };
    expect(summary.entities).toBe(2);
    expect(summary.relationships).toBe(1);
    expect(summary.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('migrate rejects a non-empty store unless --merge', async () => {
    const rejected = await run('--db', db, 'migrate', source);
    expect(rejected.error).toBeInstanceOf(MigrationError);
    const merged = await run('--db', db, 'migrate', source, '--merge');
    expect(merged.error).toBeUndefined();
    expect(merged.stdout).toContain('migrated');
    expect(merged.stdout).toContain('1 relationships were already stored unchanged');
    expect(merged.stdout).toContain('verified');
  });

  it('export and import move the store through each format', async () => {
    for (const [format, name] of [
      ['json', 'out.json'],
      ['json-v1', 'out-v1.json'],
      ['graphml', 'out.graphml'],
    ] as const) {
      const path = join(work, name);
      const exported = await run('--db', db, '--json', 'export', path, '--format', format);
      expect(exported.error, format).toBeUndefined();
      expect(JSON.parse(exported.stdout)).toMatchObject({ entityCount: 2, relationshipCount: 1, format });

      const target = join(work, `imported-${format}`);
      const imported = await run('--db', target, 'import', path);
      expect(imported.error, format).toBeUndefined();
      expect(imported.stdout).toContain('entities 2 created');
      expect(imported.stdout).toContain('relationships 1 created');

      const store = createYataScale({ path: target });
      await store.initialize();
      try {
        expect((await store.getEntity('f'))?.metadata).toEqual({ entityKind: 'Task' });
      } finally {
        await store.close();
      }
    }
  });

  it('export writes N-Triples and filters by namespace and time', async () => {
    const path = join(work, 'out.nt');
    const result = await run('--db', db, 'export', path, '--format', 'ntriples', '--namespace', 'app', '--since', '2024-01-01');
    expect(result.error).toBeUndefined();
    expect(result.stdout).toContain('exported 2 entities and 1 relationships as ntriples');
    expect(readFileSync(path, 'utf8')).toContain('<http://yata.local/entity/m> <http://yata.local/rel/contains> <http://yata.local/entity/f> .');

    const none = await run('--db', db, '--json', 'export', join(work, 'none.json'), '--since', '2030-01-01T00:00:00Z');
    expect(JSON.parse(none.stdout)).toMatchObject({ entityCount: 0, relationshipCount: 0 });
  });

  it('import --dry-run and --merge-strategy report counts', async () => {
    const path = join(work, 'out.json');
    const dry = await run('--db', db, '--json', 'import', path, '--merge-strategy', 'overwrite', '--dry-run');
    expect(dry.error).toBeUndefined();
    expect(JSON.parse(dry.stdout)).toMatchObject({ entitiesUpdated: 2, relationshipsSkipped: 1, success: true });
    const skip = await run('--db', db, 'import', path);
    expect(skip.stdout).toContain('imported: entities 0 created, 0 updated, 2 skipped');
  });

  it('import fails with a list of rejected records', async () => {
    const path = join(work, 'partly-bad.json');
    writeFileSync(
      path,
      JSON.stringify({ version: '1.0', entities: [{ id: 'fine', type: 'class', name: 'Fine' }, { id: 'bad', type: 'class' }], relationships: [] }),
    );
    const result = await run('--db', join(work, 'partly-bad-store'), 'import', path, '--format', 'json');
    expect(result.error).toBeInstanceOf(YataScaleError);
    expect((result.error as YataScaleError).code).toBe('IMPORT_INCOMPLETE');
    expect(result.stdout).toContain('entities 1 created');
    expect(result.stderr).toContain('bad: name is missing or not a string');
  });

  it('export and dry run need an existing store', async () => {
    const missing = join(work, 'no-such-store');
    const exported = await run('--db', missing, 'export', join(work, 'never.json'));
    expect(exported.error).toBeInstanceOf(StoreNotFoundError);
    const dry = await run('--db', missing, 'import', join(work, 'out.json'), '--dry-run');
    expect(dry.error).toBeInstanceOf(StoreNotFoundError);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(join(work, 'never.json'))).toBe(false);
  });

  it('rejects invalid option values', async () => {
    const since = await run('--db', db, 'export', join(work, 'x.json'), '--since', 'someday');
    expect(since.error).toBeInstanceOf(CommanderError);
    const format = await run('--db', db, 'export', join(work, 'x.json'), '--format', 'csv');
    expect(format.error).toBeInstanceOf(CommanderError);
    const strategy = await run('--db', db, 'import', join(work, 'out.json'), '--merge-strategy', 'replace');
    expect(strategy.error).toBeInstanceOf(CommanderError);
  });
});
