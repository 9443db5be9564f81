#!/usr/bin/env node
// Indexes real source trees through the public API and prints, per tree:
// files, files/s, entities, relationships, store size on disk and the
// process's peak RSS. Each tree goes into a fresh 4-shard store.
//
//   node bench/index-real-code.mjs [dir ...]
//
// Without arguments it indexes node_modules/typescript/lib and
// node_modules/es-toolkit. Results are also written to
// bench/results/index-real-code.json.

import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { createYataScale } from '../dist/index.js';
import { indexDirectory } from '../dist/indexer/index-directory.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const trees = process.argv.slice(2).length > 0
  ? process.argv.slice(2)
  : ['node_modules/typescript/lib', 'node_modules/es-toolkit'];

const results = [];
for (const tree of trees) {
  const storePath = mkdtempSync(join(tmpdir(), 'yata-bench-'));
  const store = createYataScale({ path: storePath, shards: 4 });
  await store.initialize();
  const summary = await indexDirectory(store, resolve(root, tree));
  const stats = await store.getStats();
  await store.close();
  rmSync(storePath, { recursive: true, force: true });

  results.push({
    tree,
    files: summary.files,
    seconds: Number(summary.seconds.toFixed(2)),
    filesPerSecond: Math.round(summary.files / summary.seconds),
    entities: stats.entityCount,
    relationships: stats.relationshipCount,
    storeBytes: stats.databaseSize,
    bytesPerEntity: Math.round(stats.databaseSize / Math.max(1, stats.entityCount)),
  });
}

const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
console.table(results);
console.log(`peak RSS of the whole run: ${peakRssMiB} MiB`);
console.log(`machine: ${machine}`);

mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(
  join(root, 'bench', 'results', 'index-real-code.json'),
  JSON.stringify({ date: new Date().toISOString(), machine, peakRssMiB, results }, null, 2) + '\n',
);
