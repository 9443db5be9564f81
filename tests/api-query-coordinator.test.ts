import { describe, expect, it } from 'vitest';

import { QueryTimeoutError, type Entity, type YataScale } from '../ts/index.js';
import { useTempStores } from './helpers/store.js';

const stores = useTempStores();

/** Builds a small code graph on four shards, identical for every test. */
async function codeGraph(): Promise<YataScale> {
  const store = await stores.open({ shards: 4 });
  await store.addEntities([
    { id: 'f1', type: 'file', name: 'user.ts', namespace: 'app.user', filePath: 'src/user.ts' },
    { id: 'c1', type: 'class', name: 'UserService', namespace: 'app.user', filePath: 'src/user.ts', description: 'ユーザー認証サービス' },
    { id: 'c2', type: 'class', name: 'OrderService', namespace: 'app.order', filePath: 'src/order.ts' },
    { id: 'i1', type: 'interface', name: 'Service', namespace: 'app.core' },
    { id: 'm1', type: 'method', name: 'getUserById', namespace: 'app.user', filePath: 'src/user.ts' },
    { id: 'm2', type: 'method', name: 'save_order', namespace: 'app.order' },
    { id: 'fn1', type: 'function', name: 'get-user-by-id', namespace: 'app.util' },
    { id: 'x1', type: 'class', name: 'ＣａｆｅManager', namespace: 'app.cafe', description: 'café in NFC' },
    { id: 'x2', type: 'class', name: 'Kiosk', namespace: 'app.cafe', description: 'cafe\u0301 in NFD' },
  ]);
  await store.addRelationships([
    { id: 'r1', sourceId: 'f1', targetId: 'c1', type: 'contains' },
    { id: 'r2', sourceId: 'c1', targetId: 'm1', type: 'contains' },
    { id: 'r3', sourceId: 'c1', targetId: 'i1', type: 'implements' },
    { id: 'r4', sourceId: 'c2', targetId: 'i1', type: 'implements' },
    { id: 'r5', sourceId: 'm2', targetId: 'm1', type: 'calls' },
    { id: 'r6', sourceId: 'm1', targetId: 'm1', type: 'calls' },
    { id: 'r7', sourceId: 'm2', targetId: 'fn1', type: 'calls' },
    { id: 'r8', sourceId: 'fn1', targetId: 'm1', type: 'calls' },
    { id: 'r9', sourceId: 'm2', targetId: 'm1', type: 'references' },
  ]);
  return store;
}

const ids = (entities: Entity[]) => entities.map((e) => e.id);

describe('query through the indexes', () => {
  it('filters by type and namespace', async () => {
    const store = await codeGraph();
    const result = await store.query({ entityFilters: { types: ['class'], namespace: 'app.user' } });
    expect(ids(result.entities)).toEqual(['c1']);
    expect(result.totalCount).toBe(1);
  });

  it('filters by exact name and file path', async () => {
    const store = await codeGraph();
    expect(ids((await store.query({ entityFilters: { name: 'Service' } })).entities)).toEqual(['i1']);
    expect(ids((await store.query({ entityFilters: { name: 'service' } })).entities)).toEqual([]);
    const inFile = await store.query({ entityFilters: { filePath: 'src/user.ts' } });
    expect(ids(inFile.entities).sort()).toEqual(['c1', 'f1', 'm1']);
  });

  it('sorts by name ignoring case, then id', async () => {
    const store = await codeGraph();
    const result = await store.query({ entityFilters: { types: ['class', 'interface'] } });
    expect(result.entities.map((e) => e.name)).toEqual(['Kiosk', 'OrderService', 'Service', 'UserService', 'ＣａｆｅManager']);
  });

  it('sortBy and sortOrder', async () => {
    const store = await codeGraph();
    const byId = await store.query({}, { sortBy: 'id', sortOrder: 'desc', limit: 3 });
    expect(ids(byId.entities)).toEqual(['x2', 'x1', 'm2']);
    const byType = await store.query({ entityFilters: { types: ['method', 'file'] } }, { sortBy: 'type' });
    expect(byType.entities.map((e) => e.type)).toEqual(['file', 'method', 'method']);
  });

  it('pages with exact totalCount and hasMore', async () => {
    const store = await codeGraph();
    const seen: string[] = [];
    for (let offset = 0; ; offset += 4) {
      const page = await store.query({}, { limit: 4, offset, sortBy: 'id' });
      expect(page.totalCount).toBe(9);
      seen.push(...ids(page.entities));
      expect(page.hasMore).toBe(offset + page.entities.length < 9);
      if (!page.hasMore) break;
    }
    expect(seen).toEqual(['c1', 'c2', 'f1', 'fn1', 'i1', 'm1', 'm2', 'x1', 'x2']);
  });

  it('combines filters and text search with AND', async () => {
    const store = await codeGraph();
    const result = await store.query({ entityFilters: { types: ['class'] }, textSearch: 'service' });
    expect(ids(result.entities).sort()).toEqual(['c1', 'c2']);
    const none = await store.query({ entityFilters: { types: ['method'] }, textSearch: 'service' });
    expect(none.totalCount).toBe(0);
  });

  it('name patterns use the name index', async () => {
    const store = await codeGraph();
    const result = await store.query({ entityFilters: { namePattern: 'get*' } });
    expect(ids(result.entities).sort()).toEqual(['fn1', 'm1']);
    const plan = await store.explain({ entityFilters: { namePattern: 'get*' } });
    expect(plan.indexes[0]).toMatch(/^name/);
  });

  it('explain names indexes, shards and parallelism', async () => {
    const store = await codeGraph();
    const plan = await store.explain({ entityFilters: { types: ['class'], namespace: 'app.user' } });
    expect(plan.steps).toHaveLength(4);
    expect(plan.indexes).toContain('namespace+type');
    expect(plan.steps.reduce((sum, s) => sum + s.estimatedRows, 0)).toBe(1);
    expect(plan.shards).toHaveLength(1);
    expect(plan.parallel).toBe(false);

    const scan = await store.explain({});
    expect(scan.steps.every((s) => s.operation === 'scan')).toBe(true);
    expect(scan.steps.reduce((sum, s) => sum + s.estimatedRows, 0)).toBe(9);
    expect(scan.parallel).toBe(true);
  });

  it('batchQuery returns results in order', async () => {
    const store = await codeGraph();
    const [classes, methods] = await store.batchQuery([
      { entityFilters: { types: 'class' } },
      { entityFilters: { types: 'method' } },
    ]);
    expect(classes?.totalCount).toBe(4);
    expect(methods?.totalCount).toBe(2);
  });
});

describe('queryStream', () => {
  it('streams every match in order', async () => {
    const store = await stores.open({ shards: 3 });
    await store.addEntities(Array.from({ length: 1000 }, (_, i) => ({ id: `e${String(i).padStart(4, '0')}`, type: 'function', name: `fn${i}` })));
    const streamed: string[] = [];
    for await (const entity of store.queryStream({}, { sortBy: 'id' })) streamed.push(entity.id);
    expect(streamed).toHaveLength(1000);
    expect(streamed).toEqual([...streamed].sort());
  });

  it('stops when the loop breaks', async () => {
    const store = await stores.open({ shards: 3 });
    await store.addEntities(Array.from({ length: 2000 }, (_, i) => ({ id: `e${i}`, type: 'function', name: `fn${i}` })));
    let count = 0;
    for await (const _ of store.queryStream({})) {
      count += 1;
      if (count === 10) break;
    }
    expect(count).toBe(10);
    // The cursor was released: the store closes and reopens at once.
    await store.close();
    await store.initialize();
    expect((await store.getStats()).entityCount).toBe(2000);
  });
});

describe('timeoutMs', () => {
  it('raises QueryTimeoutError', async () => {
    const store = await stores.open({ shards: 2 });
    await store.addEntities(
      Array.from({ length: 20_000 }, (_, i) => ({ type: 'function', name: `handler${i}`, description: `handles request ${i}` })),
    );
    const error = await store
      .query({ textSearch: 'handles request' }, { sortBy: 'createdAt', timeoutMs: 1 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect((error as QueryTimeoutError).timeoutMs).toBe(1);
  });
});

describe('search', () => {
  it('finds identifier parts in every style', async () => {
    const store = await codeGraph();
    const found = ids((await store.search('user by id')).map((r) => r.entity)).sort();
    expect(found).toEqual(['fn1', 'm1']);
    expect(ids((await store.search('getUserById')).map((r) => r.entity))).toContain('m1');
    expect(ids((await store.search('Service')).map((r) => r.entity)).sort()).toEqual(['c1', 'c2', 'i1']);
    expect(ids((await store.search('save order')).map((r) => r.entity))).toEqual(['m2']);
  });

  it('finds Japanese by two-character pieces', async () => {
    const store = await codeGraph();
    expect(ids((await store.search('認証')).map((r) => r.entity))).toEqual(['c1']);
  });

  it('matches full-width letters and both accent forms', async () => {
    const store = await codeGraph();
    expect(ids((await store.search('cafemanager')).map((r) => r.entity))).toEqual(['x1']);
    const accents = ids((await store.search('café')).map((r) => r.entity)).sort();
    expect(accents).toEqual(['x1', 'x2']);
  });

  it('ranks name matches first and supports fuzzy and prefix', async () => {
    const store = await codeGraph();
    const ranked = await store.search('service');
    expect(ranked[0]?.entity.id).toBe('i1');
    expect(await store.search('sevrice')).toEqual([]);
    expect(ids((await store.search('sevrice', 10, { fuzzy: 2 })).map((r) => r.entity))).toContain('i1');
    expect(ids((await store.search('getUs', 10, { prefix: true })).map((r) => r.entity))).toContain('m1');
  });

  it('sees a write at once', async () => {
    const store = await codeGraph();
    await store.addEntity({ id: 'late', type: 'class', name: 'LatecomerWidget' });
    expect(ids((await store.search('latecomer')).map((r) => r.entity))).toEqual(['late']);
    await store.deleteEntity('late');
    expect(await store.search('latecomer')).toEqual([]);
  });
});

describe('graph operations', () => {
  it('findPath handles self, unreachable and unknown', async () => {
    const store = await codeGraph();
    const self = await store.findPath('m1', 'm1');
    expect(self?.length).toBe(0);
    expect(ids(self?.entities ?? [])).toEqual(['m1']);
    expect(await store.findPath('i1', 'f1', { direction: 'out' })).toBeNull();
    await expect(store.findPath('nope', 'm1')).rejects.toMatchObject({ code: 'ENTITY_NOT_FOUND' });
  });

  it('findPath returns a shortest path across shards', async () => {
    const store = await codeGraph();
    const path = await store.findPath('f1', 'm1', { direction: 'out' });
    expect(ids(path?.entities ?? [])).toEqual(['f1', 'c1', 'm1']);
    expect(path?.relationships.map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await store.findPath('f1', 'm1', { direction: 'out', maxDepth: 1 })).toBeNull();
  });

  it('findAllPaths yields every simple path', async () => {
    const store = await codeGraph();
    const paths: string[][] = [];
    for await (const path of store.findAllPaths('m2', 'm1', { direction: 'out', maxDepth: 3 })) {
      paths.push(path.relationships.map((r) => r.type));
    }
    expect(paths.map((p) => p.join('>')).sort()).toEqual(['calls', 'calls>calls', 'references']);
  });

  it('getNeighbors respects depth, direction and types', async () => {
    const store = await codeGraph();
    const out = await store.getNeighbors('m2', { direction: 'out' });
    expect(out.map((n) => n.entity.id).sort()).toEqual(['fn1', 'm1']);
    const twoHops = await store.getNeighbors('f1', { direction: 'out', depth: 2 });
    expect(twoHops.map((n) => [n.entity.id, n.depth])).toEqual([['c1', 1], ['i1', 2], ['m1', 2]]);
    const calls = await store.getNeighbors('m1', { direction: 'in', relationshipTypes: ['calls'] });
    expect(calls.map((n) => n.entity.id)).toEqual(['fn1', 'm2']);
  });

  it('matchPattern returns every match', async () => {
    const store = await codeGraph();
    const matches = await store.matchPattern({
      nodes: [{ variable: 'cls', type: 'class' }, { variable: 'api', type: 'interface' }],
      edges: [{ sourceVar: 'cls', targetVar: 'api', type: 'implements' }],
    });
    expect(matches.map((m) => m.bindings['cls']).sort()).toEqual(['c1', 'c2']);
    expect(matches.every((m) => m.bindings['api'] === 'i1' && m.confidence === 1)).toBe(true);
  });

  it('extractSubgraph keeps relationships among its entities', async () => {
    const store = await codeGraph();
    const sub = await store.extractSubgraph('c1', { depth: 1 });
    expect(ids(sub.entities)).toEqual(['c1', 'f1', 'i1', 'm1']);
    expect(sub.relationships.map((r) => r.id).sort()).toEqual(['r1', 'r2', 'r3', 'r6']);
  });

  it('traverse follows yata-local arguments', async () => {
    const store = await codeGraph();
    const reached = await store.traverse('m2', ['calls'], 'forward', 2);
    expect(ids(reached)).toEqual(['fn1', 'm1']);
  });
});

describe('getIndexStats', () => {
  it('reports B+Tree, bloom and graph figures', async () => {
    const store = await codeGraph();
    await store.getEntity('not-stored-anywhere');
    const stats = (await store.getIndexStats()) as {
      shards: { btree: Record<string, { height: number; keys: number }>; bloom: { measuredFalsePositiveRate: number } }[];
      graph: { nodes: number; edges: number };
      memoryBytes: number;
    };
    expect(stats.shards).toHaveLength(4);
    const typeKeys = stats.shards.reduce((sum, s) => sum + (s.btree['type']?.keys ?? 0), 0);
    expect(typeKeys).toBeGreaterThanOrEqual(5);
    expect(stats.graph.edges).toBe(9);
    expect(stats.memoryBytes).toBeGreaterThan(0);
  });
});
