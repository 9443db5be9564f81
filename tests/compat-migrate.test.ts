/**
 * Migration from yata-local: a database written by the real
 * `@nahisaho/yata-local` 2.4.6 is migrated, and both stores must then return
 * the same results for the same calls. Also covers re-runs, non-empty stores
 * and files that must be rejected before anything is written.
 *
 * Not compared, because yata-local's behaviour is documented as different:
 * `query({})` (yata-local returns no entities), `textSearch` (yata-local
 * appends FTS5 token matches to the filter results instead of intersecting)
 * and `namePattern` with `?` or `_` (yata-local passes them to SQL LIKE).
 */

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrate, type MigrationProgress, type MigrationSummary } from '../ts/compat/migrate.js';
import { createYataScale, MigrationError, type YataScale } from '../ts/index.js';
import type { Entity, Relationship } from '../ts/index.js';
import { openYataLocal, type YataLocal, type YlEntity, type YlNewEntity } from './oracle/yata-local.js';

const ORACLE_TIMEOUT = 600_000;

/** Deterministic pseudo-random numbers (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MODULES = 40;

/**
 * Writes a code graph through yata-local's own API: per module 1 module
 * entity, 15 classes, 45 methods, 5 interfaces and 5 requirements, with
 * `metadata.entityKind` as MUSUBIX's CLI sets it and Japanese descriptions.
 * Returns the entity ids.
 */
async function buildYataLocalGraph(yl: YataLocal): Promise<string[]> {
  const next = random(42);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)] as T;
  const ids: string[] = [];
  const methods: string[] = [];

  for (let m = 0; m < MODULES; m++) {
    const namespace = `app.module${m}`;
    const file = `src/module${m}/index.ts`;
    const [moduleId] = await yl.addEntities([
      {
        type: 'module',
        name: `Module${m}`,
        namespace,
        filePath: file,
        description: `モジュール${m}: 要件文書を含む`,
        metadata: m % 8 === 0 ? { entityKind: 'RequirementsDocument', version: m } : {},
      },
    ]);
    const classes = await yl.addEntities(
      Array.from({ length: 15 }, (_, c): YlNewEntity => ({
        type: 'class',
        name: `${['User', 'Order', 'Payment'][c % 3]}Service${m}_${c}`,
        namespace,
        filePath: `src/module${m}/class${c}.ts`,
        line: c * 10,
        description: c % 4 === 0 ? undefined : `クラス${c}はユーザー認証を担当します。\n二行目の説明。`,
        metadata: c % 3 === 0 ? { entityKind: 'Component', layer: 'domain' } : {},
      })),
    );
    const classMethods = await yl.addEntities(
      classes.flatMap((_, c) =>
        Array.from({ length: 3 }, (_, k): YlNewEntity => ({
          type: 'method',
          name: `${['get', 'set', 'handle'][k]}Item${c}`,
          namespace: `${namespace}.Service${c}`,
          filePath: `src/module${m}/class${c}.ts`,
          line: c * 10 + k + 1,
          metadata: k === 2 ? { entityKind: 'Task', priority: 'P1', tags: ['非同期', 'io'] } : {},
        })),
      ),
    );
    const interfaces: string[] = [];
    for (let i = 0; i < 5; i++) {
      // One at a time, so the creation times differ between entities.
      interfaces.push(await yl.addEntity({ type: 'interface', name: `I${['User', 'Order'][i % 2]}Port${m}_${i}`, namespace, description: `インターフェース${i}` }));
    }
    const requirements = await yl.addEntities(
      Array.from({ length: 5 }, (_, r): YlNewEntity => ({
        type: 'type',
        name: `REQ-${String(m).padStart(3, '0')}-${r}`,
        namespace: 'requirements',
        description: `システムは${r}秒以内に応答しなければならない (WHEN 負荷が高い)`,
        metadata: { entityKind: 'Requirement', earsPattern: 'event-driven', components: [`Service${r}`] },
      })),
    );

    // Updated later, so updatedAt differs from createdAt.
    await yl.updateEntity(classes[0] as string, { description: '更新された説明' });

    const all = [moduleId as string, ...classes, ...classMethods, ...interfaces, ...requirements];
    ids.push(...all);

    for (const classId of classes) await yl.addRelationship(moduleId as string, classId, 'contains', { relationKind: 'BELONGS_TO' });
    classes.forEach((classId, c) => {
      for (let k = 0; k < 3; k++) methods.push(classMethods[c * 3 + k] as string);
    });
    for (let c = 0; c < classes.length; c++) {
      for (let k = 0; k < 3; k++) await yl.addRelationship(classes[c] as string, classMethods[c * 3 + k] as string, 'has-method');
      await yl.addRelationship(classes[c] as string, pick(interfaces), 'implements');
      if (c > 0 && c % 2 === 0) await yl.addRelationship(classes[c] as string, classes[c - 1] as string, 'extends');
    }
    for (let r = 0; r < requirements.length; r++) {
      await yl.addRelationship(requirements[r] as string, classes[r] as string, 'related-to', { confidence: 0.9 });
    }
  }

  // Calls across modules, drawn after all methods exist.
  for (const method of methods) {
    if (next() < 0.6) await yl.addRelationship(method, pick(methods), 'calls', next() < 0.1 ? { async: true } : undefined);
  }
  return ids;
}

/** Relationships with weights other than 1, written through yata-local's JSON import (addRelationship always writes 1). */
async function addWeightedRelationships(yl: YataLocal, ids: string[]): Promise<void> {
  const createdAt = new Date('2024-05-01T09:30:00.123Z').toISOString();
  const relationships = Array.from({ length: 20 }, (_, i) => ({
    id: `weighted-${i}`,
    sourceId: ids[i * 7] as string,
    targetId: ids[i * 11 + 3] as string,
    type: 'depends-on',
    weight: 0.25 + i / 100,
    metadata: { reason: `依存${i}` },
    createdAt,
  }));
  const result = await yl.import(JSON.stringify({ version: '2.0', entities: [], relationships }), {
    format: 'json',
    mergeStrategy: 'skip',
  });
  expect(result.relationshipsCreated).toBe(20);
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

function idSet(items: { id: string }[]): string[] {
  return [...new Set(items.map((item) => item.id))].sort();
}

/** Drops keys whose value is undefined, as yata-local's row conversion leaves them. */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

const work = mkdtempSync(join(tmpdir(), 'yata-scale-migrate-'));
const dbPath = join(work, 'knowledge.db');
let yl: YataLocal;
let store: YataScale;
let summary: MigrationSummary;
let entityIds: string[];
const progress: MigrationProgress[] = [];

beforeAll(async () => {
  yl = await openYataLocal(dbPath);
  entityIds = await buildYataLocalGraph(yl);
  await addWeightedRelationships(yl, entityIds);
  // Closing checkpoints yata-local's WAL into the database file.
  await yl.close();

  store = createYataScale({ path: join(work, 'store'), shards: 3 });
  await store.initialize();
  summary = await migrate(store, dbPath, { batchSize: 1_000, onProgress: (p) => progress.push(p) });

  yl = await openYataLocal(dbPath);
}, ORACLE_TIMEOUT);

afterAll(async () => {
  await yl?.close();
  await store?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('migrate from yata-local', () => {
  it('copies every record and reports a checksum', async () => {
    const stats = await yl.getStats();
    expect(stats.entityCount).toBe(MODULES * 71);
    expect(summary.entities).toBe(stats.entityCount);
    expect(summary.relationships).toBe(stats.relationshipCount);
    expect(summary.skippedEntities).toBe(0);
    expect(summary.skippedRelationships).toBe(0);
    expect(summary.skipped).toEqual([]);
    expect(summary.checksum).toMatch(/^[0-9a-f]{64}$/);
    expect(summary.source).toBe(dbPath);
  });

  it('reports progress for every phase', () => {
    const phases = [...new Set(progress.map((p) => p.phase))];
    expect(phases).toEqual(['entities', 'relationships', 'verify']);
    for (const phase of phases) {
      const last = progress.filter((p) => p.phase === phase).at(-1) as MigrationProgress;
      expect(last.done).toBe(last.total);
    }
  });

  it('matches getStats counts', async () => {
    const expected = await yl.getStats();
    const actual = await store.getStats();
    expect(actual.entityCount).toBe(expected.entityCount);
    expect(actual.relationshipCount).toBe(expected.relationshipCount);
    expect(actual.entitiesByType).toEqual(expected.entitiesByType);
    expect(actual.relationshipsByType).toEqual(expected.relationshipsByType);
  });

  it('matches getEntity for every id, every field', async () => {
    const actual = await store.getEntities(entityIds);
    for (const [i, id] of entityIds.entries()) {
      const expected = (await yl.getEntity(id)) as YlEntity;
      const entity = actual[i] as Entity;
      expect(entity, id).not.toBeNull();
      expect(defined(entity)).toStrictEqual(defined(expected));
      expect(entity.createdAt.getTime()).toBe(expected.createdAt.getTime());
      expect(entity.updatedAt.getTime()).toBe(expected.updatedAt.getTime());
    }
    const updated = actual.filter((entity) => entity && entity.updatedAt.getTime() !== entity.createdAt.getTime());
    expect(updated.length).toBeGreaterThanOrEqual(MODULES);
  });

  it('matches getRelationships in, out and both', async () => {
    for (const id of entityIds) {
      for (const direction of ['in', 'out', 'both'] as const) {
        const expected = byId(await yl.getRelationships(id, direction));
        const actual = byId(await store.getRelationships(id, direction));
        expect(actual, `${id} ${direction}`).toStrictEqual(expected as Relationship[]);
      }
    }
  });

  it('keeps weights other than 1 and relationship metadata', async () => {
    const relationships = await store.getRelationships(entityIds[0] as string, 'out');
    const weighted = relationships.find((r) => r.id === 'weighted-0') as Relationship;
    expect(weighted.weight).toBe(0.25);
    expect(weighted.metadata).toEqual({ reason: '依存0' });
    expect(weighted.createdAt.toISOString()).toBe('2024-05-01T09:30:00.123Z');
  });

  it('matches query filters by type, namespace and name pattern', async () => {
    const queries = [
      { types: 'class' },
      { types: ['interface', 'module'] },
      { namespace: 'requirements' },
      { namespace: 'app.module7' },
      { types: 'method', namespace: 'app.module3.Service4' },
      { namePattern: 'UserService*' },
      { namePattern: '*service1*' },
      { namePattern: 'REQ-01*' },
      { types: ['class'], namePattern: 'order*', namespace: 'app.module1' },
      { namePattern: 'NoSuchName*' },
    ];
    for (const entityFilters of queries) {
      const expected = await yl.query({ entityFilters, includeRelationships: false }, { limit: 100_000 });
      const actual = await store.query({ entityFilters, includeRelationships: false }, { limit: 100_000 });
      const label = JSON.stringify(entityFilters);
      expect(idSet(actual.entities), label).toEqual(idSet(expected.entities));
      expect(actual.totalCount, label).toBe(expected.totalCount);
    }
  });

  it('matches the relationships query includes', async () => {
    const queries = [
      { entityFilters: { types: 'interface' } },
      { entityFilters: { namespace: 'app.module2' }, relationshipFilters: { types: ['calls', 'has-method'] } },
    ];
    for (const query of queries) {
      const expected = await yl.query(query, { limit: 100_000 });
      const actual = await store.query(query, { limit: 100_000 });
      expect(idSet(actual.relationships), JSON.stringify(query)).toEqual(idSet(expected.relationships));
    }
  });

  it('matches findPath lengths', async () => {
    const next = random(7);
    const pick = () => entityIds[Math.floor(next() * entityIds.length)] as string;
    const cases = [
      { direction: 'both' as const },
      { direction: 'forward' as const },
      { direction: 'backward' as const },
      { direction: 'both' as const, relationshipTypes: ['calls', 'has-method'] },
      { direction: 'both' as const, maxDepth: 3 },
    ];
    let found = 0;
    for (let i = 0; i < 60; i++) {
      const from = pick();
      const to = pick();
      const options = cases[i % cases.length] as (typeof cases)[number];
      const expected = await yl.findPath(from, to, options);
      const actual = await store.findPath(from, to, options);
      const label = `${from} → ${to} ${JSON.stringify(options)}`;
      expect(actual?.length ?? null, label).toBe(expected?.length ?? null);
      if (actual) {
        found++;
        expect(actual.entities[0]?.id).toBe(from);
        expect(actual.entities.at(-1)?.id).toBe(to);
      }
    }
    expect(found).toBeGreaterThan(10);
  });

  it('matches getNeighbors entities', async () => {
    for (const id of entityIds.filter((_, i) => i % 13 === 0)) {
      for (const direction of ['in', 'out', 'both'] as const) {
        const expected = await yl.getNeighbors(id, { direction });
        const actual = await store.getNeighbors(id, { direction });
        const ids = (items: { entity: { id: string } }[]) => [...new Set(items.map((n) => n.entity.id))].sort();
        expect(ids(actual), `${id} ${direction}`).toEqual(ids(expected));
      }
    }
  });
});

describe('migrate re-runs and rejections', () => {
  it('re-runs idempotently with merge', async () => {
    const before = await store.getStats();
    const again = await migrate(store, dbPath, { merge: true });
    expect(again.entities).toBe(summary.entities);
    expect(again.relationships).toBe(0);
    expect(again.relationshipsAlreadyStored).toBe(summary.relationships);
    expect(again.checksum).toBe(summary.checksum);

    const after = await store.getStats();
    expect(after.entityCount).toBe(before.entityCount);
    expect(after.relationshipCount).toBe(before.relationshipCount);
    const sample = entityIds.slice(0, 50);
    const entities = await store.getEntities(sample);
    for (const [i, id] of sample.entries()) {
      expect(defined(entities[i] as Entity)).toStrictEqual(defined((await yl.getEntity(id)) as YlEntity));
    }
  });

  it('rejects a non-empty store without merge', async () => {
    const target = await openStoreWithData();
    try {
      const before = await snapshot(target);
      const error = await migrate(target, dbPath).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MigrationError);
      expect((error as MigrationError).code).toBe('MIGRATION_FAILED');
      expect((error as MigrationError).path).toBe(dbPath);
      expect((error as MigrationError).message).toContain('--merge');
      expect(await snapshot(target)).toStrictEqual(before);
    } finally {
      await target.close();
    }
  });

  it('rejects bad files and leaves the store unchanged', async () => {
    const bad = join(work, 'bad');
    mkdirSync(bad, { recursive: true });
    const full = readFileSync(dbPath);

    const randomBytes = join(bad, 'random.db');
    const next = random(3);
    writeFileSync(randomBytes, Buffer.from(Array.from({ length: 8192 }, () => Math.floor(next() * 256))));
    const truncated = join(bad, 'truncated.db');
    writeFileSync(truncated, full.subarray(0, Math.floor(full.length / 2)));
    const headerOnly = join(bad, 'header-only.db');
    writeFileSync(headerOnly, Buffer.concat([full.subarray(0, 100), Buffer.alloc(4000, 7)]));
    const empty = join(bad, 'empty.db');
    writeFileSync(empty, '');
    const otherSchema = join(bad, 'other.db');
    withSqlite(otherSchema, (db) => db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); INSERT INTO users VALUES (1, 'a@example.com')"));
    const otherColumns = join(bad, 'other-columns.db');
    withSqlite(otherColumns, (db) => db.exec("CREATE TABLE entities (id TEXT PRIMARY KEY, title TEXT); INSERT INTO entities VALUES ('x', 'y')"));
    const otherRelationships = join(bad, 'other-relationships.db');
    withSqlite(otherRelationships, (db) => {
      db.exec(ENTITIES_DDL);
      db.exec('CREATE TABLE relationships (id TEXT PRIMARY KEY, src TEXT, dst TEXT)');
    });

    const cases = [
      { file: join(bad, 'missing.db'), message: 'no such file' },
      { file: bad, message: 'not a file' },
      { file: randomBytes, message: 'not an SQLite database' },
      { file: empty, message: 'the file is empty' },
      { file: truncated, message: 'is corrupted' },
      { file: headerOnly, message: 'is corrupted' },
      { file: otherSchema, message: "no 'entities' table" },
      { file: otherColumns, message: 'lacks the yata-local columns' },
      { file: otherRelationships, message: "table 'relationships' lacks the yata-local columns source_id" },
    ];

    for (const merge of [false, true]) {
      const target = await openStoreWithData();
      try {
        const before = await snapshot(target);
        for (const { file, message } of cases) {
          const error = await migrate(target, file, { merge }).catch((e: unknown) => e);
          expect(error, file).toBeInstanceOf(MigrationError);
          expect((error as MigrationError).path, file).toBe(file);
          expect((error as MigrationError).message, file).toContain(file);
          expect((error as MigrationError).message, file).toContain(message);
        }
        expect(await snapshot(target)).toStrictEqual(before);
      } finally {
        await target.close();
      }
    }
  });

  it('leaves an empty store empty when the file is rejected', async () => {
    const target = createYataScale({ path: join(work, `empty-${Date.now()}`) });
    await target.initialize();
    try {
      const file = join(work, 'bad', 'random.db');
      await expect(migrate(target, file)).rejects.toBeInstanceOf(MigrationError);
      expect((await target.getStats()).entityCount).toBe(0);
    } finally {
      await target.close();
    }
  });

  it('migrates an old file with only an entities table', async () => {
    const file = join(work, 'entities-only.db');
    withSqlite(file, (db) => {
      db.exec(ENTITIES_DDL);
      const insert = db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      insert.run('e1', 'module', 'Project', 'p', null, null, 'プロジェクト', '{"entityKind":"RequirementsDocument"}', '2024-01-02T03:04:05.678Z', '2024-01-02T03:04:05.678Z');
      insert.run('e2', 'type', 'REQ-1', 'p', 'docs/req.md', 12, null, '{}', '2024-01-02T03:04:06.000Z', '2024-02-02T00:00:00.000Z');
    });
    const target = createYataScale({ path: join(work, 'entities-only-store') });
    await target.initialize();
    try {
      const result = await migrate(target, file);
      expect(result.entities).toBe(2);
      expect(result.relationships).toBe(0);
      const entity = (await target.getEntity('e2')) as Entity;
      expect(entity.filePath).toBe('docs/req.md');
      expect(entity.line).toBe(12);
      expect(entity.description).toBeUndefined();
      expect(entity.updatedAt.toISOString()).toBe('2024-02-02T00:00:00.000Z');
      expect((await target.getEntity('e1'))?.metadata).toEqual({ entityKind: 'RequirementsDocument' });
    } finally {
      await target.close();
    }
  });

  it('skips rows the store cannot hold and verifies the rest', async () => {
    const file = join(work, 'odd-rows.db');
    const at = '2024-03-03T03:03:03.333Z';
    withSqlite(file, (db) => {
      db.exec(ENTITIES_DDL);
      db.exec(RELATIONSHIPS_DDL);
      const entity = db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
      entity.run('ok-1', 'class', 'Good', '', null, null, null, '{}', at, at);
      entity.run('ok-2', 'class', 'AlsoGood', '', null, null, null, '{"a":{"b":[1,2]}}', at, at);
      entity.run('bad-json', 'class', 'BadJson', '', null, null, null, 'not json', at, at);
      entity.run('bad-array', 'class', 'BadArray', '', null, null, null, '[1]', at, at);
      entity.run('bad-time', 'class', 'BadTime', '', null, null, null, '{}', 'yesterday', at);
      entity.run('empty-name', 'class', '', '', null, null, null, '{}', at, at);
      const relationship = db.prepare('INSERT INTO relationships VALUES (?, ?, ?, ?, ?, ?, ?)');
      relationship.run('r-ok', 'ok-1', 'ok-2', 'calls', 2.5, '{}', at);
      relationship.run('r-skipped-end', 'ok-1', 'bad-json', 'calls', 1, '{}', at);
      relationship.run('r-dangling', 'ok-1', 'nowhere', 'calls', 1, '{}', at);
    });
    const target = createYataScale({ path: join(work, 'odd-rows-store') });
    await target.initialize();
    try {
      const result = await migrate(target, file);
      expect(result.entities).toBe(2);
      expect(result.relationships).toBe(1);
      expect(result.skippedEntities).toBe(4);
      expect(result.skippedRelationships).toBe(2);
      const reasons = Object.fromEntries(result.skipped.map((skip) => [skip.id, skip.reason]));
      expect(reasons['bad-json']).toContain('metadata is not valid JSON');
      expect(reasons['bad-array']).toContain('not an object');
      expect(reasons['bad-time']).toContain('created_at');
      expect(reasons['empty-name']).toContain('name');
      expect(reasons['r-skipped-end']).toContain('bad-json was skipped');
      expect(reasons['r-dangling']).toContain('missing target entity nowhere');
      expect((await target.getRelationships('ok-1', 'out')).map((r) => r.weight)).toEqual([2.5]);
    } finally {
      await target.close();
    }
  });
});

// yata-local's DDL for the two tables the migration reads (src/database.ts SCHEMA).
const ENTITIES_DDL = `CREATE TABLE entities (
  id TEXT PRIMARY KEY, type TEXT NOT NULL, name TEXT NOT NULL, namespace TEXT NOT NULL DEFAULT '',
  file_path TEXT, line INTEGER, description TEXT, metadata TEXT NOT NULL DEFAULT '{}',
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`;
const RELATIONSHIPS_DDL = `CREATE TABLE relationships (
  id TEXT PRIMARY KEY, source_id TEXT NOT NULL, target_id TEXT NOT NULL, type TEXT NOT NULL,
  weight REAL NOT NULL DEFAULT 1.0, metadata TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL)`;

function withSqlite(path: string, work: (db: Database.Database) => void): void {
  const db = new Database(path);
  try {
    work(db);
  } finally {
    db.close();
  }
}

let storeNumber = 0;

/** Opens a new store holding two entities and a relationship. */
async function openStoreWithData(): Promise<YataScale> {
  const target = createYataScale({ path: join(work, `target-${storeNumber++}`) });
  await target.initialize();
  await target.addEntities([
    { id: 'existing-1', type: 'class', name: 'Existing', metadata: { keep: true } },
    { id: 'existing-2', type: 'function', name: 'helper' },
  ]);
  await target.addRelationships([{ id: 'existing-r', sourceId: 'existing-1', targetId: 'existing-2', type: 'calls' }]);
  return target;
}

/** Reads everything a store contains, for before/after comparisons. */
async function snapshot(target: YataScale): Promise<unknown> {
  const stats = await target.getStats();
  const { entities, relationships } = await target.query({}, { limit: 1_000 });
  return { entityCount: stats.entityCount, relationshipCount: stats.relationshipCount, entities, relationships: byId(relationships) };
}
