/**
 * The public data model. Field names and shapes follow `@nahisaho/yata-local`
 * 2.4.6, so code written for it reads yata-scale results unchanged.
 */

/** The 16 entity types yata-local names. Any other non-empty string is stored too. */
export type EntityType =
  | 'class'
  | 'interface'
  | 'function'
  | 'method'
  | 'variable'
  | 'constant'
  | 'type'
  | 'enum'
  | 'module'
  | 'package'
  | 'file'
  | 'parameter'
  | 'property'
  | 'import'
  | 'export'
  | 'unknown';

/** The 21 relationship types yata-local names. Any other non-empty string is stored too. */
export type RelationType =
  | 'calls'
  | 'imports'
  | 'exports'
  | 'extends'
  | 'inherits'
  | 'implements'
  | 'contains'
  | 'uses'
  | 'defines'
  | 'references'
  | 'depends-on'
  | 'transitively-depends-on'
  | 'type-compatible'
  | 'has-method'
  | 'overrides'
  | 'returns'
  | 'parameter_of'
  | 'member_of'
  | 'related-to'
  | 'defined-in-same-file'
  | 'unknown';

/** A known type, or any other string, keeping editor completion for the known ones. */
export type OpenString<Known extends string> = Known | (string & {});

export type JsonObject = Record<string, unknown>;

export interface Entity {
  id: string;
  type: OpenString<EntityType>;
  name: string;
  namespace: string;
  filePath?: string;
  line?: number;
  description?: string;
  metadata: JsonObject;
  createdAt: Date;
  updatedAt: Date;
}

export interface Relationship {
  id: string;
  sourceId: string;
  targetId: string;
  type: OpenString<RelationType>;
  weight: number;
  metadata: JsonObject;
  createdAt: Date;
}

/** A timestamp as a `Date`, an ISO-8601 string or epoch milliseconds. */
export type TimeInput = Date | string | number;

/**
 * Input for a new entity. Without `id` a random UUID is generated; without
 * timestamps the time of the write is used.
 */
export interface EntityInput {
  id?: string;
  type: OpenString<EntityType>;
  name: string;
  namespace?: string;
  filePath?: string;
  line?: number;
  description?: string;
  metadata?: JsonObject;
  createdAt?: TimeInput;
  updatedAt?: TimeInput;
}

/** Fields of an entity to change. `null` clears an optional field. */
export interface EntityUpdate {
  type?: OpenString<EntityType>;
  name?: string;
  namespace?: string;
  filePath?: string | null;
  line?: number | null;
  description?: string | null;
  metadata?: JsonObject;
  updatedAt?: TimeInput;
}

export interface RelationshipInput {
  id?: string;
  sourceId: string;
  targetId: string;
  type: OpenString<RelationType>;
  /** Defaults to 1.0. */
  weight?: number;
  metadata?: JsonObject;
  createdAt?: TimeInput;
}

/** `out`: relationships the entity is the source of; `in`: the target of. */
export type Direction = 'in' | 'out' | 'both';

export type MatchBy = 'name-namespace' | 'name';

export interface ShardStats {
  shardId: string;
  entityCount: number;
  relationshipCount: number;
  sizeBytes: number;
}

export interface GraphStats {
  entityCount: number;
  relationshipCount: number;
  entitiesByType: Record<string, number>;
  relationshipsByType: Record<string, number>;
  /** Bytes on disk of all shards. */
  databaseSize: number;
  shards: ShardStats[];
}

/** yata-local's query shape. All given filters must hold. */
export interface GraphQuery {
  entityFilters?: {
    types?: OpenString<EntityType> | OpenString<EntityType>[];
    /** Exact name. */
    name?: string;
    /** Exact namespace. */
    namespace?: string;
    /** Glob over the name: `*` is any run of characters, `?` one character; ASCII case-insensitive. */
    namePattern?: string;
  };
  relationshipFilters?: {
    types?: OpenString<RelationType>[];
  };
  /** Words that must all occur in the name, namespace, description or file path, ignoring case. */
  textSearch?: string;
  /** Return the relationships touching the returned entities. Defaults to true. */
  includeRelationships?: boolean;
}

export interface QueryOptions {
  /** Defaults to 100. */
  limit?: number;
  /** Defaults to 0. */
  offset?: number;
}

export interface QueryResult {
  /** One page of matches, sorted by name and then id. */
  entities: Entity[];
  relationships: Relationship[];
  /** Number of matches before paging. */
  totalCount: number;
  hasMore: boolean;
  /** Milliseconds the query took. */
  executionTime: number;
}

export interface TraversalOptions {
  /** Defaults to `both`. yata-local's `forward` and `backward` mean `out` and `in`. */
  direction?: Direction | 'forward' | 'backward';
  relationshipTypes?: OpenString<RelationType>[];
  /** Return only entities of these types; traversal still passes through others. */
  entityTypes?: OpenString<EntityType>[];
}

export interface NeighborOptions extends TraversalOptions {
  /** Hops to expand. Defaults to 1. */
  depth?: number;
}

export interface Neighbor {
  entity: Entity;
  /** The relationship by which the entity was first reached. */
  relationship: Relationship;
  /** Hops from the start entity. */
  depth: number;
}

export interface PathOptions extends Omit<TraversalOptions, 'entityTypes'> {
  /** Longest path to look for, in hops. Defaults to 10. */
  maxDepth?: number;
}

export interface Path {
  entities: Entity[];
  relationships: Relationship[];
  /** Number of hops. */
  length: number;
}

/** One shard of an explicit shard list. */
export interface ShardSpec {
  id: string;
  /** Directory of the shard, relative to the store path unless absolute. */
  path: string;
  /** Only `local` shards exist in this release. */
  type?: 'local' | 'remote';
}

export type PartitionStrategy = 'hash' | 'range' | 'graph';

export interface YataScaleConfig {
  /** Store directory. Defaults to `.yata-scale`. */
  path?: string;
  /**
   * A shard count, or an explicit list. Defaults to the stored layout, or one
   * shard for a new store. Reopening with another layout is rejected.
   */
  shards?: number | ShardSpec[];
  /** Only `hash` is supported in this release; others raise `UnsupportedError`. */
  partitionStrategy?: PartitionStrategy;
  /** Seed of the placement hash, fixed when the store is created. */
  hashSeed?: bigint | number | string;
  /** Ring points per shard, fixed when the store is created. Defaults to 256. */
  virtualNodes?: number;
  /** Page cache of each shard, in bytes. Defaults to 64 MiB. */
  cacheBytesPerShard?: number;
  /**
   * Create the store when `path` holds none. Defaults to true; with false,
   * `initialize()` fails with `StoreNotFoundError` instead.
   */
  create?: boolean;
}

export interface StoreManifest {
  formatVersion: number;
  partitionStrategy: string;
  /** Decimal string, because the seed may exceed 2^53. */
  hashSeed: string;
  virtualNodes: number;
  shards: { id: string; path: string }[];
}
