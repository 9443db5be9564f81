/**
 * `YataLocal`: the API of `@nahisaho/yata-local` 2.4.6 over a yata-scale
 * store, so that code written for yata-local runs after one import change:
 *
 *     import { createYataLocal } from 'yata-scale';   // was '@nahisaho/yata-local'
 *
 * Method names, argument order, option defaults and result shapes follow
 * yata-local's `dist/index.d.ts`. Where yata-local is silent (deleting an
 * unknown id, relationships of an unknown entity), the facade is silent too.
 * Methods without a yata-scale equivalent throw `UnsupportedError`. The
 * deliberate differences are listed in docs/compatibility.md.
 */

import { existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';

import { MANIFEST_FILE } from '../config.js';
import {
  EntityNotFoundError,
  InvalidConfigError,
  InvalidInputError,
  RelationshipNotFoundError,
  StoreClosedError,
  UnsupportedError,
} from '../errors.js';
import { YataScale } from '../store.js';
import type {
  Direction,
  Entity,
  EntityInput,
  EntityType,
  EntityUpdate,
  GraphPattern,
  GraphQuery,
  JsonObject,
  MatchBy,
  OpenString,
  Path,
  PatternMatch,
  QueryOptions,
  QueryResult,
  Relationship,
  RelationType,
  Subgraph,
  YataScaleConfig,
} from '../types.js';
import { exportGraph, type ExportFormat, type ExportResult } from './io/export.js';
import { importGraph, type ImportResult, type MergeStrategy } from './io/import.js';
import { readJsonGraph } from './io/json-reader.js';
import { textChunks, type GraphInput } from './io/streams.js';

/** yata-local's default database file (`DEFAULT_DB_CONFIG.path`). */
const YATA_LOCAL_DEFAULT_PATH = '.yata/knowledge.db';
/** Suffix that turns a yata-local `.db` path into a store directory. */
export const STORE_DIRECTORY_SUFFIX = '.yata-scale';
/** yata-local caps `getEntitiesByType` and `getEntitiesByNamespace` at this many entities. */
const BY_FILTER_CAP = 10_000;
const DEFAULT_SEARCH_LIMIT = 100;
const DEFAULT_TRAVERSE_HOPS = 5;
const RDF_DEFAULT_BASE = 'http://yata.local/';
/** Entity ids per `getEntities` call when `importJson` looks for stored ids. */
const LOOKUP_BATCH = 5_000;
const SQLITE_HEADER = 'SQLite format 3\0';

/**
 * yata-local's `DatabaseConfig`, plus yata-scale's sharding and cache
 * settings. The SQLite settings (`walMode`, `mmapSize`, `cacheSize`,
 * `foreignKeys`) are accepted and ignored, because a yata-scale store has
 * no SQLite connection to tune.
 */
export interface YataLocalConfig {
  /**
   * A yata-scale store directory. A path ending in `.db` (yata-local's
   * SQLite file, `.yata/knowledge.db` by default) is mapped to the directory
   * `<path>.yata-scale`, so `{ path: '.yata/knowledge.db' }` opens
   * `.yata/knowledge.db.yata-scale`. Migrate the SQLite file into that
   * directory once with `yata-scale migrate <path> --db <path>.yata-scale`.
   */
  path?: string;
  walMode?: boolean;
  mmapSize?: number;
  cacheSize?: number;
  foreignKeys?: boolean;
  /** `enabled: true` raises `UnsupportedError`. yata-local declares encryption but never implements it. */
  encryption?: { enabled: boolean; key: string };
  /** Shard count or list for a new store, as `YataScaleConfig.shards`. */
  shards?: YataScaleConfig['shards'];
  /** Page cache of each shard, in bytes. Defaults to 64 MiB. */
  cacheBytesPerShard?: number;
}

/** An entity as yata-local's `addEntity` takes it: the id and timestamps are set by the store. */
export type YataLocalNewEntity = Omit<EntityInput, 'id' | 'createdAt' | 'updatedAt'>;

/** Fields of an entity to change, as yata-local's `updateEntity` takes them. */
export type YataLocalEntityUpdate = Partial<Omit<Entity, 'id' | 'createdAt'>>;

/** yata-local's `GraphQuery`. `relationshipFilters.direction` is accepted and unused, as in yata-local. */
export type YataLocalQuery = Omit<GraphQuery, 'relationshipFilters'> & {
  relationshipFilters?: { types?: OpenString<RelationType>[]; direction?: Direction };
};

/** yata-local's `QueryOptions`. `includeRelationships` and `relationshipDepth` are accepted and unused, as in yata-local. */
export type YataLocalQueryOptions = QueryOptions & { includeRelationships?: boolean; relationshipDepth?: number };

/** yata-local's `GraphStats`. */
export interface YataLocalStats {
  entityCount: number;
  entitiesByType: Record<string, number>;
  relationshipCount: number;
  relationshipsByType: Record<string, number>;
  /** Bytes on disk of all shards. */
  databaseSize: number;
  /** The latest `updatedAt` of any entity, or the time of the call for an empty store. */
  lastModified: Date;
}

/** yata-local's version 1.0 JSON export, as `exportJson` returns it. */
export interface YataLocalJsonExport {
  version: '1.0';
  exportedAt: string;
  entities: Entity[];
  relationships: Relationship[];
}

export interface YataLocalMergeConflict {
  type: 'entity' | 'relationship';
  id: string;
  reason: string;
}

/** yata-local's `MergeResult`, returned by `importJson`. */
export interface YataLocalMergeResult {
  /** False when a record was rejected and listed in `conflicts` with its reason. yata-local always sets true. */
  success: boolean;
  entitiesAdded: number;
  entitiesUpdated: number;
  entitiesSkipped: number;
  relationshipsAdded: number;
  relationshipsSkipped: number;
  conflicts: YataLocalMergeConflict[];
}

/** yata-local's `ExportOptions`. `json-v1` and `ntriples` are yata-scale's extra formats. */
export interface YataLocalExportOptions {
  format: 'json' | 'rdf' | 'graphml' | 'json-v1' | 'ntriples';
  namespace?: string;
  /** Only `true` (the default) is supported for `rdf` and `graphml`. `json` always contains metadata, as in yata-local. */
  includeMetadata?: boolean;
  since?: Date;
  outputPath?: string;
}

/** yata-local's `ExportResult`. `content` contains the text when no `outputPath` is given. */
export interface YataLocalExportResult extends Omit<ExportResult, 'format'> {
  format: YataLocalExportOptions['format'];
  content?: string;
}

/** yata-local's `ImportOptions`. */
export interface YataLocalImportOptions {
  format: 'json' | 'graphml' | 'rdf';
  mergeStrategy: MergeStrategy;
  dryRun?: boolean;
}

/** Returns the store directory for a yata-local `path`: `<path>.yata-scale` for a `.db` file, else `path` itself. */
export function storeDirectoryFor(path: string = YATA_LOCAL_DEFAULT_PATH): string {
  return path.endsWith('.db') ? `${path}${STORE_DIRECTORY_SUFFIX}` : path;
}

/** yata-local's `YataLocal` class over a yata-scale store. */
export class YataLocal {
  #config: YataLocalConfig;
  #store: YataScale | undefined;

  /** Checks `config`. The store is opened by {@link open}. */
  constructor(config: YataLocalConfig = {}) {
    this.#config = { ...config };
    scaleConfig(this.#config);
  }

  /** The store directory that {@link open} opens. */
  get path(): string {
    return storeDirectoryFor(this.#config.path);
  }

  /** The underlying store, for yata-scale methods the facade lacks (`findAllPaths`, `explain`, …). */
  get store(): YataScale {
    const store = this.#store;
    if (!store || !store.isOpen) throw new StoreClosedError('store is not open; call open() first');
    return store;
  }

  // ---- lifecycle ------------------------------------------------------------

  /**
   * Opens the store, creating it when the directory contains none. A given
   * `config` is merged into the constructor's, as in yata-local, and a store
   * that is already open is closed first. Fails with `InvalidConfigError`
   * when `path` names a yata-local SQLite file that has not been migrated,
   * so that an empty store is never mistaken for the old data.
   */
  async open(config?: YataLocalConfig): Promise<void> {
    if (config) {
      const merged = { ...this.#config, ...config };
      scaleConfig(merged);
      await this.close();
      this.#config = merged;
    }
    if (this.#store?.isOpen) return;
    requireMigrated(this.#config.path ?? YATA_LOCAL_DEFAULT_PATH);
    const store = new YataScale(scaleConfig(this.#config));
    await store.initialize();
    this.#store = store;
  }

  async close(): Promise<void> {
    const store = this.#store;
    this.#store = undefined;
    await store?.close();
  }

  isOpen(): boolean {
    return this.#store?.isOpen ?? false;
  }

  // ---- entities -------------------------------------------------------------

  /** Adds an entity under a new UUID and returns the id. An `id` or timestamps in the input are ignored, as in yata-local. */
  async addEntity(entity: YataLocalNewEntity): Promise<string> {
    return this.store.addEntity(newEntity(entity));
  }

  /** Adds entities in one atomic batch and returns their new ids in input order. */
  async addEntities(entities: YataLocalNewEntity[]): Promise<string[]> {
    return this.store.addEntities(entities.map(newEntity));
  }

  async getEntity(id: string): Promise<Entity | null> {
    return this.store.getEntity(id);
  }

  /**
   * Changes the given fields and sets `updatedAt` to now. A key given as
   * `undefined` clears `filePath`, `line` or `description`, as yata-local's
   * object spread does, and `metadata` replaces the stored object. Fails with
   * `EntityNotFoundError` for an unknown id.
   */
  async updateEntity(id: string, updates: YataLocalEntityUpdate): Promise<void> {
    const patch: EntityUpdate = {};
    if (updates.type !== undefined) patch.type = updates.type;
    if (updates.name !== undefined) patch.name = updates.name;
    if (updates.namespace !== undefined) patch.namespace = updates.namespace;
    if ('filePath' in updates) patch.filePath = updates.filePath ?? null;
    if ('line' in updates) patch.line = updates.line ?? null;
    if ('description' in updates) patch.description = updates.description ?? null;
    if (updates.metadata !== undefined) patch.metadata = updates.metadata;
    await this.store.updateEntity(id, patch);
  }

  /** Deletes an entity and its relationships. An unknown id is ignored, as in yata-local. */
  async deleteEntity(id: string): Promise<void> {
    try {
      await this.store.deleteEntity(id);
    } catch (error) {
      if (!(error instanceof EntityNotFoundError)) throw error;
    }
  }

  async deleteEntitiesByFile(filePath: string): Promise<number> {
    return this.store.deleteEntitiesByFile(filePath);
  }

  /** Returns up to 10,000 entities of `type`, oldest `createdAt` first (yata-local's insertion order), ties by id. */
  async getEntitiesByType(type: OpenString<EntityType>): Promise<Entity[]> {
    return this.#firstMatches({ types: type });
  }

  /** Returns up to 10,000 entities of `namespace`, oldest `createdAt` first, ties by id. */
  async getEntitiesByNamespace(namespace: string): Promise<Entity[]> {
    return this.#firstMatches({ namespace });
  }

  /**
   * Returns every entity whose `metadata.entityKind` equals `kind`, newest
   * `createdAt` first. No index covers metadata keys, so this reads every
   * entity once, a batch at a time.
   */
  async getEntitiesByKind(kind: string): Promise<Entity[]> {
    const found: Entity[] = [];
    for await (const entity of this.store.queryStream({ includeRelationships: false }, { sortBy: 'createdAt', sortOrder: 'desc' })) {
      if (entity.metadata.entityKind === kind) found.push(entity);
    }
    return found;
  }

  /**
   * Returns the entity with this exact name (and namespace, when given and
   * non-empty, as yata-local tests it), or null. Among several, the oldest
   * by `createdAt` is returned, which is yata-local's insertion order.
   */
  async getEntityByName(name: string, namespace?: string): Promise<Entity | null> {
    const filters = namespace ? { name, namespace } : { name };
    const result = await this.store.query({ entityFilters: filters, includeRelationships: false }, { limit: 1, sortBy: 'createdAt' });
    return result.entities[0] ?? null;
  }

  /**
   * Adds the entity, or updates the stored one with the same name (and
   * namespace, for `name-namespace`): given fields replace, metadata keys
   * merge, and fields the input omits are kept.
   */
  async upsertEntity(entity: YataLocalNewEntity, matchBy: MatchBy = 'name-namespace'): Promise<{ id: string; created: boolean }> {
    return this.store.upsertEntity(newEntity(entity), matchBy);
  }

  async upsertEntities(entities: YataLocalNewEntity[], matchBy: MatchBy = 'name-namespace'): Promise<{ created: number; updated: number }> {
    return this.store.upsertEntities(entities.map(newEntity), matchBy);
  }

  async rawQuery<T = unknown>(_sql: string, _params?: unknown[]): Promise<T[]> {
    throw unsupported('rawQuery', 'the store is not SQL; use query(), search() or the YataScale methods on .store');
  }

  // ---- relationships --------------------------------------------------------

  /** Adds a relationship with weight 1 and returns its new id. Fails with `EntityNotFoundError` when an endpoint is unknown. */
  async addRelationship(
    sourceId: string,
    targetId: string,
    type: OpenString<RelationType>,
    metadata?: JsonObject,
  ): Promise<string> {
    return this.store.addRelationship(sourceId, targetId, type, metadata);
  }

  /** Returns the entity's relationships, or `[]` for an unknown id, as in yata-local. */
  async getRelationships(entityId: string, direction: Direction = 'both'): Promise<Relationship[]> {
    try {
      return await this.store.getRelationships(entityId, direction);
    } catch (error) {
      if (error instanceof EntityNotFoundError) return [];
      throw error;
    }
  }

  /** Deletes a relationship. An unknown id is ignored, as in yata-local. */
  async deleteRelationship(id: string): Promise<void> {
    try {
      await this.store.deleteRelationship(id);
    } catch (error) {
      if (!(error instanceof RelationshipNotFoundError)) throw error;
    }
  }

  // ---- queries --------------------------------------------------------------

  /**
   * Runs yata-scale's `query`: every given filter and the `textSearch` words
   * must match, `query({})` returns all entities, and results are sorted by
   * name and id unless `sortBy` names another key. Defaults: limit 100, offset 0.
   */
  async query(query: YataLocalQuery = {}, options: Partial<YataLocalQueryOptions> = {}): Promise<QueryResult> {
    const { limit, offset, sortBy, sortOrder, timeoutMs } = options;
    return this.store.query(query as GraphQuery, { limit, offset, sortBy, sortOrder, timeoutMs });
  }

  /** Returns up to `limit` entities ranked by full-text relevance. */
  async search(text: string, limit: number = DEFAULT_SEARCH_LIMIT): Promise<Entity[]> {
    const hits = await this.store.search(text, limit);
    return hits.map((hit) => hit.entity);
  }

  /** Finds a shortest path by hops (default `maxDepth` 10, direction `both`). Returns null when none exists or an endpoint is unknown. */
  async findPath(
    startId: string,
    endId: string,
    options: { maxDepth?: number; relationshipTypes?: OpenString<RelationType>[]; direction?: 'forward' | 'backward' | 'both' } = {},
  ): Promise<Path | null> {
    try {
      return await this.store.findPath(startId, endId, options);
    } catch (error) {
      if (error instanceof EntityNotFoundError) return null;
      throw error;
    }
  }

  /**
   * Returns the entities within `depth` hops (default 2) of `rootId` and the
   * relationships among them. An unknown root gives an empty subgraph, as in
   * yata-local.
   */
  async extractSubgraph(
    rootId: string,
    options: {
      depth?: number;
      entityTypes?: OpenString<EntityType>[];
      relationshipTypes?: OpenString<RelationType>[];
      direction?: Direction;
    } = {},
  ): Promise<Subgraph> {
    try {
      return await this.store.extractSubgraph(rootId, options);
    } catch (error) {
      if (error instanceof EntityNotFoundError) return { rootId, entities: [], relationships: [] };
      throw error;
    }
  }

  /** Returns every binding of the pattern's variables to distinct entities that satisfies all its nodes and edges. */
  async matchPattern(pattern: GraphPattern): Promise<PatternMatch[]> {
    if (Array.isArray(pattern?.nodes) && pattern.nodes.length === 0) return [];
    return this.store.matchPattern(pattern);
  }

  /**
   * Returns the entities reachable over relationships of `relationshipTypes`
   * within `maxHops` (default 5), nearest first, each once. As in
   * yata-local, an empty type list reaches nothing and an unknown start
   * gives `[]`.
   */
  async traverse(
    startId: string,
    relationshipTypes: OpenString<RelationType>[],
    direction: 'forward' | 'backward',
    maxHops: number = DEFAULT_TRAVERSE_HOPS,
  ): Promise<Entity[]> {
    if (Array.isArray(relationshipTypes) && relationshipTypes.length === 0) return [];
    try {
      return await this.store.traverse(startId, relationshipTypes, direction, maxHops);
    } catch (error) {
      if (error instanceof EntityNotFoundError) return [];
      throw error;
    }
  }

  /**
   * Returns one entry per relationship of the entity that passes the
   * filters, with the entity at its other end, as yata-local does: an entity
   * linked twice appears twice. `[]` for an unknown id.
   */
  async getNeighbors(
    entityId: string,
    options: { direction?: Direction; relationshipTypes?: OpenString<RelationType>[]; entityTypes?: OpenString<EntityType>[] } = {},
  ): Promise<{ entity: Entity; relationship: Relationship }[]> {
    const relationshipTypes = options.relationshipTypes ? new Set<string>(options.relationshipTypes) : undefined;
    const entityTypes = options.entityTypes ? new Set<string>(options.entityTypes) : undefined;
    const relationships = (await this.getRelationships(entityId, options.direction ?? 'both')).filter(
      (relationship) => !relationshipTypes || relationshipTypes.has(relationship.type),
    );
    const otherIds = relationships.map((r) => (r.sourceId === entityId ? r.targetId : r.sourceId));
    const others = await this.store.getEntities(otherIds);

    const neighbors: { entity: Entity; relationship: Relationship }[] = [];
    relationships.forEach((relationship, i) => {
      const entity = others[i];
      if (entity && (!entityTypes || entityTypes.has(entity.type))) neighbors.push({ entity, relationship });
    });
    return neighbors;
  }

  async ask(_question: string, _config?: unknown): Promise<never> {
    throw unsupported('ask', 'yata-scale has no natural-language queries; use query(), search() or findPath()');
  }

  async naturalLanguageQuery(_question: string, _config?: unknown): Promise<never> {
    throw unsupported('naturalLanguageQuery', 'yata-scale has no natural-language queries; use query(), search() or findPath()');
  }

  // ---- reasoning ------------------------------------------------------------

  async infer(_options?: unknown): Promise<never> {
    throw unsupported('infer', NO_REASONING);
  }

  async validate(_options?: unknown): Promise<never> {
    throw unsupported('validate', NO_REASONING);
  }

  async computeConfidence(_sourceId: string, _targetId: string, _type: string): Promise<never> {
    throw unsupported('computeConfidence', NO_REASONING);
  }

  async suggestRelationships(_entityId: string, _options?: unknown): Promise<never> {
    throw unsupported('suggestRelationships', NO_REASONING);
  }

  addInferenceRule(_rule: unknown): never {
    throw unsupported('addInferenceRule', NO_REASONING);
  }

  addConstraint(_constraint: unknown): never {
    throw unsupported('addConstraint', NO_REASONING);
  }

  getInferenceRules(): never {
    throw unsupported('getInferenceRules', NO_REASONING);
  }

  getConstraints(): never {
    throw unsupported('getConstraints', NO_REASONING);
  }

  // ---- import and export ----------------------------------------------------

  /**
   * Returns every entity and relationship in yata-local's version 1.0 JSON
   * shape (timestamps as `Date`), sorted by name and id, without
   * yata-local's 100,000-entity cap, and writes it to `filePath` when given.
   * The whole graph is held in memory, so use `exportGraph` to stream instead.
   */
  async exportJson(filePath?: string): Promise<YataLocalJsonExport> {
    const text = await exportText(this.store, 'json-v1');
    if (filePath) await writeFile(filePath, text);
    const data = JSON.parse(text) as YataLocalJsonExport;
    for (const entity of data.entities) {
      entity.createdAt = new Date(entity.createdAt);
      entity.updatedAt = new Date(entity.updatedAt);
    }
    for (const relationship of data.relationships) relationship.createdAt = new Date(relationship.createdAt);
    return data;
  }

  /**
   * Imports a version 1.0 or 2.0 JSON export, given as a file path or as the
   * object `exportJson` returns. A stored entity id is skipped and listed as
   * a conflict, or with `merge` overwritten. A relationship with a missing
   * endpoint is skipped and listed. The input is read twice, first for its
   * entity ids, so a JSON syntax error is raised before anything is written.
   */
  async importJson(
    input: string | { entities: unknown[]; relationships: unknown[] },
    options: { merge?: boolean; dryRun?: boolean } = {},
  ): Promise<YataLocalMergeResult> {
    const store = this.store;
    if (typeof input === 'string' && !isFile(input)) {
      throw new InvalidInputError('file', input, 'does not exist or is not a file; check the path');
    }
    const source: () => GraphInput = typeof input === 'string' ? () => input : () => Readable.from([JSON.stringify(input)]);
    const entityIds = await entityIdsOf(source());
    const stored = options.merge ? [] : await storedIds(store, [...entityIds]);

    const result = await importGraph(store, source(), {
      format: 'json',
      mergeStrategy: options.merge ? 'overwrite' : 'skip',
      dryRun: options.dryRun,
    });
    const conflicts: YataLocalMergeConflict[] = stored.map((id) => ({ type: 'entity', id, reason: 'Entity already exists' }));
    for (const { id, reason } of result.errors) {
      conflicts.push({ type: entityIds.has(id) || id.startsWith('entity #') ? 'entity' : 'relationship', id, reason });
    }
    return {
      success: result.success,
      entitiesAdded: result.entitiesCreated,
      entitiesUpdated: result.entitiesUpdated,
      entitiesSkipped: result.entitiesSkipped,
      relationshipsAdded: result.relationshipsCreated,
      relationshipsSkipped: result.relationshipsSkipped,
      conflicts,
    };
  }

  /**
   * Returns the graph as N-Triples in yata-local's vocabulary and writes it
   * to `filePath` when given. Every line ends with a line feed. Only the
   * default `baseUri` and `includeMetadata: true` are supported.
   */
  async exportRdf(filePath?: string, options: { baseUri?: string; includeMetadata?: boolean } = {}): Promise<string> {
    if (options.baseUri !== undefined && options.baseUri !== RDF_DEFAULT_BASE) {
      throw new UnsupportedError('exportRdf baseUri', options.baseUri, `only ${RDF_DEFAULT_BASE} is written; rewrite the IRIs of the output instead`);
    }
    if (options.includeMetadata === false) {
      throw new UnsupportedError('exportRdf includeMetadata', 'false', 'metadata is always written; drop the <http://yata.local/metadata> triples of the output instead');
    }
    const text = await exportText(this.store, 'ntriples');
    if (filePath) await writeFile(filePath, text);
    return text;
  }

  /**
   * Exports the entities (all, or one namespace, or those updated since
   * `since`) and the relationships among them. Writes `outputPath`, or
   * returns the text as `content`.
   */
  async export(options: YataLocalExportOptions): Promise<YataLocalExportResult> {
    const format: ExportFormat = options.format;
    if (options.includeMetadata === false && format !== 'json' && format !== 'json-v1') {
      throw new UnsupportedError(
        'export includeMetadata',
        'false',
        `${format} exports always contain metadata; export with includeMetadata: true`,
      );
    }
    const graphOptions = { format, namespace: options.namespace, since: options.since };
    if (options.outputPath) {
      const result = await exportGraph(this.store, options.outputPath, graphOptions);
      return { ...result, format: options.format, outputPath: options.outputPath };
    }
    const collector = new TextCollector();
    const result = await exportGraph(this.store, collector, graphOptions);
    return { ...result, format: options.format, outputPath: undefined, content: collector.text() };
  }

  /**
   * Imports JSON (1.0 or 2.0) or GraphML from a file path or, when no such
   * file exists, from `input` as the content itself, as yata-local does.
   * RDF import raises `UnsupportedError`.
   */
  async import(input: string, options: YataLocalImportOptions): Promise<ImportResult> {
    if (options.format === 'rdf') {
      throw new UnsupportedError(
        'import format',
        'rdf',
        "yata-local's RDF import keeps entities only and drops relationships; import a json or graphml export instead",
      );
    }
    const source: GraphInput = isFile(input) ? input : Readable.from([input]);
    return importGraph(this.store, source, { format: options.format, mergeStrategy: options.mergeStrategy, dryRun: options.dryRun });
  }

  /** Exports the entities updated at or after `since`, with `export`'s options (format `json` by default). */
  async exportIncremental(
    since: Date,
    options: Omit<YataLocalExportOptions, 'since'> = { format: 'json' },
  ): Promise<YataLocalExportResult> {
    return this.export({ ...options, since });
  }

  computeDelta(_oldState: unknown, _newState: unknown): never {
    throw unsupported('computeDelta', 'compare two exportJson() results by id, or re-import a full export with importJson(file, { merge: true })');
  }

  async applyDelta(_delta: unknown, _options?: unknown): Promise<never> {
    throw unsupported('applyDelta', 'import the changed records with importJson(data, { merge: true }) and delete removed ids with deleteEntity()');
  }

  async getChangesSince(_since: Date): Promise<never> {
    throw unsupported(
      'getChangesSince',
      "yata-scale keeps no change log; export({ format: 'json', since }) returns the entities updated since a time, but not deletions",
    );
  }

  /** Returns yata-local's statistics. `lastModified` is the latest `updatedAt` of any entity. */
  async getStats(): Promise<YataLocalStats> {
    const store = this.store;
    const stats = await store.getStats();
    const latest = await store.query({ includeRelationships: false }, { limit: 1, sortBy: 'updatedAt', sortOrder: 'desc' });
    return {
      entityCount: stats.entityCount,
      entitiesByType: stats.entitiesByType,
      relationshipCount: stats.relationshipCount,
      relationshipsByType: stats.relationshipsByType,
      databaseSize: stats.databaseSize,
      lastModified: latest.entities[0]?.updatedAt ?? new Date(),
    };
  }

  async #firstMatches(entityFilters: NonNullable<GraphQuery['entityFilters']>): Promise<Entity[]> {
    const result = await this.store.query(
      { entityFilters, includeRelationships: false },
      { limit: BY_FILTER_CAP, sortBy: 'createdAt' },
    );
    return result.entities;
  }
}

/** Creates a `YataLocal` handle, like yata-local's factory. Call `open()` before use. */
export function createYataLocal(config: YataLocalConfig = {}): YataLocal {
  return new YataLocal(config);
}

const NO_REASONING =
  'yata-scale has no reasoning engine; use matchPattern() to find the structures a rule would match and addRelationship() to store its result';

function unsupported(method: string, alternative: string): UnsupportedError {
  return new UnsupportedError('yata-local method', method, alternative);
}

/** Checks the facade config and converts it to the store's. */
function scaleConfig(config: YataLocalConfig): YataScaleConfig {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidConfigError("config must be an object such as { path: '.yata/knowledge.db' }");
  }
  if (config.encryption?.enabled) {
    throw new UnsupportedError('encryption', 'enabled', 'yata-scale stores are not encrypted (yata-local never implemented it either); use an encrypted file system');
  }
  return {
    path: storeDirectoryFor(config.path),
    shards: config.shards,
    cacheBytesPerShard: config.cacheBytesPerShard,
  };
}

/**
 * Fails when `path` is a yata-local SQLite file whose store directory has no
 * store yet, because opening would create an empty store beside the data.
 */
function requireMigrated(path: string): void {
  const directory = storeDirectoryFor(path);
  if (directory === path || existsSync(join(directory, MANIFEST_FILE)) || !isSqliteFile(path)) return;
  throw new InvalidConfigError(
    `${path} is a yata-local SQLite database, which yata-scale does not open directly; ` +
      `migrate it once with \`yata-scale migrate ${path} --db ${directory}\` (or migrate() from the compat module), ` +
      'or pass a store directory as path',
  );
}

function isSqliteFile(path: string): boolean {
  if (!isFile(path)) return false;
  const header = Buffer.alloc(SQLITE_HEADER.length);
  const fd = openSync(path, 'r');
  try {
    return readSync(fd, header, 0, header.length, 0) === header.length && header.toString('latin1') === SQLITE_HEADER;
  } finally {
    closeSync(fd);
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Drops the id and timestamps that yata-local's `addEntity` would replace. */
function newEntity(entity: YataLocalNewEntity): EntityInput {
  const { id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...fields } = entity as EntityInput;
  return fields;
}

/** A writable stream that keeps what is written, for exports returned as text. */
class TextCollector extends Writable {
  readonly #chunks: Buffer[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#chunks.push(chunk);
    callback();
  }

  text(): string {
    return Buffer.concat(this.#chunks).toString('utf8');
  }
}

async function exportText(store: YataScale, format: ExportFormat): Promise<string> {
  const collector = new TextCollector();
  await exportGraph(store, collector, { format });
  return collector.text();
}

/** Reads the entity ids of a JSON export, one record at a time. */
async function entityIdsOf(input: GraphInput): Promise<Set<string>> {
  const ids = new Set<string>();
  const source = typeof input === 'string' ? input : '(JSON object)';
  for await (const record of readJsonGraph(textChunks(input), source)) {
    const value = record.value as { id?: unknown } | undefined;
    if (record.kind === 'entity' && typeof value?.id === 'string') ids.add(value.id);
  }
  return ids;
}

/** Returns the ids among `ids` that the store contains, in input order. */
async function storedIds(store: YataScale, ids: string[]): Promise<string[]> {
  const found: string[] = [];
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    const batch = ids.slice(i, i + LOOKUP_BATCH);
    const entities = await lookUp(store, batch);
    batch.forEach((id, j) => {
      if (entities[j]) found.push(id);
    });
  }
  return found;
}

/**
 * Reads the entities of `ids`, with null for unknown ids. The store rejects
 * a whole batch when one id breaks its id rules, so such a batch is read one
 * id at a time, and an id that breaks the rules counts as unknown.
 */
async function lookUp(store: YataScale, ids: string[]): Promise<(Entity | null)[]> {
  try {
    return await store.getEntities(ids);
  } catch (error) {
    if (!(error instanceof InvalidInputError)) throw error;
  }
  const entities: (Entity | null)[] = [];
  for (const id of ids) {
    try {
      entities.push(await store.getEntity(id));
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      entities.push(null);
    }
  }
  return entities;
}
