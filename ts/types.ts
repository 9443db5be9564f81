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
    /** Exact file path. */
    filePath?: string;
  };
  relationshipFilters?: {
    types?: OpenString<RelationType>[];
  };
  /**
   * Full-text query: every word must match the name, namespace, description,
   * file path or metadata text. Identifiers match by their parts
   * (`Service` finds `UserService`), Japanese by two-character pieces.
   */
  textSearch?: string;
  /** Return the relationships touching the returned entities. Defaults to true. */
  includeRelationships?: boolean;
}

/** Sort keys of `query`; ties always break by id. */
export type SortBy = 'name' | 'id' | 'type' | 'namespace' | 'filePath' | 'createdAt' | 'updatedAt' | 'relevance';

export interface QueryOptions {
  /** Defaults to 100. */
  limit?: number;
  /** Defaults to 0. */
  offset?: number;
  /**
   * Defaults to `name` (ignoring ASCII case). `relevance` orders by full-text
   * score, best first, and needs `textSearch`.
   */
  sortBy?: SortBy;
  /** Defaults to `asc`. */
  sortOrder?: 'asc' | 'desc';
  /** Stop with `QueryTimeoutError` after this many milliseconds. */
  timeoutMs?: number;
}

/** The plan `explain` returns. */
export interface QueryPlan {
  steps: {
    shardId: string;
    /** `index-lookup`, `index-range`, `full-text` or `scan`. */
    operation: string;
    /** The index that yields the candidates, or `scan`. */
    index: string;
    keys: string[];
    /** Candidates the index yields on this shard. */
    estimatedRows: number;
    /** Other indexes whose posting lists are intersected with the candidates. */
    intersect: string[];
    /** Filters checked on the records themselves. */
    residual: string[];
  }[];
  /** Shards with candidates; the others are skipped. */
  shards: string[];
  indexes: string[];
  estimatedCost: number;
  /** Whether the per-shard steps run in parallel. */
  parallel: boolean;
  sortBy: string;
}

export interface SearchOptions {
  /** Edit distance (1 or 2) for typo-tolerant matching. */
  fuzzy?: 1 | 2;
  /** Match the last word as a prefix. */
  prefix?: boolean;
  timeoutMs?: number;
}

export interface SearchResult {
  entity: Entity;
  /** BM25 score; higher is better. */
  score: number;
}

export interface Subgraph {
  rootId: string;
  entities: Entity[];
  relationships: Relationship[];
}

export interface SubgraphOptions extends TraversalOptions {
  /** Defaults to 2. */
  depth?: number;
}

export interface AllPathsOptions extends Omit<TraversalOptions, 'entityTypes'> {
  /** Maximum path length, in hops. Defaults to 5. */
  maxDepth?: number;
  /** Maximum number of paths to produce. Defaults to 100. */
  maxPaths?: number;
}

/** yata-local's pattern shape. Edges are followed from `sourceVar` to `targetVar`. */
export interface GraphPattern {
  nodes: { variable: string; type?: OpenString<EntityType>; namePattern?: string }[];
  edges: { sourceVar: string; targetVar: string; type?: OpenString<RelationType> }[];
}

export interface PatternMatch {
  /** Variable name → entity id. */
  bindings: Record<string, string>;
  /** Always 1: every match satisfies every constraint. */
  confidence: number;
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
  /** Stop with `QueryTimeoutError` after this many milliseconds. */
  timeoutMs?: number;
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
   * Create the store when `path` has none. Defaults to true; with false,
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
