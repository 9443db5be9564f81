// graphology, the common in-memory graph library for JavaScript: the
// baseline of a store that keeps everything on the heap and persists nothing.

import Graph from 'graphology';
import { bidirectional } from 'graphology-shortest-path/unweighted.js';

import { installedVersion } from './support.mjs';

const VERSION = installedVersion('graphology');

const NOTES =
  'in memory, nothing persisted; filter scans every node because graphology has no secondary index; ' +
  'neighbors is a BFS over outNeighbors; path is graphology-shortest-path bidirectional BFS, ' +
  'unbounded, with paths longer than maxDepth reported as null; no text index';

function nodeAttributes(entity) {
  return {
    type: entity.type,
    name: entity.name,
    namespace: entity.namespace,
    filePath: entity.filePath,
    line: entity.line,
    description: entity.description,
    metadata: entity.metadata,
  };
}

class GraphologyPeer {
  constructor() {
    // A multigraph, because two relationships of the generator may join the
    // same pair of entities, and each keeps its own key and type.
    this.graph = new Graph({ type: 'directed', multi: true, allowSelfLoops: true });
    this.capabilities = { search: false, persistent: false, notes: NOTES };
  }

  async addEntities(entities) {
    for (const entity of entities) this.graph.addNode(entity.id, nodeAttributes(entity));
  }

  async addRelationships(relationships) {
    for (const r of relationships) this.graph.addDirectedEdgeWithKey(r.id, r.sourceId, r.targetId, { type: r.type });
  }

  async finishLoad() {}

  async writeOne(entity) {
    this.graph.addNode(entity.id, nodeAttributes(entity));
  }

  /** Returns a copy of node `id`'s attributes as an entity, as an application would read it. */
  entity(id) {
    return { id, ...this.graph.getNodeAttributes(id) };
  }

  async get(id) {
    if (!this.graph.hasNode(id)) return null;
    return this.entity(id);
  }

  async filter(type, namespace, limit) {
    const entities = [];
    let total = 0;
    this.graph.forEachNode((id, attributes) => {
      if (attributes.type !== type || attributes.namespace !== namespace) return;
      total++;
      if (entities.length < limit) entities.push({ id, ...attributes });
    });
    return { total, entities };
  }

  async neighbors(id, depth) {
    if (!this.graph.hasNode(id)) return [];
    const seen = new Set([id]);
    let frontier = [id];
    for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
      const next = [];
      for (const node of frontier) {
        this.graph.forEachOutNeighbor(node, (neighbor) => {
          if (seen.has(neighbor)) return;
          seen.add(neighbor);
          next.push(neighbor);
        });
      }
      frontier = next;
    }
    seen.delete(id);
    return [...seen].map((other) => this.entity(other));
  }

  async path(from, to, maxDepth) {
    if (from === to) return 0;
    if (!this.graph.hasNode(from) || !this.graph.hasNode(to)) return null;
    const nodes = bidirectional(this.graph, from, to);
    if (nodes === null) return null;
    const hops = nodes.length - 1;
    return hops <= maxDepth ? hops : null;
  }

  async search() {
    throw new Error('graphology has no text index: search is not supported');
  }

  async searchCount() {
    throw new Error('graphology has no text index: searchCount is not supported');
  }

  async bytesOnDisk() {
    return 0;
  }

  async close() {
    this.graph.clear();
  }
}

/** @type {import('./contract.mjs').PeerModule} */
export default {
  name: 'graphology',
  label: `graphology ${VERSION} (in memory)`,
  async open() {
    return new GraphologyPeer();
  },
};
