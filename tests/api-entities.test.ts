import { describe, it, expect } from 'vitest';

import type { EntityInput, EntityType } from '../ts/index.js';
import { sortById, useTempStores } from './helpers/store.js';

const stores = useTempStores();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const ENTITY_TYPES: EntityType[] = [
  'class',
  'interface',
  'function',
  'method',
  'variable',
  'constant',
  'type',
  'enum',
  'module',
  'package',
  'file',
  'parameter',
  'property',
  'import',
  'export',
  'unknown',
];

/** Waits until Date.now() has moved past `since`, so a later write gets a later timestamp. */
async function nextMillisecond(since: number): Promise<void> {
  while (Date.now() <= since) await new Promise((resolve) => setTimeout(resolve, 1));
}

describe('addEntity and getEntity', () => {
  it('keeps a caller id', async () => {
    const store = await stores.open();

    const id = await store.addEntity({ id: 'cls:Parser', type: 'class', name: 'Parser' });

    expect(id).toBe('cls:Parser');
    expect((await store.getEntity('cls:Parser'))?.name).toBe('Parser');
  });

  it('generates a UUID without an id', async () => {
    const store = await stores.open();

    const first = await store.addEntity({ type: 'function', name: 'parse' });
    const second = await store.addEntity({ type: 'function', name: 'parse' });

    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first);
    expect((await store.getEntity(first))?.id).toBe(first);
    expect((await store.getEntity(second))?.id).toBe(second);
  });

  it('returns every field as written', async () => {
    const store = await stores.open();
    const createdAt = new Date('2024-01-02T03:04:05.678Z');
    const updatedAt = new Date('2024-06-07T08:09:10.111Z');

    await store.addEntity({
      id: 'fn:parse',
      type: 'function',
      name: 'parse',
      namespace: 'src/parser',
      filePath: 'src/parser.ts',
      line: 42,
      description: 'Parses a token stream.\nReturns an AST.',
      metadata: { async: true, params: ['tokens'], nested: { depth: 2 } },
      createdAt,
      updatedAt,
    });
    const entity = await store.getEntity('fn:parse');

    expect(entity).toEqual({
      id: 'fn:parse',
      type: 'function',
      name: 'parse',
      namespace: 'src/parser',
      filePath: 'src/parser.ts',
      line: 42,
      description: 'Parses a token stream.\nReturns an AST.',
      metadata: { async: true, params: ['tokens'], nested: { depth: 2 } },
      createdAt,
      updatedAt,
    });
    expect(entity?.createdAt).toBeInstanceOf(Date);
    expect(entity?.updatedAt).toBeInstanceOf(Date);
  });

  it('fills defaults for optional fields', async () => {
    const store = await stores.open();
    const before = Date.now();

    await store.addEntity({ id: 'v:x', type: 'variable', name: 'x' });
    const entity = await store.getEntity('v:x');

    expect(entity?.namespace).toBe('');
    expect(entity?.metadata).toEqual({});
    expect(entity).not.toHaveProperty('filePath');
    expect(entity).not.toHaveProperty('line');
    expect(entity).not.toHaveProperty('description');
    expect(entity?.createdAt).toBeInstanceOf(Date);
    expect(entity?.createdAt.getTime()).toBeGreaterThanOrEqual(before);
    expect(entity?.createdAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(entity?.updatedAt.getTime()).toBe(entity?.createdAt.getTime());
  });

  it('accepts ISO strings and epoch milliseconds as times', async () => {
    const store = await stores.open();

    await store.addEntity({ id: 'a', type: 'class', name: 'A', createdAt: '2023-05-06T07:08:09.000Z', updatedAt: 1_700_000_000_123 });
    const entity = await store.getEntity('a');

    expect(entity?.createdAt.toISOString()).toBe('2023-05-06T07:08:09.000Z');
    expect(entity?.updatedAt.getTime()).toBe(1_700_000_000_123);
  });

  it('returns null for an unknown id', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'known', type: 'class', name: 'Known' });

    expect(await store.getEntity('unknown')).toBeNull();
  });

  it('stores all 16 entity types', async () => {
    const store = await stores.open({ shards: 4 });

    await store.addEntities(ENTITY_TYPES.map((type) => ({ id: `t:${type}`, type, name: `${type}Name` })));
    const entities = await store.getEntities(ENTITY_TYPES.map((type) => `t:${type}`));
    const stats = await store.getStats();

    expect(entities.map((entity) => entity?.type)).toEqual(ENTITY_TYPES);
    expect(stats.entityCount).toBe(16);
    for (const type of ENTITY_TYPES) {
      expect(stats.entitiesByType[type], type).toBe(1);
    }
  });

  it('stores an unlisted type with entityKind', async () => {
    const store = await stores.open();

    await store.addEntity({
      id: 'req:REQ-001',
      type: 'Requirement',
      name: 'REQ-001',
      metadata: { entityKind: 'requirement', priority: 'P0', tags: ['auth'] },
    });
    const entity = await store.getEntity('req:REQ-001');

    expect(entity?.type).toBe('Requirement');
    expect(entity?.metadata).toEqual({ entityKind: 'requirement', priority: 'P0', tags: ['auth'] });
    expect((await store.getStats()).entitiesByType).toEqual({ Requirement: 1 });
  });
});

describe('addEntities', () => {
  it('returns ids in input order', async () => {
    const store = await stores.open({ shards: 4 });

    const ids = await store.addEntities([
      { id: 'one', type: 'class', name: 'One' },
      { type: 'class', name: 'Generated' },
      { id: 'three', type: 'class', name: 'Three' },
    ]);

    expect(ids).toHaveLength(3);
    expect(ids[0]).toBe('one');
    expect(ids[1]).toMatch(UUID);
    expect(ids[2]).toBe('three');
    const names = (await store.getEntities(ids)).map((entity) => entity?.name);
    expect(names).toEqual(['One', 'Generated', 'Three']);
    expect((await store.getStats()).entityCount).toBe(3);
  });

  it('accepts an empty batch', async () => {
    const store = await stores.open();

    expect(await store.addEntities([])).toEqual([]);
    expect((await store.getStats()).entityCount).toBe(0);
  });
});

describe('getEntities', () => {
  it('keeps order with nulls', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities([
      { id: 'a', type: 'class', name: 'A' },
      { id: 'b', type: 'class', name: 'B' },
      { id: 'c', type: 'class', name: 'C' },
    ]);

    const entities = await store.getEntities(['c', 'missing', 'a', 'b', 'a', 'gone']);

    expect(entities.map((entity) => entity?.id ?? null)).toEqual(['c', null, 'a', 'b', 'a', null]);
  });
});

describe('updateEntity', () => {
  it('changes the given fields only', async () => {
    const store = await stores.open();
    await store.addEntity({
      id: 'm',
      type: 'method',
      name: 'run',
      namespace: 'Runner',
      filePath: 'src/runner.ts',
      line: 10,
      description: 'Runs once.',
      metadata: { visibility: 'public' },
    });

    const updated = await store.updateEntity('m', { name: 'runAll', line: 12, metadata: { visibility: 'private' } });

    expect(updated.name).toBe('runAll');
    expect(updated.line).toBe(12);
    expect(updated.metadata).toEqual({ visibility: 'private' });
    expect(updated.type).toBe('method');
    expect(updated.namespace).toBe('Runner');
    expect(updated.filePath).toBe('src/runner.ts');
    expect(updated.description).toBe('Runs once.');
    expect(await store.getEntity('m')).toEqual(updated);
  });

  it('null clears optional fields', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'm', type: 'method', name: 'run', filePath: 'src/a.ts', line: 3, description: 'doc' });

    const updated = await store.updateEntity('m', { filePath: null, line: null, description: null });
    const stored = await store.getEntity('m');

    expect(updated).not.toHaveProperty('filePath');
    expect(updated).not.toHaveProperty('line');
    expect(updated).not.toHaveProperty('description');
    expect(stored).toEqual(updated);
    expect(await store.getEntityIdsByFile('src/a.ts')).toEqual([]);
  });

  it('moves updatedAt and keeps createdAt', async () => {
    const store = await stores.open();
    const createdAt = new Date('2024-01-01T00:00:00.000Z');
    await store.addEntity({ id: 'c', type: 'class', name: 'C', createdAt });
    const before = await store.getEntity('c');
    await nextMillisecond(Date.now());

    const updated = await store.updateEntity('c', { description: 'changed' });

    expect(updated.createdAt).toEqual(createdAt);
    expect(updated.updatedAt).toBeInstanceOf(Date);
    expect(updated.updatedAt.getTime()).toBeGreaterThan(before!.updatedAt.getTime());
    expect((await store.getEntity('c'))?.updatedAt).toEqual(updated.updatedAt);
  });

  it('takes an explicit updatedAt', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'c', type: 'class', name: 'C' });

    const updated = await store.updateEntity('c', { updatedAt: '2030-01-01T00:00:00.000Z' });

    expect(updated.updatedAt.toISOString()).toBe('2030-01-01T00:00:00.000Z');
  });

  it('keeps relationships', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities([
      { id: 'a', type: 'class', name: 'A' },
      { id: 'b', type: 'class', name: 'B' },
      { id: 'c', type: 'class', name: 'C' },
    ]);
    const out = await store.addRelationship('a', 'b', 'calls');
    const incoming = await store.addRelationship('c', 'a', 'uses');
    const before = sortById(await store.getRelationships('a', 'both'));

    await store.updateEntity('a', { name: 'Renamed', type: 'interface', namespace: 'ns' });

    const after = sortById(await store.getRelationships('a', 'both'));
    expect(after).toEqual(before);
    expect(after.map((rel) => rel.id).sort()).toEqual([out, incoming].sort());
    expect((await store.getStats()).relationshipCount).toBe(2);
  });

  it('moves the entity between type counts', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'x', type: 'class', name: 'X' });

    await store.updateEntity('x', { type: 'interface' });

    expect((await store.getStats()).entitiesByType).toEqual({ interface: 1 });
  });
});

describe('deleteEntity', () => {
  it('removes the entity', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities([
      { id: 'keep', type: 'class', name: 'Keep' },
      { id: 'drop', type: 'class', name: 'Drop' },
    ]);

    await store.deleteEntity('drop');

    expect(await store.getEntity('drop')).toBeNull();
    expect((await store.getEntity('keep'))?.name).toBe('Keep');
    expect((await store.getStats()).entityCount).toBe(1);
    expect((await store.getStats()).entitiesByType).toEqual({ class: 1 });
  });

  it('frees the id for reuse', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'x', type: 'class', name: 'Old' });

    await store.deleteEntity('x');
    await store.addEntity({ id: 'x', type: 'function', name: 'New' });

    expect((await store.getEntity('x'))?.name).toBe('New');
  });
});

describe('deleteEntitiesByFile', () => {
  it('removes only that file', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities([
      { id: 'a1', type: 'function', name: 'a1', filePath: 'src/a.ts' },
      { id: 'a2', type: 'function', name: 'a2', filePath: 'src/a.ts' },
      { id: 'a3', type: 'class', name: 'a3', filePath: 'src/a.ts' },
      { id: 'b1', type: 'function', name: 'b1', filePath: 'src/b.ts' },
      { id: 'nofile', type: 'module', name: 'nofile' },
    ]);
    await store.addRelationship('b1', 'a1', 'calls');

    const deleted = await store.deleteEntitiesByFile('src/a.ts');

    expect(deleted).toBe(3);
    const remaining = await store.getEntities(['a1', 'a2', 'a3', 'b1', 'nofile']);
    expect(remaining.map((entity) => entity?.id ?? null)).toEqual([null, null, null, 'b1', 'nofile']);
    expect(await store.getEntityIdsByFile('src/a.ts')).toEqual([]);
    expect(await store.getEntityIdsByFile('src/b.ts')).toEqual(['b1']);
    expect(await store.getRelationships('b1', 'both')).toEqual([]);
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(2);
    expect(stats.relationshipCount).toBe(0);
  });

  it('returns 0 for an unknown file', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'a', type: 'file', name: 'a.ts', filePath: 'a.ts' });

    expect(await store.deleteEntitiesByFile('missing.ts')).toBe(0);
    expect((await store.getStats()).entityCount).toBe(1);
  });
});

describe('upsertEntity', () => {
  it('creates, then updates by name and namespace', async () => {
    const store = await stores.open({ shards: 4 });

    const first = await store.upsertEntity({ type: 'class', name: 'Cache', namespace: 'core', metadata: { a: 1, b: 1 } });
    const second = await store.upsertEntity(
      { type: 'class', name: 'Cache', namespace: 'core', description: 'LRU', metadata: { b: 2, c: 3 } },
      'name-namespace',
    );

    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.id).toBe(first.id);
    const entity = await store.getEntity(first.id);
    expect(entity?.description).toBe('LRU');
    expect(entity?.metadata).toEqual({ a: 1, b: 2, c: 3 });
    expect((await store.getStats()).entityCount).toBe(1);
  });

  it('treats another namespace as new', async () => {
    const store = await stores.open({ shards: 4 });

    const core = await store.upsertEntity({ type: 'class', name: 'Cache', namespace: 'core' });
    const web = await store.upsertEntity({ type: 'class', name: 'Cache', namespace: 'web' }, 'name-namespace');

    expect(web.created).toBe(true);
    expect(web.id).not.toBe(core.id);
    expect((await store.getStats()).entityCount).toBe(2);
  });

  it('matches by name alone', async () => {
    const store = await stores.open({ shards: 4 });
    const core = await store.upsertEntity({ type: 'class', name: 'Cache', namespace: 'core', metadata: { keep: true } });

    const other = await store.upsertEntity({ type: 'class', name: 'Cache', namespace: 'web', metadata: { added: 1 } }, 'name');

    expect(other.created).toBe(false);
    expect(other.id).toBe(core.id);
    expect((await store.getEntity(core.id))?.metadata).toEqual({ keep: true, added: 1 });
    expect((await store.getStats()).entityCount).toBe(1);
  });

  it('keeps createdAt, fields and relationships', async () => {
    const store = await stores.open({ shards: 4 });
    const createdAt = new Date('2022-02-02T00:00:00.000Z');
    await store.addEntities([
      { id: 'svc', type: 'class', name: 'Service', namespace: 'app', filePath: 'src/svc.ts', line: 5, createdAt },
      { id: 'dep', type: 'class', name: 'Dep' },
    ]);
    const rel = await store.addRelationship('svc', 'dep', 'depends-on');

    const outcome = await store.upsertEntity({ type: 'class', name: 'Service', namespace: 'app', description: 'new doc' });

    expect(outcome).toEqual({ id: 'svc', created: false });
    const entity = await store.getEntity('svc');
    expect(entity?.createdAt).toEqual(createdAt);
    expect(entity?.updatedAt.getTime()).toBeGreaterThan(createdAt.getTime());
    expect(entity?.filePath).toBe('src/svc.ts');
    expect(entity?.line).toBe(5);
    expect(entity?.description).toBe('new doc');
    expect((await store.getRelationships('svc', 'out')).map((r) => r.id)).toEqual([rel]);
  });
});

describe('upsertEntities', () => {
  it('counts created and updated', async () => {
    const store = await stores.open({ shards: 4 });
    await store.upsertEntities([
      { type: 'function', name: 'f', namespace: 'm', metadata: { v: 1 } },
      { type: 'function', name: 'g', namespace: 'm' },
    ]);

    const result = await store.upsertEntities([
      { type: 'function', name: 'f', namespace: 'm', metadata: { w: 2 } },
      { type: 'function', name: 'h', namespace: 'm' },
      { type: 'function', name: 'g', namespace: 'other' },
    ]);

    expect(result).toEqual({ created: 2, updated: 1 });
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(4);
    const f = await store.query({ entityFilters: { name: 'f' } });
    expect(f.entities).toHaveLength(1);
    expect(f.entities[0]?.metadata).toEqual({ v: 1, w: 2 });
  });

  it('matches by name across namespaces', async () => {
    const store = await stores.open({ shards: 4 });
    await store.upsertEntities([{ type: 'function', name: 'f', namespace: 'a' }]);

    const result = await store.upsertEntities([{ type: 'function', name: 'f', namespace: 'b' }], 'name');

    expect(result).toEqual({ created: 0, updated: 1 });
    expect((await store.getStats()).entityCount).toBe(1);
  });
});

describe('putEntities', () => {
  it('keeps relationships and createdAt', async () => {
    const store = await stores.open({ shards: 4 });
    const createdAt = new Date('2021-03-04T05:06:07.000Z');
    await store.addEntities([
      { id: 'a', type: 'class', name: 'A', description: 'old', metadata: { old: true }, createdAt },
      { id: 'b', type: 'class', name: 'B' },
    ]);
    const out = await store.addRelationship('a', 'b', 'calls');
    const incoming = await store.addRelationship('b', 'a', 'uses');

    const result = await store.putEntities([
      { id: 'a', type: 'interface', name: 'A2', metadata: { fresh: 1 } },
      { id: 'new', type: 'class', name: 'New' },
    ]);

    expect(result).toEqual({ created: 1, updated: 1 });
    const a = await store.getEntity('a');
    expect(a?.type).toBe('interface');
    expect(a?.name).toBe('A2');
    expect(a?.metadata).toEqual({ fresh: 1 });
    expect(a).not.toHaveProperty('description');
    expect(a?.createdAt).toEqual(createdAt);
    expect(a?.updatedAt.getTime()).toBeGreaterThan(createdAt.getTime());
    const rels = (await store.getRelationships('a', 'both')).map((rel) => rel.id).sort();
    expect(rels).toEqual([out, incoming].sort());
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(3);
    expect(stats.relationshipCount).toBe(2);
    expect(stats.entitiesByType).toEqual({ interface: 1, class: 2 });
  });

  it('uses an explicit createdAt', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'a', type: 'class', name: 'A', createdAt: '2020-01-01T00:00:00.000Z' });

    await store.putEntities([{ id: 'a', type: 'class', name: 'A', createdAt: '2019-01-01T00:00:00.000Z' }]);

    expect((await store.getEntity('a'))?.createdAt.toISOString()).toBe('2019-01-01T00:00:00.000Z');
  });
});

describe('concurrency', () => {
  it('200 concurrent adds and gets', async () => {
    const store = await stores.open({ shards: 4 });
    const count = 200;

    const addIds = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        store.addEntity(i % 2 ? { id: `conc-${i}`, type: 'function', name: `fn${i}` } : { type: 'function', name: `fn${i}` }),
      ),
    );
    const entities = await Promise.all(addIds.map((id) => store.getEntity(id)));

    expect(new Set(addIds).size).toBe(count);
    for (let i = 0; i < count; i++) {
      if (i % 2) expect(addIds[i]).toBe(`conc-${i}`);
      else expect(addIds[i]).toMatch(UUID);
      expect(entities[i]?.id, `entity ${i}`).toBe(addIds[i]);
      expect(entities[i]?.name, `entity ${i}`).toBe(`fn${i}`);
    }
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(count);
    expect(stats.shards.reduce((sum, shard) => sum + shard.entityCount, 0)).toBe(count);
  });

  it('interleaved writes and reads', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities(Array.from({ length: 100 }, (_, i) => ({ id: `old-${i}`, type: 'class', name: `Old${i}` })));

    const writes = Array.from({ length: 100 }, (_, i) => store.addEntity({ id: `new-${i}`, type: 'class', name: `New${i}` }));
    const reads = Array.from({ length: 100 }, (_, i) => store.getEntity(`old-${i}`));
    const updates = Array.from({ length: 100 }, (_, i) => store.updateEntity(`old-${i}`, { description: `d${i}` }));
    const [written, read, updated] = await Promise.all([Promise.all(writes), Promise.all(reads), Promise.all(updates)]);

    expect(written).toEqual(Array.from({ length: 100 }, (_, i) => `new-${i}`));
    expect(read.map((entity) => entity?.name)).toEqual(Array.from({ length: 100 }, (_, i) => `Old${i}`));
    expect(updated.map((entity) => entity.description)).toEqual(Array.from({ length: 100 }, (_, i) => `d${i}`));
    expect((await store.getStats()).entityCount).toBe(200);
  });

  it('event loop runs during a 50k batch', async () => {
    const store = await stores.open({ shards: 4 });
    const inputs: EntityInput[] = Array.from({ length: 50_000 }, (_, i) => ({
      id: `bulk-${i}`,
      type: i % 3 ? 'function' : 'class',
      name: `bulk${i}`,
      namespace: `ns${i % 50}`,
      filePath: `src/file${i % 500}.ts`,
      line: i,
    }));
    let ticks = 0;
    const timer = setInterval(() => {
      ticks++;
    }, 1);

    try {
      const ids = await store.addEntities(inputs);
      expect(ids).toHaveLength(50_000);
    } finally {
      clearInterval(timer);
    }

    expect(ticks).toBeGreaterThan(0);
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(50_000);
    const [first, last] = await store.getEntities(['bulk-0', 'bulk-49999']);
    expect(first?.name).toBe('bulk0');
    expect(last?.line).toBe(49_999);
  });
});
