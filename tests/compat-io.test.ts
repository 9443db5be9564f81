/**
 * yata-local's import and export formats on real stores: round trips, the
 * exact JSON layout, files exchanged with the real `@nahisaho/yata-local`
 * 2.4.6 in both directions, merge strategies, dry runs, bad input,
 * N-Triples validity and a 150,000-entity file.
 */

import { closeSync, createWriteStream, mkdtempSync, openSync, readSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { exportGraph, type ExportFormat } from '../ts/compat/io/export.js';
import { importGraph, type ImportFormat, type MergeStrategy } from '../ts/compat/io/import.js';
import { createYataScale, InvalidInputError, type YataScale } from '../ts/index.js';
import type { Entity, EntityInput, Relationship, RelationshipInput } from '../ts/index.js';
import { ORACLE_DIR } from './oracle/install.js';
import { openYataLocal, type YataLocal, type YlEntity } from './oracle/yata-local.js';

const ORACLE_TIMEOUT = 600_000;
const work = mkdtempSync(join(tmpdir(), 'yata-scale-io-'));
const stores: YataScale[] = [];
let storeNumber = 0;

afterAll(async () => {
  await Promise.allSettled(stores.map((store) => store.close()));
  rmSync(work, { recursive: true, force: true });
});

async function newStore(shards = 2): Promise<YataScale> {
  const store = createYataScale({ path: join(work, `store-${storeNumber++}`), shards });
  await store.initialize();
  stores.push(store);
  return store;
}

const file = (name: string) => join(work, name);

const T0 = Date.parse('2024-06-01T00:00:00.000Z');
const time = (minutes: number) => new Date(T0 + minutes * 60_000 + 123);

/** Entities and relationships that exercise every field and the characters formats must escape. */
function sampleGraph(count = 200): { entities: EntityInput[]; relationships: RelationshipInput[] } {
  const entities: EntityInput[] = [
    {
      id: 'a',
      type: 'class',
      name: 'UserService',
      namespace: 'app.services',
      filePath: 'src/services/user.ts',
      line: 0,
      description: 'ユーザー認証 & <権限> "quoted" \'single\'\r\nsecond line\ttabbed',
      metadata: { entityKind: 'Component', nested: { list: [1, 2.5, null, true, 'x'], empty: {} }, unicode: '日本語🚀' },
      createdAt: time(0),
      updatedAt: time(90),
    },
    { id: 'b', type: 'function', name: 'helper', namespace: '', description: '', createdAt: time(1), updatedAt: time(1) },
    { id: 'c', type: 'custom kind', name: 'Ω 🚀 <name>', namespace: 'app.services', createdAt: time(2), updatedAt: time(3) },
    {
      id: 'd:with.punct-uation_~!',
      type: 'type',
      name: 'REQ-001',
      namespace: 'requirements',
      filePath: 'docs/要件 file.md',
      line: 4_294_967_295,
      metadata: { entityKind: 'Requirement', earsPattern: 'event-driven' },
      createdAt: time(4),
      updatedAt: time(5),
    },
  ];
  for (let i = 0; i < count; i++) {
    entities.push({
      id: `gen-${i}`,
      type: ['class', 'method', 'interface', 'module'][i % 4] as string,
      name: `Name${i % 37}`,
      namespace: `ns${i % 3}`,
      filePath: i % 2 ? `src/f${i}.ts` : undefined,
      line: i % 5 ? i : undefined,
      description: i % 7 ? `説明 ${i}` : undefined,
      metadata: i % 4 ? { entityKind: ['Task', 'Component'][i % 2], index: i } : {},
      createdAt: time(10 + i),
      updatedAt: time(10 + i + (i % 3)),
    });
  }
  const relationships: RelationshipInput[] = [
    { id: 'r-weight', sourceId: 'a', targetId: 'b', type: 'calls', weight: 0.25, metadata: { async: true }, createdAt: time(6) },
    { id: 'r-tiny', sourceId: 'a', targetId: 'c', type: 'depends-on', weight: 3.5e-7, createdAt: time(7) },
    { id: 'r-self', sourceId: 'c', targetId: 'c', type: 'references', createdAt: time(8) },
    { id: 'r-same-pair', sourceId: 'a', targetId: 'b', type: 'uses', metadata: { relationKind: 'BELONGS_TO' }, createdAt: time(9) },
    { id: 'r-type-space', sourceId: 'd:with.punct-uation_~!', targetId: 'a', type: 'related to', createdAt: time(10) },
  ];
  for (let i = 1; i < count; i++) {
    relationships.push({
      id: `gen-r-${i}`,
      sourceId: `gen-${i}`,
      targetId: `gen-${(i * 7) % count}`,
      type: ['calls', 'contains', 'has-method'][i % 3] as string,
      weight: i % 5 === 0 ? 0.5 : 1,
      metadata: i % 6 === 0 ? { n: i } : {},
      createdAt: time(20 + i),
    });
  }
  return { entities, relationships };
}

async function fill(store: YataScale, graph = sampleGraph()): Promise<void> {
  await store.addEntities(graph.entities);
  await store.addRelationships(graph.relationships);
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => a.id.localeCompare(b.id, 'en'));
}

/** Reads every entity and relationship of a store, sorted by id. */
async function dump(store: YataScale): Promise<{ entities: Entity[]; relationships: Relationship[] }> {
  const { entities } = await store.query({ includeRelationships: false }, { limit: 1_000_000 });
  const relationships: Relationship[] = [];
  for (const entity of entities) relationships.push(...(await store.getRelationships(entity.id, 'out')));
  return { entities: byId(entities), relationships: byId(relationships) };
}

/** Blanks the values that differ between two exports of equal data. */
function maskVolatile(text: string): string {
  return text.replace(/"exportedAt": "[^"]*"/, '"exportedAt": "*"').replace(/"exportTimeMs": \d+/, '"exportTimeMs": 0');
}

describe('export and import round trips', () => {
  const formats: { format: ExportFormat; importAs: ImportFormat }[] = [
    { format: 'json', importAs: 'json' },
    { format: 'json-v1', importAs: 'json' },
    { format: 'graphml', importAs: 'graphml' },
  ];

  it.each(formats)('$format keeps every field', async ({ format, importAs }) => {
    const source = await newStore(3);
    await fill(source);
    const first = file(`round-trip-1.${format}`);
    const exported = await exportGraph(source, first, { format });
    expect(exported.entityCount).toBe(204);
    expect(exported.relationshipCount).toBe(204);
    expect(exported.fileSize).toBe(readFileSync(first).length);

    const target = await newStore(1);
    const result = await importGraph(target, first, { format: importAs });
    expect(result.errors).toEqual([]);
    expect(result.success).toBe(true);
    expect(result.entitiesCreated).toBe(204);
    expect(result.relationshipsCreated).toBe(204);
    expect(await dump(target)).toStrictEqual(await dump(source));

    const second = file(`round-trip-2.${format}`);
    await exportGraph(target, second, { format });
    expect(maskVolatile(readFileSync(second, 'utf8'))).toBe(maskVolatile(readFileSync(first, 'utf8')));
  });

  it('reads input split into 3-byte chunks', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(20));
    for (const { format, importAs } of formats) {
      const path = file(`chunks.${format}`);
      await exportGraph(source, path, { format });
      const bytes = readFileSync(path);
      const chunks = Array.from({ length: Math.ceil(bytes.length / 3) }, (_, i) => bytes.subarray(i * 3, i * 3 + 3));
      const target = await newStore();
      const result = await importGraph(target, Readable.from(chunks), { format: importAs });
      expect(result.errors, format).toEqual([]);
      expect(await dump(target), format).toStrictEqual(await dump(source));
    }
  });
});

describe('JSON layout', () => {
  it('matches JSON.stringify(data, null, 2) for version 1.0 and 2.0', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(10));
    for (const format of ['json', 'json-v1'] as const) {
      const path = file(`layout.${format}`);
      await exportGraph(source, path, { format });
      const text = readFileSync(path, 'utf8');
      expect(JSON.stringify(JSON.parse(text), null, 2), format).toBe(text);
    }
  });

  it('writes the version 2.0 header in yata-local key order', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(10));
    const path = file('header.json');
    const result = await exportGraph(source, path, { format: 'json' });
    const data = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(data)).toEqual(['version', 'exportedAt', 'incremental', 'stats', 'entities', 'relationships']);
    expect(data.version).toBe('2.0');
    expect(data.incremental).toBe(false);
    expect(data.stats).toEqual({ entityCount: 14, relationshipCount: 14, exportTimeMs: expect.any(Number) });
    expect(result.entityCount).toBe(14);
    const entity = (data.entities as Record<string, unknown>[]).find((e) => e.id === 'a') as Record<string, unknown>;
    expect(Object.keys(entity)).toEqual([
      'id',
      'type',
      'name',
      'namespace',
      'filePath',
      'line',
      'description',
      'metadata',
      'createdAt',
      'updatedAt',
    ]);
    expect(entity.createdAt).toBe('2024-06-01T00:00:00.123Z');
    const relationship = (data.relationships as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(Object.keys(relationship)).toEqual(['id', 'sourceId', 'targetId', 'type', 'weight', 'metadata', 'createdAt']);
  });

  it('exports an empty store as empty arrays', async () => {
    const empty = await newStore();
    for (const format of ['json', 'json-v1'] as const) {
      const path = file(`empty.${format}`);
      await exportGraph(empty, path, { format });
      const text = readFileSync(path, 'utf8');
      expect(text).toContain('"entities": [],\n  "relationships": []\n}');
      expect(JSON.stringify(JSON.parse(text), null, 2)).toBe(text);
      const result = await importGraph(await newStore(), path, { format: 'json' });
      expect(result.entitiesCreated + result.relationshipsCreated).toBe(0);
    }
  });
});

describe('export filters', () => {
  it('exports one namespace with the edges inside it', async () => {
    const source = await newStore();
    await fill(source);
    const path = file('namespace.json');
    const result = await exportGraph(source, path, { format: 'json', namespace: 'ns1' });
    const data = JSON.parse(readFileSync(path, 'utf8')) as { namespace: string; entities: Entity[]; relationships: Relationship[] };
    expect(data.namespace).toBe('ns1');
    const ids = new Set(data.entities.map((e) => e.id));
    const all = await dump(source);
    const expectedEntities = all.entities.filter((e) => e.namespace === 'ns1');
    expect([...ids].sort()).toEqual(expectedEntities.map((e) => e.id).sort());
    const expectedEdges = all.relationships.filter((r) => ids.has(r.sourceId) && ids.has(r.targetId));
    expect(expectedEdges.length).toBeGreaterThan(0);
    expect(data.relationships.map((r) => r.id).sort()).toEqual(expectedEdges.map((r) => r.id).sort());
    expect(result.relationshipCount).toBe(expectedEdges.length);
  });

  it('exports entities updated since a time', async () => {
    const source = await newStore();
    await fill(source);
    const since = time(100);
    const path = file('since.json');
    await exportGraph(source, path, { format: 'json', since: since.toISOString() });
    const data = JSON.parse(readFileSync(path, 'utf8')) as { incremental: boolean; since: string; entities: Entity[]; relationships: Relationship[] };
    expect(data.incremental).toBe(true);
    expect(data.since).toBe(since.toISOString());
    const all = await dump(source);
    const selected = all.entities.filter((e) => e.updatedAt.getTime() >= since.getTime());
    expect(data.entities.map((e) => e.id).sort()).toEqual(selected.map((e) => e.id).sort());
    const ids = new Set(selected.map((e) => e.id));
    const edges = all.relationships.filter((r) => ids.has(r.sourceId) && ids.has(r.targetId));
    expect(data.relationships.map((r) => r.id).sort()).toEqual(edges.map((r) => r.id).sort());
  });

  it('rejects an invalid since time and format', async () => {
    const source = await newStore();
    await expect(exportGraph(source, file('x.json'), { format: 'json', since: 'last tuesday' })).rejects.toBeInstanceOf(InvalidInputError);
    await expect(exportGraph(source, file('x.json'), { format: 'csv' as ExportFormat })).rejects.toBeInstanceOf(InvalidInputError);
  });
});

describe('merge strategies and dry runs', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const incoming = JSON.stringify({
    version: '2.0',
    exportedAt: at,
    incremental: false,
    stats: { entityCount: 2, relationshipCount: 3, exportTimeMs: 1 },
    entities: [
      { id: 'x', type: 'class', name: 'NewName', namespace: 'n', metadata: { b: 2, c: 3 }, createdAt: at, updatedAt: at },
      { id: 'y', type: 'function', name: 'Fresh', namespace: 'n', metadata: {}, createdAt: at, updatedAt: at },
    ],
    relationships: [
      { id: 'rx', sourceId: 'x', targetId: 'z', type: 'calls', weight: 9, metadata: {}, createdAt: at },
      { id: 'ry', sourceId: 'x', targetId: 'y', type: 'calls', weight: 1, metadata: {}, createdAt: at },
      { id: 'rghost', sourceId: 'x', targetId: 'ghost', type: 'calls', weight: 1, metadata: {}, createdAt: at },
    ],
  });

  async function baseStore(): Promise<YataScale> {
    const store = await newStore();
    await store.addEntities([
      { id: 'x', type: 'class', name: 'OldName', namespace: 'n', description: 'old', metadata: { a: 1, b: 1 }, createdAt: time(0), updatedAt: time(0) },
      { id: 'z', type: 'class', name: 'Zed', namespace: 'n', createdAt: time(0), updatedAt: time(0) },
    ]);
    await store.addRelationships([{ id: 'rx', sourceId: 'x', targetId: 'z', type: 'calls', createdAt: time(0) }]);
    return store;
  }

  const path = file('incoming.json');
  beforeAll(() => writeFileSync(path, incoming));

  const cases: { strategy: MergeStrategy; name: string; metadata: Record<string, unknown>; description?: string }[] = [
    { strategy: 'skip', name: 'OldName', metadata: { a: 1, b: 1 }, description: 'old' },
    { strategy: 'overwrite', name: 'NewName', metadata: { b: 2, c: 3 } },
    { strategy: 'merge', name: 'NewName', metadata: { a: 1, b: 2, c: 3 } },
  ];

  it.each(cases)('$strategy applies to a stored entity', async ({ strategy, name, metadata, description }) => {
    const store = await baseStore();
    const result = await importGraph(store, path, { format: 'json', mergeStrategy: strategy });
    expect(result.entitiesCreated).toBe(1);
    expect(result.entitiesUpdated).toBe(strategy === 'skip' ? 0 : 1);
    expect(result.entitiesSkipped).toBe(strategy === 'skip' ? 1 : 0);
    expect(result.relationshipsCreated).toBe(1);
    expect(result.relationshipsSkipped).toBe(2);
    expect(result.errors).toEqual([{ id: 'rghost', reason: 'Missing target entity' }]);
    expect(result.success).toBe(false);

    const x = (await store.getEntity('x')) as Entity;
    expect(x.name).toBe(name);
    expect(x.metadata).toStrictEqual(metadata);
    expect(x.description).toBe(description);
    if (strategy !== 'skip') expect(x.updatedAt.toISOString()).toBe(at);
    const rx = (await store.getRelationships('x', 'out')).find((r) => r.id === 'rx') as Relationship;
    expect(rx.weight).toBe(1);
  });

  it.each(cases)('dry run with $strategy counts without writing', async ({ strategy }) => {
    const reference = await baseStore();
    const real = await importGraph(reference, path, { format: 'json', mergeStrategy: strategy });

    const store = await baseStore();
    const before = await dump(store);
    const dry = await importGraph(store, path, { format: 'json', mergeStrategy: strategy, dryRun: true });
    expect({ ...dry, importTimeMs: 0 }).toStrictEqual({ ...real, importTimeMs: 0 });
    expect(await dump(store)).toStrictEqual(before);
  });

  it('dry run into an empty store counts edges between new entities', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(30));
    const exported = file('dry.json');
    await exportGraph(source, exported, { format: 'json' });
    const store = await newStore();
    const result = await importGraph(store, exported, { format: 'json', dryRun: true });
    expect(result.entitiesCreated).toBe(34);
    expect(result.relationshipsCreated).toBe(34);
    expect(result.errors).toEqual([]);
    expect((await store.getStats()).entityCount).toBe(0);
  });

  it('skips relationship ids that are stored', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(10));
    const exported = file('again.json');
    await exportGraph(source, exported, { format: 'json' });
    const result = await importGraph(source, exported, { format: 'json', mergeStrategy: 'overwrite' });
    expect(result.entitiesUpdated).toBe(14);
    expect(result.relationshipsCreated).toBe(0);
    expect(result.relationshipsSkipped).toBe(14);
    expect(result.errors).toEqual([]);
  });
});

describe('import of unusual and invalid input', () => {
  it('lists invalid records and imports the rest', async () => {
    const path = file('invalid-records.json');
    writeFileSync(
      path,
      JSON.stringify({
        version: '1.0',
        entities: [
          { id: 'ok', type: 'class', name: 'Fine' },
          { id: 'no-name', type: 'class' },
          { id: 'bad-line', type: 'class', name: 'L', line: -1 },
          { id: 'bad/id', type: 'class', name: 'Slash' },
          'not an object',
        ],
        relationships: [
          { id: 'bad-weight', sourceId: 'ok', targetId: 'ok', type: 'calls', weight: 'heavy' },
          { sourceId: 'ok', targetId: 'ok', type: 'self' },
        ],
      }),
    );
    const store = await newStore();
    const result = await importGraph(store, path, { format: 'json' });

    expect(result.entitiesCreated).toBe(1);
    expect(result.entitiesSkipped).toBe(4);
    expect(result.relationshipsCreated).toBe(1);
    expect(result.relationshipsSkipped).toBe(1);
    expect(result.errorCount).toBe(5);

    const reasons = Object.fromEntries(result.errors.map((e) => [e.id, e.reason]));
    expect(reasons['no-name']).toContain('name');
    expect(reasons['bad-line']).toContain('line');
    expect(reasons['bad/id']).toContain("'/'");
    expect(reasons['entity #4']).toContain('not a JSON object');
    expect(reasons['bad-weight']).toContain('weight');
    // A relationship without an id gets a generated one.
    expect((await store.getRelationships('ok', 'out')).map((r) => r.type)).toEqual(['self']);
  });

  it('rejects broken JSON and XML', async () => {
    const store = await newStore();
    const cases: { name: string; text: string; format: ImportFormat }[] = [
      { name: 'truncated.json', text: '{"version":"2.0","entities":[{"id":"a","type":"class","name":"A"}', format: 'json' },
      { name: 'array.json', text: '[1, 2]', format: 'json' },
      { name: 'empty.json', text: '', format: 'json' },
      { name: 'garbage.json', text: '{"entities": [} ]}', format: 'json' },
      { name: 'trailing.json', text: '{"entities": []} x', format: 'json' },
      { name: 'truncated.graphml', text: '<graphml><graph><node id="a"><data key="name">A</da', format: 'graphml' },
      { name: 'entity.graphml', text: '<graphml><graph><node id="a"><data key="name">&nbsp;</data></node></graph></graphml>', format: 'graphml' },
    ];
    for (const { name, text, format } of cases) {
      writeFileSync(file(name), text);
      const error = await importGraph(store, file(name), { format }).catch((e: unknown) => e);
      expect(error, name).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message, name).toContain(file(name));
    }
  });

  it('reads foreign GraphML with edges before nodes', async () => {
    const path = file('foreign.graphml');
    writeFileSync(
      path,
      [
        '<?xml version="1.0"?>',
        '<!DOCTYPE graphml>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="d0" for="node" attr.name="name" attr.type="string"/>',
        '  <key id="d1" for="node" attr.name="description" attr.type="string"/>',
        '  <key id="d2" for="edge" attr.name="type" attr.type="string"/>',
        '  <graph edgedefault="directed">',
        '    <edge source="n1" target="n2"><data key="d2">calls</data></edge>',
        '    <edge id="e2" source="n2" target="n1"/>',
        '    <!-- a comment with <tags> -->',
        '    <node id="n1"><data key="d0">First</data><data key="d1"><![CDATA[a <raw> & text]]></data></node>',
        "    <node id='n2'/>",
        '  </graph>',
        '</graphml>',
      ].join('\r\n'),
    );
    const store = await newStore();
    const result = await importGraph(store, path, { format: 'graphml' });

    expect(result.errors).toEqual([]);
    expect(result.entitiesCreated).toBe(2);
    expect(result.relationshipsCreated).toBe(2);

    const n1 = (await store.getEntity('n1')) as Entity;
    expect(n1.name).toBe('First');
    expect(n1.type).toBe('unknown');
    expect(n1.description).toBe('a <raw> & text');
    expect((await store.getEntity('n2'))?.name).toBe('n2');
    const types = (await store.getRelationships('n1', 'both')).map((r) => r.type).sort();
    expect(types).toEqual(['calls', 'related']);
  });
});

describe('exchange with yata-local', () => {
  let yl: YataLocal;
  let ylIds: string[];

  beforeAll(async () => {
    yl = await openYataLocal(file('yata-local.db'));
    ylIds = await yl.addEntities([
      { type: 'class', name: 'UserService', namespace: 'app', filePath: 'src/user.ts', line: 3, description: 'ユーザー & <管理>', metadata: { entityKind: 'Component' } },
      { type: 'function', name: 'helper', namespace: 'app', description: 'multi\nline' },
      { type: 'type', name: 'REQ-1', namespace: 'requirements', metadata: { entityKind: 'Requirement', text: '"quoted"' } },
    ]);
    await yl.addRelationship(ylIds[0] as string, ylIds[1] as string, 'calls', { count: 2 });
    await yl.addRelationship(ylIds[2] as string, ylIds[0] as string, 'related-to');
  }, ORACLE_TIMEOUT);

  afterAll(async () => {
    await yl?.close();
  });

  it('imports yata-local JSON exports with every field', async () => {
    const v1 = file('from-yata-local-v1.json');
    await yl.exportJson(v1);
    const v2 = file('from-yata-local-v2.json');
    await yl.export({ format: 'json', outputPath: v2 });
    for (const path of [v1, v2]) {
      const store = await newStore();
      const result = await importGraph(store, path, { format: 'json' });
      expect(result.errors, path).toEqual([]);
      expect(result.entitiesCreated).toBe(3);
      expect(result.relationshipsCreated).toBe(2);
      for (const id of ylIds) {
        const expected = (await yl.getEntity(id)) as YlEntity;
        expect(defined((await store.getEntity(id)) as Entity), path).toStrictEqual(defined(expected));
        expect(byId(await store.getRelationships(id, 'both'))).toStrictEqual(byId(await yl.getRelationships(id, 'both')));
      }
    }
  });

  it("imports yata-local GraphML with the fields it writes", async () => {
    const path = file('from-yata-local.graphml');
    await yl.export({ format: 'graphml', outputPath: path });
    const store = await newStore();
    const result = await importGraph(store, path, { format: 'graphml' });
    expect(result.errors).toEqual([]);
    for (const id of ylIds) {
      const expected = (await yl.getEntity(id)) as YlEntity;
      const actual = (await store.getEntity(id)) as Entity;
      for (const field of ['type', 'name', 'namespace', 'filePath', 'description', 'metadata'] as const) {
        expect(actual[field], `${id} ${field}`).toStrictEqual(expected[field]);
      }
      const edges = (list: { id: string; sourceId: string; targetId: string; type: string; weight: number }[]) =>
        byId(list).map(({ id, sourceId, targetId, type, weight }) => ({ id, sourceId, targetId, type, weight }));
      expect(edges(await store.getRelationships(id, 'out'))).toStrictEqual(edges(await yl.getRelationships(id, 'out')));
    }
  });

  it('writes JSON and GraphML that yata-local imports', async () => {
    const source = await newStore();
    // No carriage returns: yata-local's GraphML reader does not decode character references.
    const graph = sampleGraph(20);
    graph.entities = graph.entities.map((e) => ({ ...e, description: e.description?.replace(/\r/g, '') }));
    await fill(source, graph);
    const all = await dump(source);

    for (const format of ['json', 'graphml'] as const) {
      const path = file(`for-yata-local.${format}`);
      await exportGraph(source, path, { format });
      const target = await openYataLocal(file(`yata-local-import-${format}.db`));
      try {
        const result = await target.import(path, { format, mergeStrategy: 'skip' });
        expect(result.errors, format).toEqual([]);
        expect(result.entitiesCreated, format).toBe(all.entities.length);
        expect(result.relationshipsCreated, format).toBe(all.relationships.length);
        for (const entity of all.entities) {
          const stored = (await target.getEntity(entity.id)) as YlEntity;
          if (format === 'json') {
            expect(defined(stored), entity.id).toStrictEqual(defined(entity));
          } else {
            for (const field of ['type', 'name', 'namespace', 'filePath', 'description', 'metadata'] as const) {
              expect(stored[field], `${entity.id} ${field}`).toStrictEqual(entity[field]);
            }
          }
        }
        const weights = (await target.getRelationships('a', 'out')).map((r) => [r.id, r.weight]).sort();
        expect(weights).toEqual([
          ['r-same-pair', 1],
          ['r-tiny', 3.5e-7],
          ['r-weight', 0.25],
        ]);
      } finally {
        await target.close();
      }
    }
  });
});

describe('N-Triples export', () => {
  it('writes valid triples in yata-local vocabulary', async () => {
    const source = await newStore();
    await fill(source, sampleGraph(20));
    const path = file('graph.nt');
    const result = await exportGraph(source, path, { format: 'ntriples' });
    const text = readFileSync(path, 'utf8');
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');

    const iri = '<[^<>"{}|^`\\\\\\s]+>';
    const literal = '"(?:[^"\\\\\\n\\r]|\\\\[tbnrf"\'\\\\])*"(?:\\^\\^' + iri + ')?';
    const triple = new RegExp(`^${iri} ${iri} (?:${iri}|${literal}) \\.$`, 'u');
    for (const line of lines) expect(line).toMatch(triple);

    // n3 is a dependency of the yata-local install; its N-Triples parser is strict about the grammar.
    const { Parser } = createRequire(join(ORACLE_DIR, 'package.json'))('n3') as {
      Parser: new (options: { format: string }) => { parse(text: string): { subject: { value: string }; predicate: { value: string }; object: { value: string; datatype?: { value: string } } }[] };
    };
    const quads = new Parser({ format: 'N-Triples' }).parse(text);
    expect(quads.length).toBe(lines.length);

    const about = (subject: string, predicate: string) =>
      quads.filter((q) => q.subject.value === subject && q.predicate.value === predicate).map((q) => q.object.value);
    const a = 'http://yata.local/entity/a';
    expect(about(a, 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type')).toEqual(['http://yata.local/type/class']);
    expect(about(a, 'http://www.w3.org/2000/01/rdf-schema#comment')).toEqual([
      'ユーザー認証 & <権限> "quoted" \'single\'\r\nsecond line\ttabbed',
    ]);
    expect(about(a, 'http://yata.local/line')).toEqual(['0']);
    expect(about(a, 'http://purl.org/dc/terms/modified')).toEqual([time(90).toISOString()]);
    expect(JSON.parse(about(a, 'http://yata.local/metadata')[0] as string)).toEqual(sampleGraph(0).entities[0]?.metadata);
    expect(about('http://yata.local/entity/c', 'http://www.w3.org/1999/02/22-rdf-syntax-ns#type')).toEqual([
      'http://yata.local/type/custom%20kind',
    ]);
    expect(about(a, 'http://yata.local/rel/calls')).toEqual(['http://yata.local/entity/b']);
    expect(about('http://yata.local/relationship/r-weight', 'http://yata.local/weight')).toEqual(['0.25']);
    expect(about('http://yata.local/relationship/r-same-pair', 'http://yata.local/metadata')).toEqual(['{"relationKind":"BELONGS_TO"}']);
    expect(about('http://yata.local/relationship/r-self', 'http://yata.local/weight')).toEqual([]);
    expect(result.entityCount).toBe(24);
  });
});

describe('large files', () => {
  it('imports and exports 150,000 entities', async () => {
    const entityCount = 150_000;
    const relationshipCount = 30_000;
    const path = file('large.json');
    const at = '2024-01-01T00:00:00.000Z';
    const out = createWriteStream(path);
    out.write('{"version":"2.0","exportedAt":"' + at + '","incremental":false,"entities":[');
    for (let i = 0; i < entityCount; i++) {
      const entity = { id: `e${i}`, type: 'function', name: `fn${i}`, namespace: `ns${i % 10}`, metadata: { i }, createdAt: at, updatedAt: at };
      if (!out.write((i ? ',' : '') + JSON.stringify(entity))) await new Promise((resolve) => out.once('drain', resolve));
    }
    out.write('],"relationships":[');
    for (let i = 1; i <= relationshipCount; i++) {
      const relationship = { id: `r${i}`, sourceId: `e${i - 1}`, targetId: `e${i}`, type: 'calls', weight: 1, metadata: {}, createdAt: at };
      if (!out.write((i > 1 ? ',' : '') + JSON.stringify(relationship))) await new Promise((resolve) => out.once('drain', resolve));
    }
    await new Promise<void>((resolve) => out.end(']}', resolve));

    const store = await newStore(4);
    const imported = await importGraph(store, path, { format: 'json' });
    expect(imported.errors).toEqual([]);
    expect(imported.entitiesCreated).toBe(entityCount);
    expect(imported.relationshipsCreated).toBe(relationshipCount);
    const stats = await store.getStats();
    expect(stats.entityCount).toBe(entityCount);
    expect(stats.relationshipCount).toBe(relationshipCount);

    const exportedPath = file('large-out.json');
    const exported = await exportGraph(store, exportedPath, { format: 'json' });
    expect(exported.entityCount).toBe(entityCount);
    expect(exported.relationshipCount).toBe(relationshipCount);
    const head = Buffer.alloc(300);
    const fd = openSync(exportedPath, 'r');
    readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    expect(head.toString('utf8')).toContain(`"entityCount": ${entityCount}`);
    expect((await store.getEntity('e149999'))?.metadata).toEqual({ i: 149_999 });
  }, 120_000);
});

/** Drops keys whose value is undefined, as yata-local's row conversion leaves them. */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}
