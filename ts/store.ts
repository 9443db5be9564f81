/**
 * `YataScale`: the public API over one store directory.
 *
 * Every method is asynchronous and runs its engine work off the JavaScript
 * thread. Write methods resolve only after their data is flushed to disk. A
 * batch method (`addEntities`, `addRelationships`, …) shares one flush and
 * crosses into the engine once.
 */

import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { MANIFEST_FILE, toOpenOptions } from './config.js';
import {
  fromNativeEntity,
  fromNativeRelationship,
  metadataText,
  normalizeDirection,
  optionalLine,
  optionalString,
  requireCount,
  requireString,
  timeMillis,
  toNativeEntity,
  toNativeRelationship,
  typeList,
} from './convert.js';
import { fromNativeError, InvalidInputError, StoreClosedError, StoreNotFoundError } from './errors.js';
import { loadNative, type NativeStore } from './native.js';
import type {
  AllPathsOptions,
  Direction,
  Entity,
  EntityInput,
  EntityUpdate,
  GraphPattern,
  GraphQuery,
  GraphStats,
  JsonObject,
  MatchBy,
  Neighbor,
  NeighborOptions,
  Path,
  PathOptions,
  PatternMatch,
  QueryOptions,
  QueryPlan,
  QueryResult,
  Relationship,
  RelationshipInput,
  SearchOptions,
  SearchResult,
  StoreManifest,
  Subgraph,
  SubgraphOptions,
  TraversalOptions,
  YataScaleConfig,
} from './types.js';

const DEFAULT_QUERY_LIMIT = 100;
const DEFAULT_SEARCH_LIMIT = 100;
const DEFAULT_SUBGRAPH_DEPTH = 2;
const DEFAULT_ALL_PATHS_DEPTH = 5;
const DEFAULT_MAX_PATHS = 100;
const DEFAULT_TRAVERSE_HOPS = 5;
/** Entities per batch that `queryStream` reads from the engine. */
const STREAM_BATCH = 256;
const SORT_KEYS = ['name', 'id', 'type', 'namespace', 'filePath', 'createdAt', 'updatedAt', 'relevance'];
const DEFAULT_PATH_MAX_DEPTH = 10;
const MAX_DEPTH = 64;
const MAX_PAGE = 1_000_000;

export class YataScale {
  readonly #options: ReturnType<typeof toOpenOptions>;
  readonly #create: boolean;
  #native: NativeStore | undefined;

  /** Checks `config`; the store is opened by {@link initialize}. */
  constructor(config: YataScaleConfig = {}) {
    this.#options = toOpenOptions(config);
    this.#create = config.create !== false;
  }

  /** The store directory. */
  get path(): string {
    return this.#options.path;
  }

  get isOpen(): boolean {
    return this.#native?.isOpen ?? false;
  }

  /**
   * Opens the store, creating it if the directory has none (unless the
   * config sets `create: false`). Fails with `StoreLockedError` when another
   * process has it open.
   */
  async initialize(): Promise<void> {
    if (this.isOpen) return;
    if (!this.#create && !existsSync(join(this.#options.path, MANIFEST_FILE))) {
      throw new StoreNotFoundError(this.#options.path);
    }
    const { NativeStore } = loadNative();
    const native = new NativeStore();
    await call(() => native.open(this.#options));
    this.#native = native;
  }

  /** Flushes and closes the store, releasing its lock. Safe to call twice. */
  async close(): Promise<void> {
    const native = this.#native;
    this.#native = undefined;
    if (native) await call(() => native.close());
  }

  /** The manifest: format version, partition strategy, hash seed and shards. */
  getManifest(): StoreManifest {
    return JSON.parse(this.#open().manifest()) as StoreManifest;
  }

  /** Returns the id of the shard that stores entity `id`. */
  shardOf(id: string): string {
    return this.#open().shardOf(requireString('id', id));
  }

  // ---- entities -------------------------------------------------------------

  /** Adds an entity and returns its id. Fails with `AlreadyExistsError` if the id is stored. */
  async addEntity(input: EntityInput): Promise<string> {
    const [id] = await this.addEntities([input]);
    return id as string;
  }

  /** Adds entities in one batch; nothing is written if any input is rejected. */
  async addEntities(inputs: EntityInput[]): Promise<string[]> {
    const native = this.#open();
    const records = list('entities', inputs).map((input, i) => toNativeEntity(input, i));
    return call(() => native.addEntities(records));
  }

  /**
   * Inserts entities, or replaces the stored entity with the same id while
   * keeping its relationships and creation time.
   */
  async putEntities(inputs: EntityInput[]): Promise<{ created: number; updated: number }> {
    const native = this.#open();
    const records = list('entities', inputs).map((input, i) => toNativeEntity(input, i));
    return call(() => native.putEntities(records));
  }

  /** Returns the entity, or null if no entity has this id. */
  async getEntity(id: string): Promise<Entity | null> {
    const [entity] = await this.getEntities([id]);
    return entity ?? null;
  }

  /** Returns entities in the order of `ids`, with null for unknown ids. */
  async getEntities(ids: string[]): Promise<(Entity | null)[]> {
    const native = this.#open();
    const checked = list('ids', ids).map((id, i) => requireString(`ids[${i}]`, id));
    const records = await call(() => native.getEntities(checked));
    return records.map((record) => (record ? fromNativeEntity(record) : null));
  }

  /**
   * Changes the given fields and returns the updated entity. Relationships are
   * kept. Fails with `EntityNotFoundError` for an unknown id.
   */
  async updateEntity(id: string, updates: EntityUpdate): Promise<Entity> {
    const native = this.#open();
    if (typeof updates !== 'object' || updates === null) {
      throw new InvalidInputError('updates', updates, 'must be an object of fields to change');
    }
    const clear: string[] = [];
    for (const field of ['filePath', 'line', 'description'] as const) {
      if (updates[field] === null) clear.push(field);
    }
    const patch = {
      type: optionalString('type', updates.type),
      name: optionalString('name', updates.name),
      namespace: optionalString('namespace', updates.namespace),
      filePath: optionalString('filePath', updates.filePath),
      line: optionalLine('line', updates.line),
      description: optionalString('description', updates.description),
      metadata: metadataText(updates.metadata),
      updatedAt: timeMillis('updatedAt', updates.updatedAt),
      clear,
    };
    const record = await call(() => native.updateEntity(requireString('id', id), patch));
    return fromNativeEntity(record);
  }

  /**
   * Deletes an entity and every relationship touching it, in both directions
   * and on every shard. Fails with `EntityNotFoundError` for an unknown id.
   */
  async deleteEntity(id: string): Promise<void> {
    const native = this.#open();
    await call(() => native.deleteEntities([requireString('id', id)], true));
  }

  /** Deletes entities with their relationships, skipping unknown ids; returns the number deleted. */
  async deleteEntities(ids: string[]): Promise<number> {
    const native = this.#open();
    const checked = list('ids', ids).map((id, i) => requireString(`ids[${i}]`, id));
    return call(() => native.deleteEntities(checked, false));
  }

  /** Deletes every entity whose `filePath` equals `filePath`; returns the number deleted. */
  async deleteEntitiesByFile(filePath: string): Promise<number> {
    const native = this.#open();
    return call(() => native.deleteEntitiesByFile(requireString('filePath', filePath)));
  }

  /** Returns the ids of entities whose `filePath` equals `filePath`, sorted. */
  async getEntityIdsByFile(filePath: string): Promise<string[]> {
    const native = this.#open();
    return call(() => native.entityIdsByFile(requireString('filePath', filePath)));
  }

  /**
   * Adds the entity, or updates the stored one with the same name (and
   * namespace, for `name-namespace`): given fields replace, metadata keys merge.
   */
  async upsertEntity(input: EntityInput, matchBy: MatchBy = 'name-namespace'): Promise<{ id: string; created: boolean }> {
    const native = this.#open();
    const [outcome] = await call(() => native.upsertEntities([toNativeEntity(input)], matchBy));
    return outcome as { id: string; created: boolean };
  }

  /** Upserts entities in one batch; returns how many were created and updated. */
  async upsertEntities(inputs: EntityInput[], matchBy: MatchBy = 'name-namespace'): Promise<{ created: number; updated: number }> {
    const native = this.#open();
    const records = list('entities', inputs).map((input, i) => toNativeEntity(input, i));
    const outcomes = await call(() => native.upsertEntities(records, matchBy));
    const created = outcomes.filter((o) => o.created).length;
    return { created, updated: outcomes.length - created };
  }

  // ---- relationships --------------------------------------------------------

  /**
   * Adds a relationship from `sourceId` to `targetId` and returns its id.
   * Both entities must exist (else `EntityNotFoundError`).
   */
  async addRelationship(
    sourceId: string,
    targetId: string,
    type: string,
    metadata?: JsonObject,
    options: { id?: string; weight?: number } = {},
  ): Promise<string> {
    const [id] = await this.addRelationships([{ sourceId, targetId, type, metadata, ...options }]);
    return id as string;
  }

  /** Adds relationships in one batch; nothing is written if any input is rejected. */
  async addRelationships(inputs: RelationshipInput[]): Promise<string[]> {
    const native = this.#open();
    const records = list('relationships', inputs).map((input, i) => toNativeRelationship(input, i));
    return call(() => native.addRelationships(records));
  }

  /**
   * Returns the relationships of an entity: `out` where it is the source, `in`
   * where it is the target. Fails with `EntityNotFoundError` for an unknown id.
   */
  async getRelationships(entityId: string, direction: Direction = 'both'): Promise<Relationship[]> {
    const native = this.#open();
    const dir = normalizeDirection(direction);
    const records = await call(() => native.getRelationships(requireString('entityId', entityId), dir));
    return records.map(fromNativeRelationship);
  }

  /** Deletes a relationship. Fails with `RelationshipNotFoundError` for an unknown id. */
  async deleteRelationship(id: string): Promise<void> {
    const native = this.#open();
    await call(() => native.deleteRelationships([requireString('id', id)], true));
  }

  /** Deletes relationships, skipping unknown ids; returns the number deleted. */
  async deleteRelationships(ids: string[]): Promise<number> {
    const native = this.#open();
    const checked = list('ids', ids).map((id, i) => requireString(`ids[${i}]`, id));
    return call(() => native.deleteRelationships(checked, false));
  }

  /** Deletes every relationship whose source is one of `sourceIds`; returns the number deleted. */
  async deleteOutgoingRelationships(sourceIds: string[]): Promise<number> {
    const native = this.#open();
    const checked = list('sourceIds', sourceIds).map((id, i) => requireString(`sourceIds[${i}]`, id));
    return call(() => native.deleteOutgoing(checked));
  }

  // ---- reads over the whole graph ------------------------------------------

  async getStats(): Promise<GraphStats> {
    const native = this.#open();
    const stats = await call(() => native.stats());
    const byName = (counts: { name: string; count: number }[]) =>
      Object.fromEntries(counts.map(({ name, count }) => [name, count])) as Record<string, number>;
    return {
      entityCount: stats.entityCount,
      relationshipCount: stats.relationshipCount,
      entitiesByType: byName(stats.entitiesByType),
      relationshipsByType: byName(stats.relationshipsByType),
      databaseSize: stats.shards.reduce((sum, shard) => sum + shard.sizeBytes, 0),
      shards: stats.shards,
    };
  }

  /**
   * Returns one page of the entities that match every filter of `query`,
   * sorted by `options.sortBy` (default: name, ignoring ASCII case), ties by
   * id. `query({})` pages through all entities. `totalCount` counts every match.
   */
  async query(query: GraphQuery = {}, options: QueryOptions = {}): Promise<QueryResult> {
    const native = this.#open();
    const started = performance.now();
    const input = queryInput(query, options);
    const result = await call(() => native.query(input));
    return {
      entities: result.entities.map(fromNativeEntity),
      relationships: result.relationships.map(fromNativeRelationship),
      totalCount: result.totalCount,
      hasMore: result.hasMore,
      executionTime: performance.now() - started,
    };
  }

  /** Runs several queries, in parallel in the engine, and returns their results in order. */
  async batchQuery(queries: { query: GraphQuery; options?: QueryOptions }[] | GraphQuery[]): Promise<QueryResult[]> {
    const items = list('queries', queries as unknown[]).map((item) =>
      typeof item === 'object' && item !== null && 'query' in item
        ? (item as { query: GraphQuery; options?: QueryOptions })
        : { query: item as GraphQuery },
    );
    return Promise.all(items.map(({ query, options }) => this.query(query, options)));
  }

  /**
   * Returns the plan `query` would run: per shard, the index chosen, its
   * estimated rows and the filters intersected or checked, plus the shards
   * read, the estimated cost and whether the steps run in parallel.
   */
  async explain(query: GraphQuery = {}, options: QueryOptions = {}): Promise<QueryPlan> {
    const native = this.#open();
    const input = queryInput(query, options);
    return JSON.parse(await call(() => native.explain(input))) as QueryPlan;
  }

  /**
   * Streams every match of `query` in sort order, reading the engine in
   * batches only as the loop consumes them. Leaving the loop early (break,
   * return or throw) releases the cursor, so no more records are read.
   */
  queryStream(query: GraphQuery = {}, options: Omit<QueryOptions, 'limit'> = {}): AsyncIterable<Entity> {
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        const native = store.#open();
        const input = { ...queryInput(query, { ...options, limit: 0 }), includeRelationships: false };
        const cursor = await call(() => native.openCursor(input));
        try {
          for (;;) {
            const batch = await call(() => native.cursorNext(cursor, STREAM_BATCH));
            for (const record of batch.entities) yield fromNativeEntity(record);
            if (batch.done) return;
          }
        } finally {
          if (native.isOpen) native.closeCursor(cursor);
        }
      },
    };
  }

  /**
   * Ranks entities by full-text relevance (BM25) and returns the best
   * `limit` (default 100), highest score first. Identifiers match by their
   * parts and whole, Japanese text by two-character pieces; quoted words are
   * phrases, and every word must match.
   */
  async search(text: string, limit: number = DEFAULT_SEARCH_LIMIT, options: SearchOptions = {}): Promise<SearchResult[]> {
    const native = this.#open();
    if (options.fuzzy !== undefined && options.fuzzy !== 1 && options.fuzzy !== 2) {
      throw new InvalidInputError('fuzzy', options.fuzzy, 'must be 1 or 2 (the edit distance)');
    }
    const input = {
      text: requireString('text', text),
      limit: requireCount('limit', limit, 0, MAX_PAGE),
      fuzzy: options.fuzzy,
      prefix: options.prefix,
      timeoutMs: timeoutOf(options.timeoutMs),
    };
    const hits = await call(() => native.search(input));
    return hits.map((hit) => ({ entity: fromNativeEntity(hit.entity), score: hit.score }));
  }

  /**
   * Returns the entities within `depth` hops (default 1), sorted by depth and
   * id, each with the relationship it was first reached by. Fails with
   * `EntityNotFoundError` for an unknown id.
   */
  async getNeighbors(id: string, options: NeighborOptions = {}): Promise<Neighbor[]> {
    const native = this.#open();
    const depth = options.depth === undefined ? 1 : requireCount('depth', options.depth, 0, MAX_DEPTH);
    const records = await call(() => native.neighbors(requireString('id', id), depth, traversalInput(options)));
    return records.map((record) => ({
      entity: fromNativeEntity(record.entity),
      relationship: fromNativeRelationship(record.relationship),
      depth: record.depth,
    }));
  }

  /**
   * Finds a shortest path by hops, or returns null when none exists within
   * `maxDepth` (default 10). Fails with `EntityNotFoundError` when either end
   * is unknown, so "no path" and "no such entity" stay distinct.
   */
  async findPath(fromId: string, toId: string, options: PathOptions = {}): Promise<Path | null> {
    const native = this.#open();
    const maxDepth =
      options.maxDepth === undefined ? DEFAULT_PATH_MAX_DEPTH : requireCount('maxDepth', options.maxDepth, 0, MAX_DEPTH);
    const record = await call(() =>
      native.findPath(requireString('fromId', fromId), requireString('toId', toId), maxDepth, traversalInput(options)),
    );
    if (!record) return null;
    return {
      entities: record.entities.map(fromNativeEntity),
      relationships: record.relationships.map(fromNativeRelationship),
      length: record.length,
    };
  }

  /**
   * Returns the entities within `depth` hops of `rootId` (default 2, root
   * included) and every stored relationship among them that the type filter
   * allows. `entityTypes` filters the returned entities, not the traversal.
   */
  async extractSubgraph(rootId: string, options: SubgraphOptions = {}): Promise<Subgraph> {
    const native = this.#open();
    const depth = options.depth === undefined ? DEFAULT_SUBGRAPH_DEPTH : requireCount('depth', options.depth, 0, MAX_DEPTH);
    const record = await call(() => native.extractSubgraph(requireString('rootId', rootId), depth, traversalInput(options)));
    return {
      rootId: record.rootId,
      entities: record.entities.map(fromNativeEntity),
      relationships: record.relationships.map(fromNativeRelationship),
    };
  }

  /**
   * Returns the entities reachable from `startId` over relationships of
   * `relationshipTypes` (every type when empty) within `maxHops` (default 5),
   * nearest first. yata-local's signature.
   */
  async traverse(
    startId: string,
    relationshipTypes: string[] = [],
    direction: 'forward' | 'backward' | Direction = 'forward',
    maxHops: number = DEFAULT_TRAVERSE_HOPS,
  ): Promise<Entity[]> {
    const neighbors = await this.getNeighbors(startId, {
      depth: maxHops,
      direction,
      relationshipTypes: relationshipTypes.length > 0 ? relationshipTypes : undefined,
    });
    return neighbors.map((n) => n.entity);
  }

  /**
   * Yields cycle-free paths from `fromId` to `toId` of at most `maxDepth`
   * hops (default 5), up to `maxPaths` (default 100), in a fixed order.
   */
  findAllPaths(fromId: string, toId: string, options: AllPathsOptions = {}): AsyncIterable<Path> {
    const store = this;
    return {
      async *[Symbol.asyncIterator]() {
        const native = store.#open();
        const maxDepth =
          options.maxDepth === undefined ? DEFAULT_ALL_PATHS_DEPTH : requireCount('maxDepth', options.maxDepth, 0, MAX_DEPTH);
        const maxPaths =
          options.maxPaths === undefined ? DEFAULT_MAX_PATHS : requireCount('maxPaths', options.maxPaths, 0, MAX_PAGE);
        const records = await call(() =>
          native.findAllPaths(requireString('fromId', fromId), requireString('toId', toId), maxDepth, maxPaths, traversalInput(options)),
        );
        for (const record of records) {
          yield {
            entities: record.entities.map(fromNativeEntity),
            relationships: record.relationships.map(fromNativeRelationship),
            length: record.length,
          };
        }
      },
    };
  }

  /**
   * Returns every match of a pattern: bindings of its variables to distinct
   * entities such that each edge is a stored relationship from `sourceVar` to
   * `targetVar`. yata-local's shape; unlike yata-local, every match is returned.
   */
  async matchPattern(pattern: GraphPattern, options: { limit?: number; timeoutMs?: number } = {}): Promise<PatternMatch[]> {
    const native = this.#open();
    if (typeof pattern !== 'object' || pattern === null || !Array.isArray(pattern.nodes) || !Array.isArray(pattern.edges ?? [])) {
      throw new InvalidInputError('pattern', pattern, 'must be { nodes: [{ variable, type?, namePattern? }], edges: [{ sourceVar, targetVar, type? }] }');
    }
    const nodes = pattern.nodes.map((node, i) => ({
      variable: requireString(`nodes[${i}].variable`, node.variable),
      type: optionalString(`nodes[${i}].type`, node.type),
      namePattern: optionalString(`nodes[${i}].namePattern`, node.namePattern),
    }));
    const edges = (pattern.edges ?? []).map((edge, i) => ({
      sourceVar: requireString(`edges[${i}].sourceVar`, edge.sourceVar),
      targetVar: requireString(`edges[${i}].targetVar`, edge.targetVar),
      type: optionalString(`edges[${i}].type`, edge.type),
    }));
    const limit = options.limit === undefined ? undefined : requireCount('limit', options.limit, 0, MAX_PAGE);
    const matches = await call(() => native.matchPattern(nodes, edges, limit, timeoutOf(options.timeoutMs)));
    return matches.map((bindings) => ({
      bindings: Object.fromEntries(bindings.map(({ variable, id }) => [variable, id])) as Record<string, string>,
      confidence: 1,
    }));
  }

  /**
   * Index figures per shard (B+Tree height, pages, fill factor and bytes;
   * bloom filter size and false-positive rates; full-text documents) and the
   * graph index's size.
   */
  async getIndexStats(): Promise<Record<string, unknown>> {
    const native = this.#open();
    return JSON.parse(await call(() => native.indexStats())) as Record<string, unknown>;
  }

  #open(): NativeStore {
    const native = this.#native;
    if (!native || !native.isOpen) throw new StoreClosedError();
    return native;
  }
}

/** Creates a store handle; call `initialize()` before use. */
export function createYataScale(config: YataScaleConfig = {}): YataScale {
  return new YataScale(config);
}

function timeoutOf(value: unknown): number | undefined {
  return value === undefined ? undefined : requireCount('timeoutMs', value, 1, 0xffff_ffff);
}

function traversalInput(options: TraversalOptions) {
  return {
    direction: normalizeDirection(options.direction),
    relationshipTypes: typeList('relationshipTypes', options.relationshipTypes),
    entityTypes: typeList('entityTypes', options.entityTypes),
    timeoutMs: timeoutOf(options.timeoutMs),
  };
}

function queryInput(query: GraphQuery, options: QueryOptions) {
  if (typeof query !== 'object' || query === null) {
    throw new InvalidInputError('query', query, 'must be an object such as { entityFilters: { types: ["class"] } }');
  }
  if (options.sortBy !== undefined && !SORT_KEYS.includes(options.sortBy)) {
    throw new InvalidInputError('sortBy', options.sortBy, `must be one of ${SORT_KEYS.join(', ')}`);
  }
  if (options.sortOrder !== undefined && options.sortOrder !== 'asc' && options.sortOrder !== 'desc') {
    throw new InvalidInputError('sortOrder', options.sortOrder, "must be 'asc' or 'desc'");
  }
  if (options.sortBy === 'relevance' && query.textSearch === undefined) {
    throw new InvalidInputError('sortBy', 'relevance', 'needs textSearch; give a text query or sort by another key');
  }
  const filters = query.entityFilters ?? {};
  return {
    types: typeList('entityFilters.types', filters.types),
    namespace: optionalString('entityFilters.namespace', filters.namespace),
    name: optionalString('entityFilters.name', filters.name),
    namePattern: optionalString('entityFilters.namePattern', filters.namePattern),
    filePath: optionalString('entityFilters.filePath', filters.filePath),
    text: optionalString('textSearch', query.textSearch),
    limit: options.limit === undefined ? DEFAULT_QUERY_LIMIT : requireCount('limit', options.limit, 0, MAX_PAGE),
    offset: options.offset === undefined ? 0 : requireCount('offset', options.offset, 0, 0xffff_ffff),
    sortBy: options.sortBy,
    sortOrder: options.sortOrder,
    includeRelationships: query.includeRelationships !== false,
    relationshipTypes: typeList('relationshipFilters.types', query.relationshipFilters?.types),
    timeoutMs: timeoutOf(options.timeoutMs),
  };
}

function list<T>(field: string, value: T[]): T[] {
  if (!Array.isArray(value)) {
    throw new InvalidInputError(field, value, 'must be an array');
  }
  return value;
}

/** Runs a native call, converting its errors into the library's classes. */
async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw fromNativeError(error);
  }
}
