#!/usr/bin/env node
// Measures how long an existing store takes to open: from its index
// snapshot, and rebuilt from its records as after a crash.
//
//   node bench/open-time.mjs --store DIR
//
// Steps: open and close once, so that a current snapshot exists → open from
// the snapshot (timed) → move the snapshot aside → open from the records
// (timed). The last close saves a new snapshot. Each open runs in a fresh child
// process, so its peak RSS is its own. Writes
// bench/results/open-time-<entities>.json.

import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { store: { type: 'string' }, child: { type: 'boolean', default: false } } });
if (!values.store) throw new Error('--store DIR is required: the folder of an existing yata-scale store');

if (values.child) {
  const { createYataScale } = await import('../dist/index.js');
  const started = performance.now();
  const store = createYataScale({ path: values.store, create: false });
  await store.initialize();
  const openSeconds = (performance.now() - started) / 1000;
  const stats = await store.getStats();
  const indexStats = await store.getIndexStats();
  await store.close();
  console.log(
    JSON.stringify({
      openSeconds,
      openedFrom: indexStats.openedFrom,
      entities: stats.entityCount,
      relationships: stats.relationshipCount,
      indexMemoryBytes: indexStats.memoryBytes,
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
    }),
  );
} else {
  const openOnce = () => {
    const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', '--store', values.store], { encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`opening ${values.store} failed:\n${child.stderr}`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1));
  };

  openOnce();
  const fromSnapshot = openOnce();
  const aside = join(values.store, 'snapshot.moved-aside');
  rmSync(aside, { recursive: true, force: true });
  renameSync(join(values.store, 'snapshot'), aside);
  const fromRecords = openOnce();
  rmSync(aside, { recursive: true, force: true });

  const report = {
    date: new Date().toISOString(),
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`,
    command: 'node bench/open-time.mjs --store DIR',
    entities: fromSnapshot.entities,
    relationships: fromSnapshot.relationships,
    fromSnapshot,
    fromRecords,
  };
  console.log(JSON.stringify(report, null, 2));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', `open-time-${report.entities}.json`), JSON.stringify(report, null, 2) + '\n');
}
