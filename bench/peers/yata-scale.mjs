// yata-scale through its public TypeScript API, as an application embeds it.
// The shard count comes from YATA_BENCH_SHARDS (default 4), so the scaling
// runs can reuse this adapter.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createYataScale } from '../../dist/index.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;

/** @type {import('./contract.mjs').PeerModule} */
export default {
  name: 'yata-scale',
  label: `yata-scale ${version}`,
  async open(dir, { fresh }) {
    const shards = Number(process.env.YATA_BENCH_SHARDS ?? 4);
    const store = createYataScale({ path: dir, shards: fresh ? shards : undefined });
    await store.initialize();

    return {
      capabilities: {
        search: true,
        persistent: true,
        notes: `${shards} shards on sled; every write is flushed before it resolves; indexes are read from the snapshot saved on close`,
      },
      async addEntities(entities) {
        await store.addEntities(entities);
      },
      async addRelationships(relationships) {
        await store.addRelationships(relationships);
      },
      async finishLoad() {},
      async writeOne(entity) {
        await store.addEntity(entity);
      },
      async get(id) {
        return store.getEntity(id);
      },
      async filter(type, namespace, limit) {
        const result = await store.query(
          { entityFilters: { types: [type], namespace }, includeRelationships: false },
          { limit, sortBy: 'id' },
        );
        return { total: result.totalCount, entities: result.entities };
      },
      async neighbors(id, depth) {
        const found = await store.getNeighbors(id, { depth, direction: 'out' });
        return found.map((neighbor) => neighbor.entity).filter((entity) => entity.id !== id);
      },
      async path(from, to, maxDepth) {
        const path = await store.findPath(from, to, { maxDepth, direction: 'out' });
        return path === null ? null : path.length;
      },
      async search(text, limit) {
        const hits = await store.search(text, limit);
        return hits.map((hit) => hit.entity);
      },
      async searchCount(text) {
        const result = await store.query({ textSearch: text, includeRelationships: false }, { limit: 1 });
        return result.totalCount;
      },
      async bytesOnDisk() {
        return (await store.getStats()).databaseSize;
      },
      async indexStats() {
        return store.getIndexStats();
      },
      async close() {
        await store.close();
      },
    };
  },
};
