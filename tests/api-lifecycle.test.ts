import { describe, it, expect, beforeAll, afterEach } from 'vitest';
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  createYataScale,
  InvalidConfigError,
  StoreClosedError,
  StoreLockedError,
  StoreNotFoundError,
  UnsupportedError,
  YataScaleError,
} from '../ts/index.js';
import type { YataScale } from '../ts/index.js';
import { countsOf, sortById, useTempStores } from './helpers/store.js';

const stores = useTempStores();

const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const distEntry = join(packageRoot, 'dist', 'index.js');

/** Library modules whose compiled output the child process imports from dist/. */
const LIBRARY_MODULES = ['index', 'store', 'types', 'errors', 'convert', 'config', 'native'];

/** Runs `npm run prepare` when dist/ is missing or older than the library sources in ts/. */
function ensureDistBuilt(): void {
  const newestSource = Math.max(...LIBRARY_MODULES.map((name) => statSync(join(packageRoot, 'ts', `${name}.ts`)).mtimeMs));
  const outputs = LIBRARY_MODULES.map((name) => join(packageRoot, 'dist', `${name}.js`));
  const isStale = outputs.some((file) => !existsSync(file) || statSync(file).mtimeMs < newestSource);
  if (!isStale) return;
  try {
    execFileSync('npm', ['run', 'prepare'], { cwd: packageRoot, stdio: 'pipe' });
  } catch (error) {
    const output = (error as { stdout?: Buffer; stderr?: Buffer }).stdout?.toString() ?? '';
    throw new Error(`npm run prepare failed, so the child process cannot import dist/index.js:\n${output}`);
  }
}

/** Adds two entities on different shards with relationships both ways, and returns their ids. */
async function seed(store: YataScale): Promise<{ a: string; b: string; ab: string; ba: string }> {
  await store.addEntities([
    { id: 'a', type: 'class', name: 'A', filePath: 'src/a.ts', line: 1, metadata: { k: 'v' } },
    { id: 'b', type: 'function', name: 'b', namespace: 'ns', description: 'text' },
    { id: 'c', type: 'Requirement', name: 'REQ-1', metadata: { entityKind: 'requirement' } },
  ]);
  const ab = await store.addRelationship('a', 'b', 'calls', { site: 3 });
  const ba = await store.addRelationship('b', 'a', 'references');
  return { a: 'a', b: 'b', ab, ba };
}

describe('close and reopen', () => {
  it('keeps entities, relationships and stats', async () => {
    const path = await stores.newPath();
    const first = await stores.open({ path, shards: 4 });
    await seed(first);
    const entities = await first.getEntities(['a', 'b', 'c']);
    const relationships = sortById(await first.getRelationships('a', 'both'));
    const counts = countsOf(await first.getStats());
    const manifest = first.getManifest();
    const placement = ['a', 'b', 'c'].map((id) => first.shardOf(id));
    await first.close();

    const second = await stores.open({ path });

    expect(await second.getEntities(['a', 'b', 'c'])).toEqual(entities);
    expect(sortById(await second.getRelationships('a', 'both'))).toEqual(relationships);
    expect(countsOf(await second.getStats())).toEqual(counts);
    expect(second.getManifest()).toEqual(manifest);
    expect(['a', 'b', 'c'].map((id) => second.shardOf(id))).toEqual(placement);
    expect(await second.getEntityIdsByFile('src/a.ts')).toEqual(['a']);
  });

  it('reopens with the same shard count', async () => {
    const path = await stores.newPath();
    const first = await stores.open({ path, shards: 4 });
    await seed(first);
    await first.close();

    const second = await stores.open({ path, shards: 4 });

    expect((await second.getStats()).entityCount).toBe(3);
    expect(second.getManifest().shards).toHaveLength(4);
  });

  it('reopens the same handle', async () => {
    const store = await stores.open({ shards: 4 });
    await seed(store);
    await store.close();

    await store.initialize();

    expect(store.isOpen).toBe(true);
    expect((await store.getStats()).relationshipCount).toBe(2);
  });

  it('writes a manifest for a new store', async () => {
    const store = await stores.open({ shards: 4, hashSeed: 12345n, virtualNodes: 64 });

    const manifest = store.getManifest();

    expect(manifest.partitionStrategy).toBe('hash');
    expect(manifest.hashSeed).toBe('12345');
    expect(manifest.virtualNodes).toBe(64);
    expect(manifest.shards.map((shard) => shard.id)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    expect(typeof manifest.formatVersion).toBe('number');
  });

  it('defaults a new store to one shard', async () => {
    const store = await stores.open();

    expect(store.getManifest().shards).toHaveLength(1);
    expect((await store.getStats()).shards).toHaveLength(1);
  });
});

describe('initialize and close', () => {
  it('initialize twice is harmless', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntity({ id: 'x', type: 'class', name: 'X' });

    await store.initialize();
    await store.initialize();

    expect(store.isOpen).toBe(true);
    expect((await store.getEntity('x'))?.name).toBe('X');
    expect((await store.getStats()).entityCount).toBe(1);
  });

  it('close twice is harmless', async () => {
    const store = await stores.open();

    await store.close();
    await store.close();

    expect(store.isOpen).toBe(false);
  });

  it('calls after close throw StoreClosedError', async () => {
    const store = await stores.open();
    await store.addEntities([
      { id: 'x', type: 'class', name: 'X' },
      { id: 'y', type: 'class', name: 'Y' },
    ]);
    await store.close();

    const calls: [string, () => Promise<unknown>][] = [
      ['addEntity', () => store.addEntity({ type: 'class', name: 'Z' })],
      ['addEntities', () => store.addEntities([{ type: 'class', name: 'Z' }])],
      ['putEntities', () => store.putEntities([{ id: 'x', type: 'class', name: 'Z' }])],
      ['getEntity', () => store.getEntity('x')],
      ['getEntities', () => store.getEntities(['x'])],
      ['updateEntity', () => store.updateEntity('x', { name: 'Z' })],
      ['deleteEntity', () => store.deleteEntity('x')],
      ['deleteEntitiesByFile', () => store.deleteEntitiesByFile('a.ts')],
      ['upsertEntity', () => store.upsertEntity({ type: 'class', name: 'X' })],
      ['upsertEntities', () => store.upsertEntities([{ type: 'class', name: 'X' }])],
      ['addRelationship', () => store.addRelationship('x', 'y', 'calls')],
      ['addRelationships', () => store.addRelationships([{ sourceId: 'x', targetId: 'y', type: 'calls' }])],
      ['getRelationships', () => store.getRelationships('x')],
      ['deleteRelationship', () => store.deleteRelationship('r')],
      ['getStats', () => store.getStats()],
      ['query', () => store.query({})],
      ['getNeighbors', () => store.getNeighbors('x')],
      ['findPath', () => store.findPath('x', 'y')],
    ];
    for (const [name, call] of calls) {
      const error = await call().then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error, name).toBeInstanceOf(StoreClosedError);
      expect((error as StoreClosedError).code, name).toBe('STORE_CLOSED');
    }
    expect(() => store.getManifest()).toThrow(StoreClosedError);
    expect(() => store.shardOf('x')).toThrow(StoreClosedError);
  });
});

describe('config checks', () => {
  it('rejects another shard count on reopen', async () => {
    const path = await stores.newPath();
    const first = await stores.open({ path, shards: 4 });
    await seed(first);
    await first.close();

    const mismatched = stores.create({ path, shards: 2 });
    const error = await mismatched.initialize().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(InvalidConfigError);
    expect(error).toBeInstanceOf(YataScaleError);
    expect((error as InvalidConfigError).code).toBe('INVALID_CONFIG');
    expect((error as Error).message).toContain('4 shards');
    expect((error as Error).message).toContain('2 were requested');
    expect(mismatched.isOpen).toBe(false);
  });

  it('rejected reopen leaves the store usable', async () => {
    const path = await stores.newPath();
    const first = await stores.open({ path, shards: 4 });
    await seed(first);
    await first.close();
    await expect(stores.create({ path, shards: 8 }).initialize()).rejects.toBeInstanceOf(InvalidConfigError);

    const reopened = await stores.open({ path });

    expect(reopened.getManifest().shards).toHaveLength(4);
    expect((await reopened.getStats()).entityCount).toBe(3);
  });

  it('range strategy throws UnsupportedError', async () => {
    const path = await stores.newPath();

    let error: unknown;
    try {
      createYataScale({ path, partitionStrategy: 'range' });
    } catch (caught) {
      error = caught;
    }

    expect(error).toBeInstanceOf(UnsupportedError);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as UnsupportedError).code).toBe('UNSUPPORTED');
    expect((error as UnsupportedError).setting).toBe('partitionStrategy');
    expect((error as UnsupportedError).value).toBe('range');
    expect((error as Error).message).toContain("'range'");
    expect(existsSync(path)).toBe(false);
  });

  it('graph strategy throws UnsupportedError', () => {
    expect(() => createYataScale({ path: 'unused', partitionStrategy: 'graph' })).toThrow(UnsupportedError);
  });

  it('rejects invalid shard counts', () => {
    for (const shards of [0, -1, 1.5, 1025, Number.NaN]) {
      expect(() => createYataScale({ path: 'unused', shards }), String(shards)).toThrow(InvalidConfigError);
    }
  });
});

describe('create: false', () => {
  it('missing store throws StoreNotFoundError', async () => {
    const probe = await stores.open();
    const path = join(dirname(probe.path), 'never-created');
    const store = stores.create({ path, create: false });

    const error = await store.initialize().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreNotFoundError);
    expect((error as StoreNotFoundError).code).toBe('STORE_NOT_FOUND');
    expect((error as Error).message).toContain(path);
    expect(existsSync(path)).toBe(false);
  });

  it('opens an existing store', async () => {
    const created = await stores.open({ shards: 2 });
    await created.addEntity({ id: 'kept', type: 'class', name: 'Kept' });
    await created.close();

    const reopened = stores.create({ path: created.path, create: false });
    await reopened.initialize();
    expect((await reopened.getEntity('kept'))?.name).toBe('Kept');
  });
});

describe('getStats shards', () => {
  it('shard counts add up to totals', async () => {
    const store = await stores.open({ shards: 4 });
    const ids = Array.from({ length: 60 }, (_, i) => `e${i}`);
    await store.addEntities(ids.map((id, i) => ({ id, type: i % 2 ? 'class' : 'function', name: id })));
    await store.addRelationships(ids.slice(1).map((id, i) => ({ sourceId: ids[i] as string, targetId: id, type: 'calls' })));

    const stats = await store.getStats();

    expect(stats.shards).toHaveLength(4);
    expect(stats.shards.map((shard) => shard.shardId)).toEqual(['shard-0', 'shard-1', 'shard-2', 'shard-3']);
    expect(stats.entityCount).toBe(60);
    expect(stats.relationshipCount).toBe(59);
    expect(stats.shards.reduce((sum, shard) => sum + shard.entityCount, 0)).toBe(60);
    expect(stats.shards.reduce((sum, shard) => sum + shard.relationshipCount, 0)).toBe(59);
    expect(stats.databaseSize).toBe(stats.shards.reduce((sum, shard) => sum + shard.sizeBytes, 0));
    for (const shard of stats.shards) {
      expect(shard.entityCount, shard.shardId).toBeGreaterThan(0);
      const placed = ids.filter((id) => store.shardOf(id) === shard.shardId).length;
      expect(shard.entityCount, shard.shardId).toBe(placed);
    }
  });
});

describe('store lock', () => {
  let child: ChildProcess | undefined;

  beforeAll(() => {
    ensureDistBuilt();
  });

  afterEach(async () => {
    await stopChild();
  });

  async function stopChild(): Promise<void> {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolveExit) => running.once('exit', resolveExit));
    running.kill('SIGKILL');
    await exited;
  }

  /** Starts a node process that opens the store at `path`, adds entity `from-child`, prints READY and waits. */
  function startHolder(path: string): Promise<ChildProcess> {
    const script = [
      `const { createYataScale } = await import(process.env.YATA_DIST_URL);`,
      `const store = createYataScale({ path: process.env.YATA_STORE_PATH });`,
      `await store.initialize();`,
      `await store.addEntity({ id: 'from-child', type: 'module', name: 'child' });`,
      `process.stdout.write('READY\\n');`,
      // An unreachable handle is garbage-collected, which closes the store and
      // releases its lock, so the timer keeps a reference to it.
      `setInterval(() => store.isOpen, 60_000);`,
    ].join('\n');
    const started = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, YATA_DIST_URL: pathToFileURL(distEntry).href, YATA_STORE_PATH: path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;

    return new Promise((resolveReady, rejectReady) => {
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => rejectReady(new Error(`child did not print READY within 20 s; stderr: ${stderr}`)), 20_000);
      started.stdout?.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('READY')) {
          clearTimeout(timer);
          resolveReady(started);
        }
      });
      started.stderr?.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      started.once('exit', (code, signal) => {
        clearTimeout(timer);
        rejectReady(new Error(`child exited before READY (code ${code}, signal ${signal}); stderr: ${stderr}`));
      });
    });
  }

  it('second process gets StoreLockedError', async () => {
    const path = await stores.newPath();
    const holder = await startHolder(path);
    const pid = String(holder.pid);

    const store = stores.create({ path });
    const error = await store.initialize().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreLockedError);
    expect(error).toBeInstanceOf(YataScaleError);
    expect((error as StoreLockedError).code).toBe('STORE_LOCKED');
    expect((error as StoreLockedError).pid).toBe(pid);
    expect((error as Error).message).toContain(`process ${pid}`);
    expect((error as StoreLockedError).path).toContain(path);
    expect(store.isOpen).toBe(false);
  });

  it('opens after the holder is killed', async () => {
    const path = await stores.newPath();
    await startHolder(path);
    const store = stores.create({ path });
    await expect(store.initialize()).rejects.toBeInstanceOf(StoreLockedError);

    await stopChild();
    await store.initialize();

    expect(store.isOpen).toBe(true);
    expect((await store.getEntity('from-child'))?.name).toBe('child');
    await store.addEntity({ id: 'from-parent', type: 'module', name: 'parent' });
    expect((await store.getStats()).entityCount).toBe(2);
  });

  it('second handle in one process is locked', async () => {
    const path = await stores.newPath();
    await stores.open({ path });

    const error = await stores.create({ path }).initialize().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(StoreLockedError);
    expect((error as StoreLockedError).pid).toBe(String(process.pid));
  });
});
