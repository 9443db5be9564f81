#!/usr/bin/env node
// Runs the Rust criterion benches of the engine and collects their mean
// times into one JSON file for bench/render.mjs.
//
//   node bench/criterion.mjs --out bench/results/full/criterion.json [--bench NAME ...]
//
// Criterion keeps its own reports in target/criterion/<group>/<case>/new/;
// this script reads `benchmark.json` (the case's full id) and
// `estimates.json` (mean and its confidence interval) from each.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { out: { type: 'string' }, bench: { type: 'string', multiple: true } } });
if (!values.out) throw new Error('--out FILE is required');

// `--benches` keeps the library's unit-test harness, which rejects criterion's
// options, out of the run.
const targets = values.bench ? values.bench.flatMap((name) => ['--bench', name]) : ['--benches'];
const args = ['bench', '-p', 'yata-core', ...targets, '--', '--warm-up-time', '1', '--measurement-time', '3'];
const started = Date.now();
const cargo = spawnSync('cargo', args, { cwd: root, stdio: 'inherit' });
if (cargo.status !== 0) throw new Error(`cargo ${args.join(' ')} failed with ${cargo.status ?? cargo.signal}`);

const reports = [];
const criterionDir = join(process.env.CARGO_TARGET_DIR ?? join(root, 'target'), 'criterion');
for (const file of walk(criterionDir)) {
  if (!file.endsWith(join('new', 'benchmark.json'))) continue;
  const estimates = join(dirname(file), 'estimates.json');
  // Reports of benches that no longer exist stay on disk; keep this run's only.
  if (!existsSync(estimates) || statSync(estimates).mtimeMs < started) continue;
  const benchmark = JSON.parse(readFileSync(file, 'utf8'));
  const { mean } = JSON.parse(readFileSync(estimates, 'utf8'));
  reports.push({
    group: benchmark.group_id,
    case: [benchmark.function_id, benchmark.value_str].filter(Boolean).join('/'),
    meanNs: mean.point_estimate,
    lowNs: mean.confidence_interval.lower_bound,
    highNs: mean.confidence_interval.upper_bound,
    throughput: benchmark.throughput ?? null,
  });
}
reports.sort((a, b) => (a.group + a.case < b.group + b.case ? -1 : 1));
writeFileSync(values.out, JSON.stringify({ date: new Date().toISOString(), command: `cargo ${args.join(' ')}`, reports }, null, 2) + '\n');
console.log(`criterion: ${reports.length} cases written to ${values.out}`);

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* walk(path);
    else yield path;
  }
}
