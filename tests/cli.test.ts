import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { fileId, symbolId } from '../ts/indexer/ids.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repoRoot, 'dist', 'cli', 'main.js');

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(...args: string[]): Run {
  const result = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: work });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function runJson<T>(...args: string[]): T {
  const result = run(...args, '--json');
  expect(result.stderr).toBe('');
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as T;
}

let work: string;
let src: string;
let db: string;

const SERVICE_V1 = `
import { helper } from './util';
export interface Greeter { greet(name: string): string; }
export class Service implements Greeter {
  greet(name: string): string { return helper(name); }
  shout(name: string): string { return this.greet(name).toUpperCase(); }
}
export function removedLater(): void {}
`;

const SERVICE_V2 = `
import { helper } from './util';
export interface Greeter { greet(name: string): string; }
export class Service implements Greeter {
  greet(name: string): string { return helper(name) + '!'; }
}
export function addedNow(): number { return 1; }
`;

const UTIL = `
export function helper(name: string): string { return 'hi ' + name; }
`;

const APP = `
import { Service, removedLater } from './service';
export function main(): void {
  new Service().greet('x');
  removedLater();
}
`;

beforeAll(() => {
  if (!existsSync(cli)) {
    throw new Error(`${cli} is missing; run npm install (or npm run build:ts) first`);
  }
});

beforeEach(() => {
  work = mkdtempSync(join(tmpdir(), 'yata-cli-'));
  src = join(work, 'src');
  db = join(work, 'kg');
  mkdirSync(src);
  writeFileSync(join(src, 'service.ts'), SERVICE_V1);
  writeFileSync(join(src, 'util.ts'), UTIL);
  writeFileSync(join(src, 'app.ts'), APP);
});

afterEach(() => {
  rmSync(work, { recursive: true, force: true });
});

interface Summary {
  files: number;
  changedFiles: number;
  unchangedFiles: number;
  entities: number;
  relationships: number;
}
interface Stats {
  entityCount: number;
  relationshipCount: number;
  shards: { shardId: string; entityCount: number; relationshipCount: number }[];
}
interface Entity {
  id: string;
  type: string;
  name: string;
}
interface Neighbor {
  entity: Entity;
  relationship: { type: string; sourceId: string; targetId: string };
  depth: number;
}

describe('yata-scale CLI', () => {
  it('indexes a directory into four shards', () => {
    const summary = runJson<Summary>('index', src, '--db', db, '--shards', '4');
    expect(summary.files).toBe(3);
    expect(summary.changedFiles).toBe(3);

    const stats = runJson<Stats>('stats', '--db', db);
    expect(stats.shards).toHaveLength(4);
    expect(stats.entityCount).toBe(summary.entities);
    expect(stats.relationshipCount).toBe(summary.relationships);
    expect(stats.shards.reduce((sum, s) => sum + s.entityCount, 0)).toBe(stats.entityCount);
    expect(stats.shards.reduce((sum, s) => sum + s.relationshipCount, 0)).toBe(stats.relationshipCount);
  });

  it('query prints the API result object', () => {
    runJson('index', src, '--db', db, '--shards', '4');
    const result = runJson<{ entities: Entity[]; relationships: unknown[]; totalCount: number; hasMore: boolean; executionTime: number }>(
      'query', '--db', db, '--type', 'interface', '--limit', '5',
    );
    expect(result.entities.map((e) => e.name)).toEqual(['Greeter']);
    expect(result.totalCount).toBe(1);
    expect(result.hasMore).toBe(false);
    expect(typeof result.executionTime).toBe('number');
    expect(Array.isArray(result.relationships)).toBe(true);
  });

  it('query combines repeated types and a name pattern', () => {
    runJson('index', src, '--db', db);
    const result = runJson<{ entities: Entity[] }>(
      'query', '--db', db, '--type', 'function', '--type', 'method', '--name-pattern', '*e*',
    );
    expect(result.entities.map((e) => e.name).sort()).toEqual(['greet', 'greet', 'helper', 'removedLater']);
  });

  it('get prints one entity', () => {
    runJson('index', src, '--db', db);
    const id = symbolId('service.ts', 'Service');
    const entity = runJson<Entity>('get', id, '--db', db);
    expect(entity).toMatchObject({ id, type: 'class', name: 'Service' });
  });

  it('neighbors and path follow relationships across shards', () => {
    runJson('index', src, '--db', db, '--shards', '4');
    const main = symbolId('app.ts', 'main');
    const helper = symbolId('util.ts', 'helper');

    const neighbors = runJson<Neighbor[]>('neighbors', main, '--db', db, '--direction', 'out');
    expect(neighbors.map((n) => n.entity.name).sort()).toEqual(['Service', 'removedLater']);

    const twoHops = runJson<Neighbor[]>('neighbors', main, '--db', db, '--direction', 'out', '--depth', '3');
    expect(twoHops.map((n) => n.entity.id)).toContain(helper);

    const path = runJson<{ length: number; entities: Entity[] }>('path', main, helper, '--db', db, '--direction', 'out');
    expect(path.entities[0]?.id).toBe(main);
    expect(path.entities.at(-1)?.id).toBe(helper);
    expect(path.length).toBe(path.entities.length - 1);
  });

  it('re-indexing a changed file keeps incoming relationships', () => {
    runJson('index', src, '--db', db, '--shards', '4');
    const main = symbolId('app.ts', 'main');
    const service = symbolId('service.ts', 'Service');
    const removed = symbolId('service.ts', 'removedLater');
    const shout = symbolId('service.ts', 'Service.shout');

    writeFileSync(join(src, 'service.ts'), SERVICE_V2);
    const summary = runJson<Summary>('index', src, '--db', db);
    expect(summary.changedFiles).toBe(1);
    expect(summary.unchangedFiles).toBe(2);

    // Declarations the file dropped are gone, with their relationships.
    expect(run('get', removed, '--db', db).status).toBe(1);
    expect(run('get', shout, '--db', db).status).toBe(1);
    const added = runJson<Entity>('get', symbolId('service.ts', 'addedNow'), '--db', db);
    expect(added.name).toBe('addedNow');

    // app.ts was not re-extracted, yet its call into service.ts survives.
    const out = runJson<Neighbor[]>('neighbors', main, '--db', db, '--direction', 'out');
    expect(out.map((n) => n.entity.id)).toEqual([service]);
    expect(out[0]?.relationship.type).toBe('calls');

    // Stats agree with a fresh index of the same sources.
    const stats = runJson<Stats>('stats', '--db', db);
    const fresh = join(work, 'fresh');
    runJson('index', src, '--db', fresh, '--shards', '2');
    const freshStats = runJson<Stats>('stats', '--db', fresh);
    expect(stats.entityCount).toBe(freshStats.entityCount);
    expect(stats.relationshipCount).toBe(freshStats.relationshipCount);
  });

  it('re-indexing unchanged sources writes nothing new', () => {
    runJson('index', src, '--db', db);
    const before = runJson<Stats>('stats', '--db', db);
    const summary = runJson<Summary>('index', src, '--db', db);
    expect(summary.changedFiles).toBe(0);
    expect(summary.entities).toBe(0);
    expect(runJson<Stats>('stats', '--db', db).entityCount).toBe(before.entityCount);
  });

  it('a deleted source file loses its entities', () => {
    runJson('index', src, '--db', db);
    rmSync(join(src, 'util.ts'));
    const summary = runJson<{ removedFiles: number }>('index', src, '--db', db);
    expect(summary.removedFiles).toBe(1);
    expect(run('get', fileId('util.ts'), '--db', db).status).toBe(1);
  });

  it('an unknown id fails with one line on stderr', () => {
    runJson('index', src, '--db', db);
    const result = run('get', 'no-such-id', '--db', db);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('no-such-id');
  });

  it('a read command never creates a store', () => {
    const result = run('stats', '--db', db);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('no store at');
    expect(existsSync(db)).toBe(false);
  });

  it('bad usage exits with 2', () => {
    expect(run('neighbors').status).toBe(2);
    expect(run('query', '--limit', 'many').status).toBe(2);
    expect(run('neighbors', 'x', '--direction', 'sideways').status).toBe(2);
    expect(run('no-such-command').status).toBe(2);
  });

  it('a second source root fails', () => {
    runJson('index', src, '--db', db);
    const before = runJson<Stats>('stats', '--db', db);
    const other = join(work, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'app.ts'), 'export function other(): void {}\n');

    const result = run('index', other, '--db', db);
    expect(result.status).toBe(1);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain(src);
    expect(result.stderr).toContain(other);
    expect(result.stderr).toContain('use another --db for each source root');
    const after = runJson<Stats>('stats', '--db', db);
    expect(after.entityCount).toBe(before.entityCount);
    expect(after.relationshipCount).toBe(before.relationshipCount);
  });

  it('missing source directory fails', () => {
    const result = run('index', 'no-such-dir', '--db', db);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('yata-scale: source directory not found: no-such-dir\n');
    expect(existsSync(db)).toBe(false);
  });

  it('source file as directory fails', () => {
    const file = join(src, 'app.ts');
    const result = run('index', file, '--db', db);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe(`yata-scale: source is not a directory: ${file}\n`);
    expect(existsSync(db)).toBe(false);
  });

  it('a regular file as --db fails', () => {
    const file = join(work, 'kg.txt');
    writeFileSync(file, 'not a store\n');
    for (const args of [['index', src], ['stats']]) {
      const result = run(...args, '--db', file);
      expect(result.status, args[0]).toBe(1);
      expect(result.stderr, args[0]).toBe(`yata-scale: --db ${file} is a file, not a store directory; pass a directory path\n`);
    }
    expect(readFileSync(file, 'utf8')).toBe('not a store\n');
  });

  it('path arrows follow relationship direction', () => {
    runJson('index', src, '--db', db);
    const removed = symbolId('service.ts', 'removedLater');
    const helper = symbolId('util.ts', 'helper');
    // The only shortest path: removedLater <-contains- service.ts -imports-> util.ts -contains-> helper
    const result = run('path', removed, helper, '--db', db);
    expect(result.status).toBe(0);
    const arrows = result.stdout.split('\n').filter((line) => line.startsWith('  '));
    expect(arrows).toEqual(['  <--contains--', '  --imports-->', '  --contains-->']);
  });

  it('--version prints the package version', () => {
    const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    const result = run('--version');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });

  it('subcommand help lists global options', () => {
    const result = run('index', '--help');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('Global Options:');
    expect(result.stdout).toContain('--db <dir>');
    expect(result.stdout).toContain('--version');
  });

  it('a shard count that differs from the store fails', () => {
    runJson('index', src, '--db', db, '--shards', '4');
    const result = run('index', src, '--db', db, '--shards', '2');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/4 shards/);
  });
});

// These tests run the CLI on a pseudo-terminal through util-linux `script`,
// because the progress display is drawn only when stderr is a terminal.
const hasScript = spawnSync('script', ['--version'], { encoding: 'utf8' }).status === 0;

const HIDE_CURSOR = '\x1b[?25l';
const SHOW_CURSOR = '\x1b[?25h';

interface TerminalRun {
  code: number | null;
  output: string;
}

/**
 * Runs `index` on a pseudo-terminal. When `interrupt` is given, it is called
 * once the progress bar appears, with the pty's input stream and the pid of
 * the CLI process.
 */
function indexOnTerminal(interrupt?: (input: NodeJS.WritableStream, cliPid: number) => void): Promise<TerminalRun> {
  const command = `exec '${process.execPath}' '${cli}' index '${src}' --db '${db}'`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
  let output = '';
  let interrupted = false;
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
    if (interrupt && !interrupted && output.includes('indexing [')) {
      interrupted = true;
      // `script` runs the command as its only child.
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
      interrupt(child.stdin, Number(children.split(' ')[0]));
    }
  });
  return new Promise((resolveRun) => {
    child.on('close', (code) => {
      child.stdin.end();
      resolveRun({ code, output });
    });
  });
}

/** Writes enough source files that extracting them takes a few seconds. */
function writeManyFiles(count: number): void {
  for (let i = 1; i <= count; i++) {
    writeFileSync(
      join(src, `m${i}.ts`),
      `import { f${i - 1} } from './m${i - 1}';\nexport function f${i}(): number { return f${i - 1}() + 1; }\n`,
    );
  }
}

describe.skipIf(!hasScript)('yata-scale index on a terminal', () => {
  it('shows write steps and restores the cursor', async () => {
    const { code, output } = await indexOnTerminal();
    expect(code).toBe(0);
    expect(output).toMatch(/writing \d+ entities…/);
    expect(output).toMatch(/resolving \d+ relationships…/);
    expect(output).toMatch(/writing \d+ relationships…/);
    expect(output).toContain('indexed 3 files');
    expect(output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(output.lastIndexOf(HIDE_CURSOR));
  });

  it('Ctrl-C restores the cursor and exits with 130', async () => {
    writeManyFiles(3000);
    const { code, output } = await indexOnTerminal((input) => input.write('\x03'));
    expect(output).toContain('indexing [');
    expect(output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(output.lastIndexOf(HIDE_CURSOR));
    expect(code).toBe(130);
  });

  it('SIGTERM restores the cursor and exits with 143', async () => {
    writeManyFiles(3000);
    const { code, output } = await indexOnTerminal((_input, cliPid) => process.kill(cliPid, 'SIGTERM'));
    expect(output).toContain('indexing [');
    expect(output.lastIndexOf(SHOW_CURSOR)).toBeGreaterThan(output.lastIndexOf(HIDE_CURSOR));
    expect(code).toBe(143);
  });
});
