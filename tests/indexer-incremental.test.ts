import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { YataScale } from '../ts/index.js';
import { fileId, relationshipId, symbolId } from '../ts/indexer/ids.js';
import { indexDirectory, IndexRootMismatchError } from '../ts/indexer/index-directory.js';
import { useTempStores } from './helpers/store.js';

const stores = useTempStores();

let src: string;

beforeEach(() => {
  src = mkdtempSync(join(tmpdir(), 'yata-incremental-'));
});

afterEach(() => {
  rmSync(src, { recursive: true, force: true });
});

function write(relPath: string, text: string): void {
  writeFileSync(join(src, relPath), text);
}

interface Snapshot {
  entities: string[];
  relationships: string[];
}

/** Lists every entity and every relationship of the store as sorted, readable strings. */
async function snapshot(store: YataScale): Promise<Snapshot> {
  const { entities, hasMore } = await store.query({ includeRelationships: false }, { limit: 1_000_000 });
  expect(hasMore).toBe(false);
  const relationships: string[] = [];
  for (const entity of entities) {
    for (const rel of await store.getRelationships(entity.id, 'out')) {
      relationships.push(`${rel.id} ${rel.sourceId} --${rel.type}--> ${rel.targetId}`);
    }
  }
  return {
    entities: entities.map((e) => `${e.id} ${e.type}`).sort(),
    relationships: relationships.sort(),
  };
}

/** Indexes the sources into a new store and returns its snapshot. */
async function freshSnapshot(): Promise<Snapshot> {
  const store = await stores.open({ shards: 2 });
  await indexDirectory(store, src);
  return snapshot(store);
}

async function outgoing(store: YataScale, id: string): Promise<string[]> {
  return (await store.getRelationships(id, 'out')).map((rel) => `${rel.type} ${rel.targetId}`).sort();
}

const B_WITH_REMOVE_ME = `
export function removeMe(): void {}
export function keep(): void {}
`;
const B_WITHOUT_REMOVE_ME = `
export function keep(): void {}
`;
const C_CALLS_REMOVE_ME = `
import { removeMe, keep } from './b';
export function caller(): void { removeMe(); keep(); }
`;

describe('incremental indexing', () => {
  it('call returns with its target', async () => {
    write('b.ts', B_WITH_REMOVE_ME);
    write('c.ts', C_CALLS_REMOVE_ME);
    const store = await stores.open({ shards: 4 });
    const caller = symbolId('c.ts', 'caller');
    const removeMe = symbolId('b.ts', 'removeMe');
    const keep = symbolId('b.ts', 'keep');

    await indexDirectory(store, src);
    expect(await outgoing(store, caller)).toEqual([`calls ${keep}`, `calls ${removeMe}`].sort());

    write('b.ts', B_WITHOUT_REMOVE_ME);
    const removed = await indexDirectory(store, src);
    expect(removed.changedFiles).toBe(1);
    expect(await store.getEntity(removeMe)).toBeNull();
    expect(await outgoing(store, caller)).toEqual([`calls ${keep}`]);
    expect(removed.unresolvedRelationships).toBe(1);

    write('b.ts', B_WITH_REMOVE_ME);
    const restored = await indexDirectory(store, src);
    expect(restored.changedFiles).toBe(1);
    expect(restored.unresolvedRelationships).toBe(0);
    expect(await outgoing(store, caller)).toEqual([`calls ${keep}`, `calls ${removeMe}`].sort());
    expect(await snapshot(store)).toEqual(await freshSnapshot());
  });

  it('file added later resolves imports', async () => {
    write(
      'a.ts',
      `import { foo, Base } from './b';
export class Derived extends Base {}
export function run(): void { foo(); }
`,
    );
    const store = await stores.open({ shards: 4 });
    await indexDirectory(store, src);
    expect(await outgoing(store, fileId('a.ts'))).not.toContain(`imports ${fileId('b.ts')}`);

    write('b.ts', `export function foo(): void {}\nexport class Base {}\n`);
    const summary = await indexDirectory(store, src);
    // a.ts is unchanged, but its import of './b' now resolves, so it is extracted again.
    expect(summary.changedFiles).toBe(2);

    expect(await outgoing(store, fileId('a.ts'))).toContain(`imports ${fileId('b.ts')}`);
    expect(await outgoing(store, symbolId('a.ts', 'run'))).toEqual([`calls ${symbolId('b.ts', 'foo')}`]);
    expect(await outgoing(store, symbolId('a.ts', 'Derived'))).toEqual([`extends ${symbolId('b.ts', 'Base')}`]);
    expect(await snapshot(store)).toEqual(await freshSnapshot());
  });

  it('matches a fresh index after every edit', async () => {
    mkdirSync(join(src, 'lib'));
    write('lib/b.ts', `export class Base { run(): void {} }\nexport function helper(): number { return 1; }\n`);
    write(
      'a.ts',
      `import { Base, helper } from './lib/b';
import { later } from './d';
export class Derived extends Base { go(): void { helper(); this.run(); } }
export function start(): void { later(); new Derived().go(); }
`,
    );
    write('c.ts', `import * as b from './lib/b';\nexport const value = b.helper();\nexport function useIt(): void { b.helper(); }\n`);
    const store = await stores.open({ shards: 4 });

    const steps: [string, () => void][] = [
      ['first index', () => {}],
      ['add a file that a.ts imports', () => write('d.ts', `export function later(): void {}\n`)],
      ['remove a declaration', () => write('lib/b.ts', `export class Base { run(): void {} }\n`)],
      ['add the declaration again', () => write('lib/b.ts', `export class Base { run(): void {} }\nexport function helper(): number { return 2; }\n`)],
      ['remove a base class', () => write('lib/b.ts', `export function helper(): number { return 2; }\n`)],
      ['rename the imported file', () => renameSync(join(src, 'lib/b.ts'), join(src, 'lib/b2.ts'))],
      ['rename it back with the base class', () => {
        rmSync(join(src, 'lib/b2.ts'));
        write('lib/b.ts', `export class Base { run(): void {} }\nexport function helper(): number { return 3; }\n`);
      }],
      ['delete an imported file', () => rmSync(join(src, 'd.ts'))],
      ['delete an importing file', () => rmSync(join(src, 'c.ts'))],
      ['add an index file that shadows nothing', () => write('lib/index.ts', `export { helper } from './b';\n`)],
    ];

    for (const [step, edit] of steps) {
      edit();
      await indexDirectory(store, src);
      expect(await snapshot(store), step).toEqual(await freshSnapshot());
    }

    const again = await indexDirectory(store, src);
    expect(again.changedFiles).toBe(0);
    expect(again.entities).toBe(0);
    expect(again.relationships).toBe(0);
  });

  it('run stopped midway recovers', async () => {
    write('b.ts', B_WITHOUT_REMOVE_ME);
    write('c.ts', C_CALLS_REMOVE_ME);
    const store = await stores.open({ shards: 4 });
    await indexDirectory(store, src);

    // Stops the run at the first entity write after the relationships are
    // written, before the unresolved-relationship lists are updated.
    let relationshipsWritten = false;
    const stopping = new Proxy(store, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (property === 'addRelationships') relationshipsWritten = true;
          if (property === 'putEntities' && relationshipsWritten) throw new Error('stopped');
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    write('b.ts', B_WITH_REMOVE_ME);
    await expect(indexDirectory(stopping, src)).rejects.toThrow('stopped');

    const summary = await indexDirectory(store, src);
    expect(summary.changedFiles).toBe(1);
    expect(summary.unresolvedRelationships).toBe(0);
    expect(await snapshot(store)).toEqual(await freshSnapshot());
  });

  it('unresolved relationships kept in metadata', async () => {
    write('b.ts', B_WITHOUT_REMOVE_ME);
    write('c.ts', C_CALLS_REMOVE_ME);
    const store = await stores.open();
    await indexDirectory(store, src);

    const file = await store.getEntity(fileId('c.ts'));
    const caller = symbolId('c.ts', 'caller');
    const removeMe = symbolId('b.ts', 'removeMe');
    expect(file?.metadata['unresolvedRelationships']).toEqual([
      {
        id: relationshipId(caller, 'calls', removeMe),
        sourceId: caller,
        targetId: removeMe,
        type: 'calls',
        metadata: { count: 1 },
      },
    ]);
  });

  it('rejects a second source root', async () => {
    write('a.ts', `export function a(): void {}\n`);
    const other = mkdtempSync(join(tmpdir(), 'yata-incremental-other-'));
    try {
      writeFileSync(join(other, 'a.ts'), `export function b(): void {}\n`);
      const store = await stores.open();
      await indexDirectory(store, src);
      const before = await snapshot(store);

      const attempt = indexDirectory(store, other);
      await expect(attempt).rejects.toBeInstanceOf(IndexRootMismatchError);
      await expect(attempt).rejects.toThrow(src);
      expect(await snapshot(store)).toEqual(before);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
