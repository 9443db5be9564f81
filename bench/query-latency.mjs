#!/usr/bin/env node
// Loads a generated code graph through the public API, then measures p50/p99
// latency of get, attribute filter, 1/2/3-hop neighbours, shortest path and
// full-text search, each with deterministic inputs.
//
//   node bench/query-latency.mjs [--entities N] [--shards S] [--samples K] [--store DIR]
//
// Defaults: 100,000 entities, 4 shards, 1,000 samples per query kind. With
// --store, an existing store of the same size is reused instead of loaded.
// Results go to bench/results/query-latency-<N>.json.

import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createYataScale } from '../dist/index.js';
import { entityBatches, entityId, makeEntity, prng, relationshipBatches } from './lib/generate.mjs';
import { measure, round } from './lib/stats.mjs';

const { values } = parseArgs({
  options: {
    entities: { type: 'string', default: '100000' },
    shards: { type: 'string', default: '4' },
    samples: { type: 'string', default: '1000' },
    store: { type: 'string' },
    seed: { type: 'string', default: '42' },
  },
});
const count = Number(values.entities);
const shards = Number(values.shards);
const samples = Number(values.samples);
const seed = Number(values.seed);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');

const storePath = values.store ?? mkdtempSync(join(tmpdir(), 'yata-latency-'));
const reuse = values.store !== undefined && existsSync(join(storePath, 'manifest.json'));
const store = createYataScale({ path: storePath, shards });

let started = performance.now();
await store.initialize();
const openSeconds = (performance.now() - started) / 1000;

const load = {};
if (!reuse) {
  started = performance.now();
  for (const batch of entityBatches(seed, count, 10_000)) await store.addEntities(batch);
  load.entitySeconds = round((performance.now() - started) / 1000, 2);
  load.entitiesPerSecond = Math.round(count / load.entitySeconds);

  started = performance.now();
  let relationships = 0;
  for (const batch of relationshipBatches(seed, count, 20_000)) {
    await store.addRelationships(batch);
    relationships += batch.length;
  }
  load.relationshipSeconds = round((performance.now() - started) / 1000, 2);
  load.relationshipsPerSecond = Math.round(relationships / load.relationshipSeconds);
}

const random = prng(seed ^ 0xabc);
const pick = () => entityId(Math.floor(random() * count));
const namespaces = Array.from({ length: 64 }, (_, i) => makeEntity(seed, Math.floor(random() * count)).namespace);

const results = {
  get: await measure(samples, () => store.getEntity(pick())),
  filterTypeNamespace: await measure(samples, (i) =>
    store.query({ entityFilters: { types: ['method'], namespace: namespaces[i % namespaces.length] }, includeRelationships: false }, { limit: 100 }),
  ),
  hop1: await measure(samples, () => store.getNeighbors(pick(), { depth: 1, direction: 'out' })),
  hop2: await measure(samples, () => store.getNeighbors(pick(), { depth: 2, direction: 'out' })),
  hop3: await measure(Math.min(samples, 200), () => store.getNeighbors(pick(), { depth: 3, direction: 'out' })),
  path: await measure(Math.min(samples, 500), () => store.findPath(pick(), pick(), { maxDepth: 6, direction: 'out' })),
  search: await measure(samples, (i) => store.search(['user', 'cache', 'graph', '認証', 'render order'][i % 5], 20)),
};

const stats = await store.getStats();
const indexStats = await store.getIndexStats();
await store.close();
if (values.store === undefined) rmSync(storePath, { recursive: true, force: true });

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
const report = {
  date: new Date().toISOString(),
  machine,
  entities: stats.entityCount,
  relationships: stats.relationshipCount,
  shards,
  openSeconds: round(openSeconds, 2),
  load,
  bytesOnDisk: stats.databaseSize,
  indexMemoryBytes: indexStats.memoryBytes,
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  latencyMs: results,
};
console.log(JSON.stringify(report, null, 2));
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', `query-latency-${count}.json`), JSON.stringify(report, null, 2) + '\n');
