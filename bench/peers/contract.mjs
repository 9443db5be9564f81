// The contract every benchmarked store meets, yata-scale and its peers alike.
//
// A peer module default-exports a PeerModule. The harness opens it in a
// child process of its own, loads a dataset through it, reopens it, checks
// its results against yata-scale's, and only then times it. Every read
// returns whole entity records, with every stored field, as the store's API
// gives them to an application, so every store pays for building the
// objects a caller uses. The harness compares results by entity id.
//
// Graph semantics every peer must follow:
// - relationships are directed from sourceId to targetId; every query
//   follows outgoing relationships of any type;
// - neighbors(id, depth) lists the distinct entities reachable in 1 to
//   `depth` hops, without the start entity, even when a cycle returns to it;
// - path(from, to, maxDepth) is the number of hops of a shortest path, 0
//   when from === to, and null when no path of at most maxDepth hops exists;
// - filter(type, namespace) matches entities whose type and namespace are
//   both equal to the arguments;
// - searchCount(text) counts the entities whose description contains every
//   word of `text` as a whole word (case-insensitive). The harness only
//   queries words that occur nowhere else, so engines that also index
//   names, namespaces and paths agree.
//
// Entities and relationships have the shapes of bench/lib/generate.mjs:
//   { id, type, name, namespace, filePath, line, description?, metadata }
//   { id, sourceId, targetId, type }

/**
 * @typedef {object} Entity
 * @property {string} id
 * @property {string} type
 * @property {string} name
 * @property {string} namespace
 * @property {string} filePath
 * @property {number} line
 * @property {string} [description]
 * @property {Record<string, unknown>} metadata
 */

/**
 * @typedef {object} Relationship
 * @property {string} id
 * @property {string} sourceId
 * @property {string} targetId
 * @property {string} type
 */

/**
 * @typedef {object} Capabilities
 * @property {boolean} search      false when the store has no text index; search is then marked, not timed
 * @property {boolean} persistent  false for in-memory stores; open time and bytes on disk are then marked
 * @property {string} [notes]      one line shown under the results table
 */

/**
 * @typedef {object} Peer
 * @property {Capabilities} capabilities
 * @property {(entities: Entity[]) => Promise<void>} addEntities          one batch, in one transaction where the store has them
 * @property {(relationships: Relationship[]) => Promise<void>} addRelationships
 * @property {() => Promise<void>} finishLoad                            builds what the store builds after a bulk load (indexes, FTS)
 * @property {(entity: Entity) => Promise<void>} writeOne                 one durable single write (committed and synced when it resolves)
 * @property {(id: string) => Promise<Entity | null>} get
 * @property {(type: string, namespace: string, limit: number) => Promise<{ total: number, entities: Entity[] }>} filter
 * @property {(id: string, depth: number) => Promise<Entity[]>} neighbors
 * @property {(from: string, to: string, maxDepth: number) => Promise<number | null>} path
 * @property {(text: string, limit: number) => Promise<Entity[]>} search   best `limit` matches by the store's own ranking
 * @property {(text: string) => Promise<number>} searchCount
 * @property {() => Promise<number>} bytesOnDisk
 * @property {() => Promise<void>} close
 */

/**
 * @typedef {object} PeerModule
 * @property {string} name                         short key used on the command line and in results
 * @property {string} label                        name shown in BENCHMARKS.md, with the package version
 * @property {(dir: string, options: { fresh: boolean }) => Promise<Peer>} open
 *   opens the store kept in directory `dir`; `fresh` means the directory is
 *   empty and the store is created there
 */

export {};
