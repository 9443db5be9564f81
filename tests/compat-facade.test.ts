/**
 * The `YataLocal` facade: yata-local's API over a yata-scale store.
 *
 * 1. One scenario, written only against yata-local's API, runs on the real
 *    `@nahisaho/yata-local` 2.4.6 and on `createYataLocal`, and both must
 *    observe the same results.
 * 2. A database of 2,850 entities written by the real yata-local is migrated,
 *    and the facade must return what yata-local returns for the same calls.
 * 3. Lifecycle, path mapping, import and export, and the methods that raise
 *    `UnsupportedError`.
 *
 * Where docs/compatibility.md documents a different result, only the part
 * that must agree is compared:
 *
 * - extractSubgraph: yata-local also returns relationships that leave the
 *   subgraph, and with `entityTypes` it stops at entities of other types.
 * - matchPattern: yata-local keeps only the first match per start entity.
 * - traverse: yata-local can list an entity twice.
 * - search: yata-local matches whole FTS5 tokens only, not parts of
 *   identifiers or of Japanese runs.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { migrate } from '../ts/compat/migrate.js';
import {
  createYataLocal,
  createYataScale,
  EntityNotFoundError,
  InvalidConfigError,
  InvalidInputError,
  StoreClosedError,
  storeDirectoryFor,
  UnsupportedError,
  type YataLocal,
} from '../ts/index.js';
import { openYataLocal, type YlEntity, type YlRelationship } from './oracle/yata-local.js';

const ORACLE_TIMEOUT = 600_000;

/** The part of yata-local's API that the tests call, met by the real package and by the facade. */
interface LocalApi {
  open(): Promise<void>;
  close(): Promise<void>;
  addEntity(entity: NewEntity): Promise<string>;
  addEntities(entities: NewEntity[]): Promise<string[]>;
  getEntity(id: string): Promise<YlEntity | null>;
  updateEntity(id: string, updates: Partial<NewEntity>): Promise<void>;
  deleteEntity(id: string): Promise<void>;
  deleteEntitiesByFile(filePath: string): Promise<number>;
  getEntitiesByType(type: string): Promise<YlEntity[]>;
  getEntitiesByNamespace(namespace: string): Promise<YlEntity[]>;
  getEntitiesByKind(kind: string): Promise<YlEntity[]>;
  getEntityByName(name: string, namespace?: string): Promise<YlEntity | null>;
  upsertEntity(entity: NewEntity, matchBy?: 'name' | 'name-namespace'): Promise<{ id: string; created: boolean }>;
  addRelationship(sourceId: string, targetId: string, type: string, metadata?: Record<string, unknown>): Promise<string>;
  getRelationships(id: string, direction?: 'in' | 'out' | 'both'): Promise<YlRelationship[]>;
  deleteRelationship(id: string): Promise<void>;
  query(
    query: {
      entityFilters?: { types?: string | string[]; namespace?: string; namePattern?: string };
      relationshipFilters?: { types?: string[] };
      includeRelationships?: boolean;
    },
    options?: { limit?: number; offset?: number },
  ): Promise<{ entities: YlEntity[]; relationships: YlRelationship[]; totalCount: number; hasMore: boolean }>;
  search(text: string, limit?: number): Promise<YlEntity[]>;
  findPath(from: string, to: string, options?: PathOptions): Promise<{ entities: YlEntity[]; relationships: YlRelationship[]; length: number } | null>;
  extractSubgraph(root: string, options?: SubgraphOptions): Promise<{ rootId: string; entities: YlEntity[]; relationships: YlRelationship[] }>;
  matchPattern(pattern: Pattern): Promise<{ bindings: Record<string, string>; confidence: number }[]>;
  traverse(start: string, types: string[], direction: 'forward' | 'backward', maxHops?: number): Promise<YlEntity[]>;
  getNeighbors(
    id: string,
    options?: { direction?: 'in' | 'out' | 'both'; relationshipTypes?: string[]; entityTypes?: string[] },
  ): Promise<{ entity: YlEntity; relationship: YlRelationship }[]>;
  getStats(): Promise<{
    entityCount: number;
    relationshipCount: number;
    entitiesByType: Record<string, number>;
    relationshipsByType: Record<string, number>;
    databaseSize: number;
    lastModified: Date;
  }>;
  exportJson(filePath?: string): Promise<{ version: string; entities: YlEntity[]; relationships: YlRelationship[] }>;
  importJson(
    input: string | { entities: unknown[]; relationships: unknown[] },
    options?: { merge?: boolean; dryRun?: boolean },
  ): Promise<{
    success: boolean;
    entitiesAdded: number;
    entitiesUpdated: number;
    entitiesSkipped: number;
    relationshipsAdded: number;
    relationshipsSkipped: number;
    conflicts: { type: string; id: string; reason: string }[];
  }>;
}

type NewEntity = Omit<YlEntity, 'id' | 'createdAt' | 'updatedAt' | 'metadata'> & { metadata?: Record<string, unknown> };
type PathOptions = { maxDepth?: number; relationshipTypes?: string[]; direction?: 'forward' | 'backward' | 'both' };
type SubgraphOptions = { depth?: number; entityTypes?: string[]; relationshipTypes?: string[]; direction?: 'in' | 'out' | 'both' };
type Pattern = {
  nodes: { variable: string; type?: string; namePattern?: string }[];
  edges: { sourceVar: string; targetVar: string; type?: string }[];
};

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

function sorted<T>(values: Iterable<T>): T[] {
  return [...values].sort();
}

function idSet(items: { id: string }[]): string[] {
  return sorted(new Set(items.map((item) => item.id)));
}

function compareIds(a: { id: string }, b: { id: string }): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

function byId<T extends { id: string }>(items: T[]): T[] {
  return [...items].sort(compareIds);
}

/** Drops keys whose value is undefined, as yata-local's row conversion leaves them. */
function defined<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as T;
}

const work = mkdtempSync(join(tmpdir(), 'yata-scale-facade-'));

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

let pathNumber = 0;

/** Opens a facade over a fresh store directory. */
async function openFacade(): Promise<YataLocal> {
  const facade = createYataLocal({ path: join(work, `facade-${pathNumber++}`) });
  await facade.open();
  return facade;
}

/** Opens the real yata-local on a fresh database file. */
async function openOracle(): Promise<LocalApi> {
  return (await openYataLocal(join(work, `oracle-${pathNumber++}.db`))) as unknown as LocalApi;
}

// ---- 1. one scenario on both ---------------------------------------------------

/**
 * A short session of a yata-local user: it builds a small graph and records
 * what every read returns, with entity names in place of the random ids.
 * `openAnother` opens a second, empty instance for the import step.
 */
async function runScenario(yl: LocalApi, openAnother: () => Promise<LocalApi>): Promise<Record<string, unknown>> {
  const names = new Map<string, string>();
  const add = async (entity: NewEntity) => {
    const id = await yl.addEntity(entity);
    names.set(id, entity.name);
    return id;
  };
  const name = (id: string) => names.get(id) ?? `?${id}`;
  const entityNames = (entities: { id: string }[]) => sorted(new Set(entities.map((e) => name(e.id))));
  const outgoing = (rels: YlRelationship[]) => sorted(rels.map((r) => `${r.type}:${name(r.targetId)}`));
  const incoming = (rels: YlRelationship[]) => sorted(rels.map((r) => `${r.type}:${name(r.sourceId)}`));
  const observed: Record<string, unknown> = {};

  const mod = await add({ type: 'module', name: 'UserModule', namespace: 'app', filePath: 'src/user/index.ts', description: 'ユーザー管理 モジュール', metadata: { entityKind: 'RequirementsDocument' } });
  const svc = await add({ type: 'class', name: 'UserService', namespace: 'app.services', filePath: 'src/user/service.ts', line: 10, description: 'Authenticates users ユーザー認証 を担当', metadata: { entityKind: 'Component', layer: 'application' } });
  const repo = await add({ type: 'class', name: 'UserRepository', namespace: 'app.services', filePath: 'src/user/repository.ts', line: 5, description: 'Reads users from the database', metadata: { entityKind: 'Component' } });
  const iface = await add({ type: 'interface', name: 'IUserRepository', namespace: 'app.services', filePath: 'src/user/repository.ts' });
  const find = await add({ type: 'method', name: 'findById', namespace: 'app.services.UserRepository', filePath: 'src/user/repository.ts', line: 12, metadata: { entityKind: 'Task', priority: 'P1' } });
  const req = await add({ type: 'type', name: 'REQ-001', namespace: 'requirements', description: 'システムは ログイン を 3秒以内に 完了しなければならない', metadata: { entityKind: 'Requirement', earsPattern: 'ubiquitous' } });
  const utilities: NewEntity[] = [
    { type: 'function', name: 'hashPassword', namespace: 'app.util', filePath: 'src/util/hash.ts' },
    { type: 'function', name: 'formatDate', namespace: 'app.util', filePath: 'src/util/date.ts' },
  ];
  const utilityIds = await yl.addEntities(utilities);
  utilityIds.forEach((id, i) => names.set(id, (utilities[i] as NewEntity).name));
  const hash = utilityIds[0] as string;

  await yl.addRelationship(mod, svc, 'contains', { relationKind: 'BELONGS_TO' });
  await yl.addRelationship(mod, repo, 'contains', { relationKind: 'BELONGS_TO' });
  await yl.addRelationship(svc, repo, 'uses');
  await yl.addRelationship(repo, iface, 'implements');
  await yl.addRelationship(repo, find, 'has-method');
  await yl.addRelationship(req, svc, 'related-to', { confidence: 0.9 });
  await yl.addRelationship(svc, hash, 'calls');

  const service = (await yl.getEntity(svc)) as YlEntity;
  observed.getEntity = defined({ ...service, id: name(service.id), createdAt: undefined, updatedAt: undefined });
  observed.getEntityDates = service.createdAt instanceof Date && service.updatedAt instanceof Date;
  observed.getEntityMissing = await yl.getEntity('no-such-id');

  observed.relationshipsOut = outgoing(await yl.getRelationships(svc, 'out'));
  observed.relationshipsIn = incoming(await yl.getRelationships(svc, 'in'));
  observed.relationshipsBoth = (await yl.getRelationships(svc)).length;
  observed.relationshipsMetadata = (await yl.getRelationships(req, 'out')).map((r) => r.metadata);
  observed.relationshipsUnknown = await yl.getRelationships('no-such-id');

  const classes = await yl.query({ entityFilters: { types: 'class' } });
  observed.queryClasses = { names: entityNames(classes.entities), totalCount: classes.totalCount, hasMore: classes.hasMore };
  observed.queryClassRelationships = sorted(classes.relationships.map((r) => `${name(r.sourceId)}-${r.type}-${name(r.targetId)}`));
  const inNamespace = await yl.query({ entityFilters: { types: ['class', 'interface'], namespace: 'app.services' } });
  observed.queryTypesAndNamespace = entityNames(inNamespace.entities);
  observed.queryNamePattern = entityNames((await yl.query({ entityFilters: { namePattern: 'User*' } })).entities);
  const usesOnly = await yl.query({ entityFilters: { types: 'class' }, relationshipFilters: { types: ['uses'] } });
  observed.queryRelationshipTypes = usesOnly.relationships.map((r) => r.type);
  observed.queryWithoutRelationships = (await yl.query({ entityFilters: { types: 'class' }, includeRelationships: false })).relationships;
  const page = await yl.query({ entityFilters: { namePattern: 'User*' } }, { limit: 2 });
  observed.queryPage = { count: page.entities.length, totalCount: page.totalCount, hasMore: page.hasMore };

  observed.byType = entityNames(await yl.getEntitiesByType('function'));
  observed.byNamespace = entityNames(await yl.getEntitiesByNamespace('app.services'));
  observed.byKind = entityNames(await yl.getEntitiesByKind('Component'));
  observed.byName = name((await yl.getEntityByName('UserService', 'app.services'))?.id ?? '');
  observed.byNameOtherNamespace = await yl.getEntityByName('UserService', 'other');

  const path = await yl.findPath(req, find);
  observed.findPath = { length: path?.length, names: path?.entities.map((e) => name(e.id)), types: path?.relationships.map((r) => r.type) };
  observed.findPathForwardNone = await yl.findPath(find, req, { direction: 'forward' });
  observed.findPathBackward = (await yl.findPath(find, req, { direction: 'backward' }))?.length;
  observed.findPathTooShort = await yl.findPath(req, find, { maxDepth: 2 });
  observed.findPathTypes = await yl.findPath(req, find, { relationshipTypes: ['related-to', 'uses'] });
  observed.findPathUnknown = await yl.findPath(req, 'no-such-id');

  const around = await yl.extractSubgraph(svc, { depth: 1 });
  const inside = new Set(around.entities.map((e) => e.id));
  observed.subgraph = {
    rootId: name(around.rootId),
    entities: entityNames(around.entities),
    relationships: sorted(
      around.relationships.filter((r) => inside.has(r.sourceId) && inside.has(r.targetId)).map((r) => `${name(r.sourceId)}-${r.type}-${name(r.targetId)}`),
    ),
  };
  observed.subgraphOut = entityNames((await yl.extractSubgraph(svc, { depth: 2, direction: 'out' })).entities);
  observed.subgraphUnknown = await yl.extractSubgraph('no-such-id');

  observed.searchDatabase = entityNames(await yl.search('database'));
  observed.searchAuthenticates = entityNames(await yl.search('Authenticates'));
  observed.searchLimit = (await yl.search('users', 1)).length;

  const matches = await yl.matchPattern({
    nodes: [{ variable: 'c', type: 'class' }, { variable: 'i', type: 'interface' }],
    edges: [{ sourceVar: 'c', targetVar: 'i', type: 'implements' }],
  });
  observed.matchPattern = matches.map((m) => ({ c: name(m.bindings.c as string), i: name(m.bindings.i as string), confidence: m.confidence }));

  observed.traverse = entityNames(await yl.traverse(mod, ['contains', 'uses', 'has-method'], 'forward'));
  observed.traverseBackward = entityNames(await yl.traverse(find, ['has-method', 'contains'], 'backward', 1));

  const neighbors = await yl.getNeighbors(repo);
  observed.neighbors = sorted(neighbors.map((n) => `${n.relationship.type}:${name(n.entity.id)}`));
  observed.neighborsFiltered = (await yl.getNeighbors(repo, { direction: 'out', entityTypes: ['interface'] })).map((n) => name(n.entity.id));
  observed.neighborsUnknown = await yl.getNeighbors('no-such-id');

  const stats = await yl.getStats();
  observed.stats = {
    entityCount: stats.entityCount,
    relationshipCount: stats.relationshipCount,
    entitiesByType: stats.entitiesByType,
    relationshipsByType: stats.relationshipsByType,
    lastModified: stats.lastModified instanceof Date,
    databaseSize: stats.databaseSize > 0,
  };

  await yl.updateEntity(svc, { description: '更新された説明' });
  const updated = (await yl.getEntity(svc)) as YlEntity;
  observed.updated = { description: updated.description, later: updated.updatedAt.getTime() >= updated.createdAt.getTime() };
  observed.updateUnknown = await yl.updateEntity('no-such-id', { description: 'x' }).then(
    () => 'resolved',
    () => 'rejected',
  );

  const upserted = await yl.upsertEntity({ type: 'class', name: 'UserService', namespace: 'app.services', metadata: { reviewed: true } });
  observed.upsertExisting = { id: name(upserted.id), created: upserted.created };
  observed.upsertMetadata = (await yl.getEntity(svc))?.metadata;
  const fresh = await yl.upsertEntity({ type: 'class', name: 'AuditLog', namespace: 'app.services' });
  names.set(fresh.id, 'AuditLog');
  observed.upsertNew = fresh.created;

  const exported = await yl.exportJson();
  observed.exportJson = { version: exported.version, entities: exported.entities.length, relationships: exported.relationships.length };
  const copy = await openAnother();
  try {
    const first = await copy.importJson(exported);
    observed.importJson = { ...first, conflicts: first.conflicts.length };
    const again = await copy.importJson(exported);
    observed.importJsonAgain = {
      ...again,
      conflicts: sorted(new Set(again.conflicts.map((c) => `${c.type}:${c.reason}`))),
      conflictCount: again.conflicts.length,
    };
    const imported = (await copy.getEntity(repo)) as YlEntity;
    observed.importedEntity = defined({ ...imported, id: name(repo), createdAt: undefined, updatedAt: undefined });
  } finally {
    await copy.close();
  }

  await yl.deleteRelationship('no-such-id');
  await yl.deleteEntity('no-such-id');
  await yl.deleteEntity(req);
  observed.afterDeleteEntity = incoming(await yl.getRelationships(svc, 'in'));
  observed.deleteByFile = await yl.deleteEntitiesByFile('src/user/repository.ts');
  observed.afterDeleteByFile = outgoing(await yl.getRelationships(svc, 'out'));
  const calls = (await yl.getRelationships(svc, 'out'))[0] as YlRelationship;
  await yl.deleteRelationship(calls.id);
  observed.afterDeleteRelationship = await yl.getRelationships(svc, 'out');
  observed.finalCount = (await yl.getStats()).entityCount;
  return observed;
}

describe('yata-local code on the facade', () => {
  let expected: Record<string, unknown>;
  let actual: Record<string, unknown>;

  beforeAll(async () => {
    const oracle = await openOracle();
    try {
      expected = await runScenario(oracle, openOracle);
    } finally {
      await oracle.close();
    }
    const facade = await openFacade();
    try {
      actual = await runScenario(facade as unknown as LocalApi, async () => (await openFacade()) as unknown as LocalApi);
    } finally {
      await facade.close();
    }
  }, ORACLE_TIMEOUT);

  it('observes what yata-local observes', () => {
    for (const key of Object.keys(expected)) expect(actual[key], key).toStrictEqual(expected[key]);
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
  });

  it('reads entities and relationships', () => {
    expect(actual.getEntity).toStrictEqual({
      id: 'UserService',
      type: 'class',
      name: 'UserService',
      namespace: 'app.services',
      filePath: 'src/user/service.ts',
      line: 10,
      description: 'Authenticates users ユーザー認証 を担当',
      metadata: { entityKind: 'Component', layer: 'application' },
    });
    expect(actual.getEntityMissing).toBeNull();
    expect(actual.relationshipsOut).toEqual(['calls:hashPassword', 'uses:UserRepository']);
    expect(actual.relationshipsIn).toEqual(['contains:UserModule', 'related-to:REQ-001']);
    expect(actual.relationshipsUnknown).toEqual([]);
  });

  it('answers queries and lookups', () => {
    expect(actual.queryClasses).toEqual({ names: ['UserRepository', 'UserService'], totalCount: 2, hasMore: false });
    expect(actual.queryNamePattern).toEqual(['UserModule', 'UserRepository', 'UserService']);
    expect(actual.queryPage).toEqual({ count: 2, totalCount: 3, hasMore: true });
    expect(actual.byKind).toEqual(['UserRepository', 'UserService']);
    expect(actual.byName).toBe('UserService');
  });

  it('answers graph reads', () => {
    expect(actual.findPath).toEqual({
      length: 3,
      names: ['REQ-001', 'UserService', 'UserRepository', 'findById'],
      types: ['related-to', 'uses', 'has-method'],
    });
    expect(actual.findPathForwardNone).toBeNull();
    expect(actual.findPathUnknown).toBeNull();
    expect(actual.subgraph).toEqual({
      rootId: 'UserService',
      entities: ['REQ-001', 'UserModule', 'UserRepository', 'UserService', 'hashPassword'],
      relationships: [
        'REQ-001-related-to-UserService',
        'UserModule-contains-UserRepository',
        'UserModule-contains-UserService',
        'UserService-calls-hashPassword',
        'UserService-uses-UserRepository',
      ],
    });
    expect(actual.searchDatabase).toEqual(['UserRepository']);
    expect(actual.matchPattern).toEqual([{ c: 'UserRepository', i: 'IUserRepository', confidence: 1 }]);
    expect(actual.traverse).toEqual(['UserRepository', 'UserService', 'findById']);
    expect(actual.neighbors).toEqual(['contains:UserModule', 'has-method:findById', 'implements:IUserRepository', 'uses:UserService']);
  });

  it('writes, imports and deletes', () => {
    expect(actual.updateUnknown).toBe('rejected');
    expect(actual.upsertExisting).toEqual({ id: 'UserService', created: false });
    expect(actual.upsertMetadata).toEqual({ entityKind: 'Component', layer: 'application', reviewed: true });
    expect(actual.importJson).toMatchObject({ success: true, entitiesAdded: 9, relationshipsAdded: 7, conflicts: 0 });
    expect(actual.importJsonAgain).toMatchObject({ entitiesSkipped: 9, relationshipsSkipped: 7, conflicts: ['entity:Entity already exists'], conflictCount: 9 });
    expect(actual.deleteByFile).toBe(3);
    expect(actual.afterDeleteRelationship).toEqual([]);
  });
});

// ---- 2. the facade against yata-local on a migrated database -------------------

const MODULES = 50;
const WORDS = ['payment', 'refund', 'retry', 'cache', 'token', 'session', 'invoice', 'audit'];
const JAPANESE = ['決済処理', '認証管理', '在庫照会'];

/**
 * Writes a code graph through yata-local's API: per module 1 module, 12
 * classes, 36 methods, 4 interfaces and 4 requirements (57 entities), with
 * `metadata.entityKind` and contains, has-method, implements, extends,
 * related-to and calls relationships. Descriptions contain English words and
 * space-separated Japanese words, on which yata-local's whole-token search
 * and yata-scale's search agree. Returns the entity ids.
 */
async function buildGraph(yl: LocalApi): Promise<string[]> {
  const next = random(1234);
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)] as T;
  const ids: string[] = [];
  const methods: string[] = [];
  const toUpdate: string[] = [];

  for (let m = 0; m < MODULES; m++) {
    const namespace = `app.module${m}`;
    const [moduleId] = await yl.addEntities([
      { type: 'module', name: `Module${m}`, namespace, filePath: `src/module${m}/index.ts`, description: `${pick(JAPANESE)} モジュール`, metadata: m % 5 === 0 ? { entityKind: 'RequirementsDocument' } : {} },
    ]);
    const classes = await yl.addEntities(
      Array.from({ length: 12 }, (_, c): NewEntity => ({
        type: 'class',
        name: `${['User', 'Order', 'Stock'][c % 3]}Service${m}_${c}`,
        namespace,
        filePath: `src/module${m}/class${c}.ts`,
        line: c * 10,
        description: c % 4 === 3 ? undefined : `Handles ${pick(WORDS)} and ${pick(WORDS)} work. ${pick(JAPANESE)} を担当`,
        metadata: c % 3 === 0 ? { entityKind: 'Component', layer: 'domain' } : {},
      })),
    );
    const classMethods = await yl.addEntities(
      classes.flatMap((_, c) =>
        Array.from({ length: 3 }, (_, k): NewEntity => ({
          type: 'method',
          name: `${['get', 'set', 'handle'][k]}Item${c}`,
          namespace: `${namespace}.Service${c}`,
          filePath: `src/module${m}/class${c}.ts`,
          line: c * 10 + k + 1,
          metadata: k === 2 ? { entityKind: 'Task', priority: 'P1' } : {},
        })),
      ),
    );
    const interfaces: string[] = [];
    for (let i = 0; i < 4; i++) {
      interfaces.push(await yl.addEntity({ type: 'interface', name: `I${['User', 'Order'][i % 2]}Port${m}_${i}`, namespace, description: `Port for ${pick(WORDS)}` }));
    }
    const requirements = await yl.addEntities(
      Array.from({ length: 4 }, (_, r): NewEntity => ({
        type: 'type',
        name: `REQ-${String(m).padStart(3, '0')}-${r}`,
        namespace: 'requirements',
        description: `システムは ${pick(JAPANESE)} を ${r}秒以内に 完了しなければならない`,
        metadata: { entityKind: 'Requirement', earsPattern: 'event-driven' },
      })),
    );

    ids.push(moduleId as string, ...classes, ...classMethods, ...interfaces, ...requirements);
    toUpdate.push(classMethods[0] as string);
    for (const classId of classes) await yl.addRelationship(moduleId as string, classId, 'contains', { relationKind: 'BELONGS_TO' });
    for (let c = 0; c < classes.length; c++) {
      for (let k = 0; k < 3; k++) {
        const method = classMethods[c * 3 + k] as string;
        methods.push(method);
        await yl.addRelationship(classes[c] as string, method, 'has-method');
      }
      await yl.addRelationship(classes[c] as string, pick(interfaces), 'implements');
      if (c > 0 && c % 2 === 0) await yl.addRelationship(classes[c] as string, classes[c - 1] as string, 'extends');
    }
    for (let r = 0; r < requirements.length; r++) {
      await yl.addRelationship(requirements[r] as string, classes[r] as string, 'related-to', { confidence: 0.9 });
    }
  }
  for (const method of methods) {
    if (next() < 0.6) await yl.addRelationship(method, pick(methods), 'calls');
  }
  // After every insert and only on entities without search words: yata-local's
  // FTS5 triggers give updated rows new full-text rowids, which would make its
  // search return other entities for later inserts.
  for (const id of toUpdate) await yl.updateEntity(id, { line: 999, metadata: { entityKind: 'Task', touched: true } });
  return ids;
}

describe('facade against yata-local on a migrated database', () => {
  const dbPath = join(work, 'knowledge.db');
  let yl: LocalApi;
  let facade: YataLocal;
  let ids: string[];

  beforeAll(async () => {
    yl = (await openYataLocal(dbPath)) as unknown as LocalApi;
    ids = await buildGraph(yl);
    await yl.close();

    const store = createYataScale({ path: storeDirectoryFor(dbPath), shards: 3 });
    await store.initialize();
    try {
      await migrate(store, dbPath);
    } finally {
      await store.close();
    }

    facade = createYataLocal({ path: dbPath });
    await facade.open();
    yl = (await openYataLocal(dbPath)) as unknown as LocalApi;
  }, ORACLE_TIMEOUT);

  afterAll(async () => {
    await yl?.close();
    await facade?.close();
  });

  it('opens the migrated store beside the .db file', async () => {
    expect(facade.path).toBe(`${dbPath}.yata-scale`);
    expect(existsSync(join(`${dbPath}.yata-scale`, 'manifest.json'))).toBe(true);
    expect(ids.length).toBe(MODULES * 57);
  });

  it('matches getEntity for every id', async () => {
    for (const id of ids) {
      const expected = (await yl.getEntity(id)) as YlEntity;
      const actual = (await facade.getEntity(id)) as YlEntity;
      expect(defined(actual), id).toStrictEqual(defined(expected));
    }
    expect(await facade.getEntity('no-such-id')).toBeNull();
  });

  it('matches getRelationships in, out and both', async () => {
    for (const id of [...ids.filter((_, i) => i % 3 === 0), 'no-such-id']) {
      for (const direction of ['in', 'out', 'both'] as const) {
        const expected = byId(await yl.getRelationships(id, direction));
        const actual = byId(await facade.getRelationships(id, direction));
        expect(actual, `${id} ${direction}`).toStrictEqual(expected);
      }
    }
  });

  it('matches query filters and included relationships', async () => {
    const queries = [
      { entityFilters: { types: 'class' } },
      { entityFilters: { types: ['interface', 'module'] } },
      { entityFilters: { namespace: 'requirements' } },
      { entityFilters: { types: 'method', namespace: 'app.module3.Service4' } },
      { entityFilters: { namePattern: 'Stock*' } },
      { entityFilters: { namePattern: '*service1*' } },
      { entityFilters: { namespace: 'app.module2' }, relationshipFilters: { types: ['calls', 'has-method'] } },
    ];
    for (const query of queries) {
      const expected = await yl.query(query, { limit: 100_000 });
      const actual = await facade.query(query, { limit: 100_000 });
      const label = JSON.stringify(query);
      expect(idSet(actual.entities), label).toEqual(idSet(expected.entities));
      expect(actual.totalCount, label).toBe(expected.totalCount);
      expect(idSet(actual.relationships), label).toEqual(idSet(expected.relationships));
    }
  });

  it('matches the lookups by type, namespace, kind and name', async () => {
    for (const type of ['class', 'method', 'interface', 'type', 'module', 'enum']) {
      expect(idSet(await facade.getEntitiesByType(type)), type).toEqual(idSet(await yl.getEntitiesByType(type)));
    }
    for (const namespace of ['app.module0', 'app.module7.Service3', 'requirements', 'none']) {
      expect(idSet(await facade.getEntitiesByNamespace(namespace)), namespace).toEqual(idSet(await yl.getEntitiesByNamespace(namespace)));
    }
    for (const kind of ['Component', 'Task', 'Requirement', 'RequirementsDocument', 'None']) {
      const actual = await facade.getEntitiesByKind(kind);
      expect(idSet(actual), kind).toEqual(idSet(await yl.getEntitiesByKind(kind)));
      const times = actual.map((entity) => entity.createdAt.getTime());
      expect(times, `${kind} newest first`).toEqual([...times].sort((a, b) => b - a));
    }
    for (const [name, namespace] of [['UserService3_0', undefined], ['getItem4', 'app.module9.Service4'], ['REQ-010-2', 'requirements'], ['getItem4', 'none']]) {
      const expected = await yl.getEntityByName(name as string, namespace);
      const actual = await facade.getEntityByName(name as string, namespace);
      expect(actual?.id ?? null, `${name} ${namespace}`).toBe(expected?.id ?? null);
    }
  });

  it('matches findPath lengths', async () => {
    const next = random(99);
    const pick = () => ids[Math.floor(next() * ids.length)] as string;
    const cases: PathOptions[] = [
      {},
      { direction: 'forward' },
      { direction: 'backward' },
      { relationshipTypes: ['calls', 'has-method'] },
      { maxDepth: 3 },
    ];
    let found = 0;
    for (let i = 0; i < 80; i++) {
      const from = pick();
      const to = pick();
      const options = cases[i % cases.length] as PathOptions;
      const expected = await yl.findPath(from, to, options);
      const actual = await facade.findPath(from, to, options);
      expect(actual?.length ?? null, `${from} → ${to} ${JSON.stringify(options)}`).toBe(expected?.length ?? null);
      if (actual) found++;
    }
    expect(found).toBeGreaterThan(10);
    expect(await facade.findPath(ids[0] as string, 'no-such-id')).toBe(await yl.findPath(ids[0] as string, 'no-such-id'));
  });

  it('matches extractSubgraph entities and inner relationships', async () => {
    const cases: SubgraphOptions[] = [
      { depth: 0 },
      { depth: 1 },
      {},
      { depth: 2, direction: 'out' },
      { depth: 3, direction: 'in' },
      { depth: 2, relationshipTypes: ['contains', 'has-method', 'calls'] },
    ];
    let boundaryEdges = 0;
    for (const root of ids.filter((_, i) => i % 71 === 0)) {
      for (const options of cases) {
        const label = `${root} ${JSON.stringify(options)}`;
        const expected = await yl.extractSubgraph(root, options);
        const actual = await facade.extractSubgraph(root, options);
        expect(actual.rootId, label).toBe(root);
        expect(idSet(actual.entities), label).toEqual(idSet(expected.entities));

        // yata-local also returns the relationships that leave the subgraph at its last level.
        const inside = new Set(expected.entities.map((e) => e.id));
        const inner = expected.relationships.filter((r) => inside.has(r.sourceId) && inside.has(r.targetId));
        boundaryEdges += expected.relationships.length - inner.length;
        expect(idSet(actual.relationships), label).toEqual(idSet(inner));
      }
    }
    expect(boundaryEdges).toBeGreaterThan(0);
    expect(await facade.extractSubgraph('no-such-id')).toEqual(await yl.extractSubgraph('no-such-id'));
  });

  it('extractSubgraph with entityTypes returns a superset', async () => {
    // yata-local stops at an entity of another type, and yata-scale passes through it.
    let larger = 0;
    for (const root of ids.filter((_, i) => i % 57 === 1)) {
      const options = { depth: 2, entityTypes: ['class', 'interface'] };
      const expected = idSet((await yl.extractSubgraph(root, options)).entities);
      const actual = await facade.extractSubgraph(root, options);
      const actualIds = idSet(actual.entities);
      for (const id of expected) expect(actualIds, root).toContain(id);
      for (const entity of actual.entities) expect(['class', 'interface']).toContain(entity.type);
      if (actualIds.length > expected.length) larger++;
    }
    expect(larger).toBeGreaterThan(0);
  });

  it('matches search for whole words in descriptions', async () => {
    const queries = [...WORDS, 'Payment', 'RETRY', 'payment retry', 'invoice audit', 'Handles', 'Port', ...JAPANESE, 'nosuchword'];
    let found = 0;
    for (const text of queries) {
      const expected = idSet(await yl.search(text, 100_000));
      const actual = idSet(await facade.search(text, 100_000));
      expect(actual, text).toEqual(expected);
      if (actual.length > 0) found++;
    }
    expect(found).toBe(queries.length - 1);

    const payments = (await facade.search('payment', 100_000)).length;
    expect(payments).toBeGreaterThan(100);
    expect(await facade.search('payment')).toHaveLength(100);
  });

  it('search matches identifier and Japanese parts', async () => {
    for (const part of ['Service', '認証']) {
      expect(await yl.search(part, 100_000), part).toEqual([]);
      expect((await facade.search(part, 100_000)).length, part).toBeGreaterThan(0);
    }
  });

  it('matches matchPattern where each start has one match', async () => {
    const patterns: Pattern[] = [
      { nodes: [{ variable: 'c', type: 'class' }, { variable: 'i', type: 'interface' }], edges: [{ sourceVar: 'c', targetVar: 'i', type: 'implements' }] },
      { nodes: [{ variable: 'a', type: 'class' }, { variable: 'b', type: 'class' }], edges: [{ sourceVar: 'a', targetVar: 'b', type: 'extends' }] },
      { nodes: [{ variable: 'c', type: 'class', namePattern: 'order*' }, { variable: 'i' }], edges: [{ sourceVar: 'c', targetVar: 'i', type: 'implements' }] },
      { nodes: [{ variable: 'r', type: 'type', namePattern: 'REQ-00*' }, { variable: 'c', type: 'class' }], edges: [{ sourceVar: 'r', targetVar: 'c' }] },
    ];
    const key = (m: { bindings: Record<string, string> }) => JSON.stringify(Object.entries(m.bindings).sort());
    for (const pattern of patterns) {
      const expected = sorted((await yl.matchPattern(pattern)).map(key));
      const actual = sorted((await facade.matchPattern(pattern)).map(key));
      expect(actual, JSON.stringify(pattern)).toEqual(expected);
      expect(actual.length).toBeGreaterThan(0);
    }
  });

  it('matchPattern returns every match, a superset of yata-local', async () => {
    const pattern: Pattern = {
      nodes: [{ variable: 'm', type: 'module' }, { variable: 'c', type: 'class' }],
      edges: [{ sourceVar: 'm', targetVar: 'c', type: 'contains' }],
    };
    const expected = await yl.matchPattern(pattern);
    const actual = await facade.matchPattern(pattern);
    expect(expected.length).toBe(MODULES);
    expect(actual.length).toBe(MODULES * 12);
    const actualKeys = new Set(actual.map((m) => `${m.bindings.m}>${m.bindings.c}`));
    for (const match of expected) expect(actualKeys).toContain(`${match.bindings.m}>${match.bindings.c}`);
    expect(sorted(new Set(actual.map((m) => m.bindings.m)))).toEqual(sorted(expected.map((m) => m.bindings.m as string)));
  });

  it('matches traverse entities', async () => {
    const cases: [string[], 'forward' | 'backward', number | undefined][] = [
      [['contains', 'has-method'], 'forward', undefined],
      [['calls'], 'forward', 3],
      [['has-method', 'contains'], 'backward', 2],
      [['calls', 'has-method', 'extends'], 'backward', 5],
      [[], 'forward', 5],
    ];
    for (const start of [...ids.filter((_, i) => i % 19 === 0), 'no-such-id']) {
      for (const [types, direction, hops] of cases) {
        const expected = idSet(await yl.traverse(start, types, direction, hops));
        const actual = await facade.traverse(start, types, direction, hops);
        expect(idSet(actual), `${start} ${types} ${direction} ${hops}`).toEqual(expected);
        expect(actual.length).toBe(idSet(actual).length);
      }
    }
  });

  it('matches getNeighbors entries', async () => {
    const cases = [
      {},
      { direction: 'out' as const },
      { direction: 'in' as const, relationshipTypes: ['calls'] },
      { entityTypes: ['class', 'module'] },
    ];
    for (const id of [...ids.filter((_, i) => i % 11 === 0), 'no-such-id']) {
      for (const options of cases) {
        const pairs = (items: { entity: { id: string }; relationship: { id: string } }[]) =>
          sorted(items.map((n) => `${n.relationship.id}>${n.entity.id}`));
        expect(pairs(await facade.getNeighbors(id, options)), `${id} ${JSON.stringify(options)}`).toEqual(pairs(await yl.getNeighbors(id, options)));
      }
    }
  });

  it('matches getStats', async () => {
    const expected = await yl.getStats();
    const actual = await facade.getStats();
    expect(actual.entityCount).toBe(expected.entityCount);
    expect(actual.relationshipCount).toBe(expected.relationshipCount);
    expect(actual.entitiesByType).toEqual(expected.entitiesByType);
    expect(actual.relationshipsByType).toEqual(expected.relationshipsByType);
    expect(actual.lastModified.getTime()).toBe(expected.lastModified.getTime());
    expect(actual.databaseSize).toBeGreaterThan(0);
  });

  it('matches exportJson records', async () => {
    const expected = await yl.exportJson();
    const actual = await facade.exportJson();
    expect(actual.version).toBe('1.0');
    expect(byId(actual.entities).map(defined)).toStrictEqual(byId(expected.entities).map(defined));
    expect(byId(actual.relationships)).toStrictEqual(byId(expected.relationships));
  });

  it('matches export counts per namespace', async () => {
    for (const namespace of [undefined, 'app.module4', 'requirements']) {
      const expected = await (yl as unknown as YataLocal).export({ format: 'json', namespace });
      const actual = await facade.export({ format: 'json', namespace });
      const parse = (content: string | undefined) => JSON.parse(content as string) as { entities: { id: string }[]; relationships: { id: string }[] };
      expect(idSet(parse(actual.content).entities), String(namespace)).toEqual(idSet(parse(expected.content).entities));
      expect(idSet(parse(actual.content).relationships), String(namespace)).toEqual(idSet(parse(expected.content).relationships));
      expect(actual.entityCount).toBe(expected.entityCount);
      expect(actual.relationshipCount).toBe(expected.relationshipCount);
    }
  });
});

// ---- 3. lifecycle, files and unsupported methods ---------------------------------

describe('facade lifecycle and paths', () => {
  it('maps a .db path to a store directory', () => {
    expect(storeDirectoryFor('.yata/knowledge.db')).toBe('.yata/knowledge.db.yata-scale');
    expect(storeDirectoryFor('/data/graph')).toBe('/data/graph');
    expect(storeDirectoryFor()).toBe('.yata/knowledge.db.yata-scale');
    expect(createYataLocal().path).toBe('.yata/knowledge.db.yata-scale');
  });

  it('rejects an SQLite file that was not migrated', async () => {
    const dbPath = join(work, 'unmigrated.db');
    const oracle = (await openYataLocal(dbPath)) as unknown as LocalApi;
    await oracle.addEntity({ type: 'class', name: 'Kept', namespace: '' });
    await oracle.close();

    const facade = createYataLocal({ path: dbPath });
    const error = await facade.open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidConfigError);
    expect((error as Error).message).toContain(`yata-scale migrate ${dbPath} --db ${dbPath}.yata-scale`);
    expect(facade.isOpen()).toBe(false);
    expect(existsSync(`${dbPath}.yata-scale`)).toBe(false);
  });

  it('creates a store for a .db path with no file', async () => {
    const dbPath = join(work, 'new-project', 'knowledge.db');
    const facade = createYataLocal({ path: dbPath, shards: 2 });
    await facade.open();
    try {
      expect(facade.store.getManifest().shards).toHaveLength(2);
      expect(existsSync(join(`${dbPath}.yata-scale`, 'manifest.json'))).toBe(true);
      expect(existsSync(dbPath)).toBe(false);
    } finally {
      await facade.close();
    }
  });

  it('opens, reopens with a config and closes', async () => {
    const facade = createYataLocal({ path: join(work, 'life-a') });
    expect(facade.isOpen()).toBe(false);
    await expect(facade.getEntity('x')).rejects.toBeInstanceOf(StoreClosedError);
    await facade.open();
    expect(facade.isOpen()).toBe(true);
    const id = await facade.addEntity({ type: 'class', name: 'A', namespace: '' });

    await facade.open({ path: join(work, 'life-b') });
    expect(facade.isOpen()).toBe(true);
    expect(facade.path).toBe(join(work, 'life-b'));
    expect(await facade.getEntity(id)).toBeNull();

    await facade.close();
    await facade.close();
    expect(facade.isOpen()).toBe(false);
    await facade.open({ path: join(work, 'life-a') });
    expect((await facade.getEntity(id))?.name).toBe('A');
    await facade.close();
  });

  it('rejects encryption', () => {
    expect(() => createYataLocal({ encryption: { enabled: true, key: 'k' } })).toThrow(UnsupportedError);
    expect(() => createYataLocal({ encryption: { enabled: false, key: '' }, walMode: true, cacheSize: 1024 })).not.toThrow();
  });
});

describe('facade entity rules', () => {
  let facade: YataLocal;

  beforeAll(async () => {
    facade = await openFacade();
  });

  afterAll(async () => {
    await facade.close();
  });

  it('ignores ids and timestamps in addEntity', async () => {
    const input = { id: 'chosen', type: 'class', name: 'X', namespace: '', createdAt: new Date(0) } as never;
    const id = await facade.addEntity(input);
    expect(id).not.toBe('chosen');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect((await facade.getEntity(id))?.createdAt.getTime()).toBeGreaterThan(0);
  });

  it('updateEntity clears fields given as undefined', async () => {
    const id = await facade.addEntity({ type: 'function', name: 'f', namespace: 'n', filePath: 'a.ts', line: 3, description: 'd', metadata: { a: 1 } });
    await facade.updateEntity(id, { filePath: undefined, metadata: { b: 2 } });
    const entity = await facade.getEntity(id);
    expect(entity?.filePath).toBeUndefined();
    expect(entity?.line).toBe(3);
    expect(entity?.metadata).toEqual({ b: 2 });
    await expect(facade.updateEntity('no-such-id', { name: 'x' })).rejects.toBeInstanceOf(EntityNotFoundError);
  });

  it('traverse with no types reaches nothing', async () => {
    const [a, b] = await facade.addEntities([
      { type: 'class', name: 'T1', namespace: '' },
      { type: 'class', name: 'T2', namespace: '' },
    ]);
    await facade.addRelationship(a as string, b as string, 'uses');
    expect(await facade.traverse(a as string, [], 'forward')).toEqual([]);
    expect((await facade.traverse(a as string, ['uses'], 'forward')).map((e) => e.name)).toEqual(['T2']);
    expect((await facade.traverse(b as string, ['uses'], 'backward')).map((e) => e.name)).toEqual(['T1']);
  });

  it('lists an entity linked twice twice in getNeighbors', async () => {
    const [a, b] = await facade.addEntities([
      { type: 'class', name: 'N1', namespace: '' },
      { type: 'class', name: 'N2', namespace: '' },
    ]);
    await facade.addRelationship(a as string, b as string, 'uses');
    await facade.addRelationship(b as string, a as string, 'calls');
    const neighbors = await facade.getNeighbors(a as string);
    expect(neighbors.map((n) => n.entity.name)).toEqual(['N2', 'N2']);
    expect(sorted(neighbors.map((n) => n.relationship.type))).toEqual(['calls', 'uses']);
  });

  it('rejects ids that break the id rules', async () => {
    // A lookup cannot find what cannot be stored, so it returns null as yata-local does.
    expect(await facade.getEntity('bad/id')).toBeNull();
    await expect(facade.getRelationships('with space')).rejects.toBeInstanceOf(InvalidInputError);
    await expect(facade.deleteEntity('bad/id')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('returns no pattern matches for no nodes', async () => {
    expect(await facade.matchPattern({ nodes: [], edges: [] })).toEqual([]);
  });
});

describe('facade import and export', () => {
  let facade: YataLocal;
  let moduleId: string;

  beforeAll(async () => {
    facade = await openFacade();
    moduleId = await facade.addEntity({ type: 'module', name: 'Billing', namespace: 'billing', description: '請求 モジュール' });
    const classId = await facade.addEntity({ type: 'class', name: 'Invoice', namespace: 'billing', metadata: { entityKind: 'Component' } });
    await facade.addRelationship(moduleId, classId, 'contains', { relationKind: 'BELONGS_TO' });
  });

  afterAll(async () => {
    await facade.close();
  });

  it('exportJson writes the file and importJson reads it', async () => {
    const file = join(work, 'facade-v1.json');
    const data = await facade.exportJson(file);
    expect(data.entities[0]?.createdAt).toBeInstanceOf(Date);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(JSON.parse(JSON.stringify(data)));

    const copy = await openFacade();
    try {
      const result = await copy.importJson(file);
      expect(result).toEqual({
        success: true,
        entitiesAdded: 2,
        entitiesUpdated: 0,
        entitiesSkipped: 0,
        relationshipsAdded: 1,
        relationshipsSkipped: 0,
        conflicts: [],
      });
      const dry = await copy.importJson(file, { merge: true, dryRun: true });
      expect(dry.entitiesUpdated).toBe(2);
      expect(dry.conflicts).toEqual([]);
      const merged = await copy.importJson(file, { merge: true });
      expect(merged.entitiesUpdated).toBe(2);
      expect(merged.relationshipsSkipped).toBe(1);
    } finally {
      await copy.close();
    }
  });

  it('importJson lists missing endpoints and rejects a missing file', async () => {
    const result = await facade.importJson({
      entities: [],
      relationships: [{ id: 'dangling', sourceId: moduleId, targetId: 'nowhere', type: 'uses', weight: 1, metadata: {}, createdAt: new Date().toISOString() }],
    });
    expect(result.success).toBe(false);
    expect(result.relationshipsSkipped).toBe(1);
    expect(result.conflicts).toEqual([{ type: 'relationship', id: 'dangling', reason: 'Missing target entity' }]);
    await expect(facade.importJson(join(work, 'missing.json'))).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('export returns content or writes outputPath', async () => {
    const json = await facade.export({ format: 'json' });
    expect(JSON.parse(json.content as string).stats).toMatchObject({ entityCount: 2, relationshipCount: 1 });
    const graphml = await facade.export({ format: 'graphml', namespace: 'billing' });
    expect(graphml.content).toContain('<graphml');
    expect(graphml.fileSize).toBe(Buffer.byteLength(graphml.content as string));

    const file = join(work, 'facade.graphml');
    const written = await facade.export({ format: 'graphml', namespace: 'billing', outputPath: file });
    expect(written.content).toBeUndefined();
    expect(written.outputPath).toBe(file);
    expect(readFileSync(file, 'utf8')).toBe(graphml.content);

    const incremental = await facade.exportIncremental(new Date(Date.now() + 60_000));
    expect(incremental.entityCount).toBe(0);
  });

  it('exportRdf returns triples in yata-local vocabulary', async () => {
    const file = join(work, 'facade.nt');
    const text = await facade.exportRdf(file);
    expect(text).toContain(`<http://yata.local/entity/${moduleId}> <http://www.w3.org/2000/01/rdf-schema#label> "Billing" .`);
    expect(readFileSync(file, 'utf8')).toBe(text);
    await expect(facade.exportRdf(undefined, { baseUri: 'http://example.org/' })).rejects.toBeInstanceOf(UnsupportedError);
    await expect(facade.exportRdf(undefined, { includeMetadata: false })).rejects.toBeInstanceOf(UnsupportedError);
    await expect(facade.export({ format: 'rdf', includeMetadata: false })).rejects.toBeInstanceOf(UnsupportedError);
  });

  it('import takes a path or the content itself', async () => {
    const content = (await facade.export({ format: 'json' })).content as string;
    const copy = await openFacade();
    try {
      const fromContent = await copy.import(content, { format: 'json', mergeStrategy: 'skip' });
      expect(fromContent.entitiesCreated).toBe(2);
      const file = join(work, 'facade-v2.json');
      writeFileSync(file, content);
      const fromFile = await copy.import(file, { format: 'json', mergeStrategy: 'skip' });
      expect(fromFile.entitiesSkipped).toBe(2);
      await expect(copy.import(content, { format: 'rdf', mergeStrategy: 'skip' })).rejects.toBeInstanceOf(UnsupportedError);
    } finally {
      await copy.close();
    }
  });
});

describe('facade unsupported methods', () => {
  let facade: YataLocal;

  beforeAll(async () => {
    facade = await openFacade();
  });

  afterAll(async () => {
    await facade.close();
  });

  it('rejects the async ones with UnsupportedError', async () => {
    const calls: [string, () => Promise<unknown>][] = [
      ['ask', () => facade.ask('What calls UserService?')],
      ['naturalLanguageQuery', () => facade.naturalLanguageQuery('UserServiceの依存関係')],
      ['infer', () => facade.infer()],
      ['validate', () => facade.validate()],
      ['computeConfidence', () => facade.computeConfidence('a', 'b', 'calls')],
      ['suggestRelationships', () => facade.suggestRelationships('a')],
      ['rawQuery', () => facade.rawQuery('SELECT 1')],
      ['applyDelta', () => facade.applyDelta({})],
      ['getChangesSince', () => facade.getChangesSince(new Date())],
    ];
    for (const [method, call] of calls) {
      const error = await call().catch((e: unknown) => e);
      expect(error, method).toBeInstanceOf(UnsupportedError);
      expect((error as UnsupportedError).code, method).toBe('UNSUPPORTED');
      expect((error as UnsupportedError).value, method).toBe(method);
    }
  });

  it('throws UnsupportedError from the sync ones', () => {
    const calls: [string, () => unknown][] = [
      ['addInferenceRule', () => facade.addInferenceRule({})],
      ['addConstraint', () => facade.addConstraint({})],
      ['getInferenceRules', () => facade.getInferenceRules()],
      ['getConstraints', () => facade.getConstraints()],
      ['computeDelta', () => facade.computeDelta({}, {})],
    ];
    for (const [method, call] of calls) {
      expect(call, method).toThrow(UnsupportedError);
      expect(call, method).toThrow(`'${method}'`);
    }
  });
});
