#!/usr/bin/env node
// Runs the comparison benchmarks: every store on every dataset, then the
// shard-count and thread-count scaling of yata-scale, then (full runs) the
// Rust criterion benches, and renders the report.
//
//   npm run bench          full run: 10k, 100k and 1M generated entities, the
//                          real dataset, scaling at 100k, criterion; writes
//                          bench/results/full/ and BENCHMARKS.md
//   npm run bench:quick    reduced run (10k entities, fewer samples) in about
//                          two minutes; writes bench/results/quick/ and
//                          bench/results/quick/BENCHMARKS.md
//
// Options: --sizes 10000,100000  --peers yata-scale,sqlite  --no-real
//          --no-scaling  --no-criterion  --load-timeout SECONDS
//          --resume keep each finished store result of an interrupted run
//                   (and its dataset's reference results) instead of
//                   running that store again
//          --check  exit with an error when a store failed or returned
//                   results that differ from yata-scale's (the CI smoke check; it
//                   never looks at times)
//
// Each store runs in a child process (bench/lib/peer-process.mjs). yata-scale
// runs first on each dataset: it draws the query inputs and records its
// results, and every other store must return the same results for the same
// inputs before its timings count.

import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    sizes: { type: 'string' },
    peers: { type: 'string' },
    'no-real': { type: 'boolean', default: false },
    'no-scaling': { type: 'boolean', default: false },
    'no-criterion': { type: 'boolean', default: false },
    'load-timeout': { type: 'string' },
    check: { type: 'boolean', default: false },
    resume: { type: 'boolean', default: false },
  },
});

// lbug, the maintained fork of Kuzu, runs with `--peers` where its binary
// loads (it needs glibc 2.38); Kuzu 0.11.3 is compared by default.
const DEFAULT_PEERS = ['yata-scale', 'yata-local', 'kuzu', 'sqlite', 'graphology'];
const ALL_PEERS = [...DEFAULT_PEERS, 'lbug'];
const quick = values.quick;
const mode = quick ? 'quick' : 'full';
const settings = quick
  ? { sizes: [10_000], samples: 100, checks: 20, writes: 50, loadTimeout: 300, kindBudget: 5, scalingSize: 10_000, shardCounts: [1, 4] }
  : { sizes: [10_000, 100_000, 1_000_000], samples: 500, checks: 30, writes: 200, loadTimeout: 1800, kindBudget: 60, scalingSize: 100_000, shardCounts: [1, 2, 4, 8] };
const sizes = values.sizes ? values.sizes.split(',').map(Number) : settings.sizes;
const peers = values.peers ? values.peers.split(',') : DEFAULT_PEERS;
const loadTimeout = Number(values['load-timeout'] ?? settings.loadTimeout);
const resultsDir = join(root, 'bench', 'results', mode);
const workDir = join(root, 'bench', 'results', '.work');

for (const peer of peers) {
  if (!ALL_PEERS.includes(peer)) throw new Error(`unknown peer '${peer}': choose from ${ALL_PEERS.join(', ')}`);
}
if (!existsSync(join(root, 'dist', 'index.js'))) {
  throw new Error('dist/index.js is missing: run `npm install` (or `npm run build`) before benchmarking');
}
const commit = gitCommit();
// A fresh run starts from an empty results folder, so the report never
// mixes in results of an earlier run with other stores, sizes or code.
if (!values.resume) rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });
mkdirSync(workDir, { recursive: true });

if (peers.some((peer) => peer !== 'yata-scale')) {
  run(process.execPath, [join(root, 'bench', 'peers', 'install.mjs')], {});
}

const started = Date.now();
/** Failed stores and differing results, for --check. */
const problems = [];
const datasets = sizes.map((size) => ({ spec: `generated:${size}`, name: `generated-${size}` }));
if (!values['no-real']) {
  const realFile = join(workDir, quick ? 'real-quick.json' : 'real.json');
  if (!(values.resume && existsSync(realFile))) {
    run(process.execPath, [join(root, 'bench', 'real-dataset.mjs'), '--out', realFile, ...(quick ? ['--quick'] : [])], {});
  }
  datasets.push({ spec: `file:${realFile}`, name: JSON.parse(readFileSync(realFile, 'utf8')).name });
}

for (const dataset of datasets) {
  const reference = join(workDir, `${dataset.name}.reference.json`);
  if (!values.resume) rmSync(reference, { force: true });
  for (const peer of ['yata-scale', ...peers.filter((peer) => peer !== 'yata-scale')]) {
    runPeer(peer, dataset, reference, join(resultsDir, dataset.name, `${peer}.json`), {});
  }
}

if (!values['no-scaling']) {
  const dataset = { spec: `generated:${settings.scalingSize}`, name: `generated-${settings.scalingSize}` };
  const reference = join(workDir, `${dataset.name}.reference.json`);
  if (!existsSync(reference)) runPeer('yata-scale', dataset, reference, join(resultsDir, dataset.name, 'yata-scale.json'), {});
  const scalingDir = join(resultsDir, 'scaling');
  for (const shards of settings.shardCounts) {
    runPeer('yata-scale', dataset, reference, join(scalingDir, `shards-${shards}.json`), { YATA_BENCH_SHARDS: String(shards) }, false);
  }
  const threads = [1, cpus().length].filter((n, i, all) => all.indexOf(n) === i);
  for (const count of threads) {
    runPeer('yata-scale', dataset, reference, join(scalingDir, `threads-${count}.json`), { RAYON_NUM_THREADS: String(count) }, false);
  }
}

const criterionFile = join(resultsDir, 'criterion.json');
if (!quick && !values['no-criterion'] && !(values.resume && existsSync(criterionFile))) {
  run(process.execPath, [join(root, 'bench', 'criterion.mjs'), '--out', criterionFile], {});
}

writeFileSync(
  join(resultsDir, 'run.json'),
  JSON.stringify(
    {
      date: new Date().toISOString(),
      command: quick ? 'npm run bench:quick' : 'npm run bench',
      arguments: process.argv.slice(2).filter((argument) => argument !== '--quick'),
      machine: machine(),
      commit,
      minutes: Math.round((Date.now() - started) / 600) / 100,
    },
    null,
    2,
  ) + '\n',
);

run(process.execPath, [join(root, 'bench', 'render.mjs'), '--mode', mode], {});

if (values.check && problems.length > 0) {
  console.error(`\nbench check failed:\n${problems.map((problem) => `- ${problem}`).join('\n')}`);
  process.exit(1);
}

function runPeer(peer, dataset, reference, out, env, writeReference = peer === 'yata-scale' && !existsSync(reference)) {
  if (values.resume && existsSync(out) && existsSync(reference)) {
    const previous = JSON.parse(readFileSync(out, 'utf8'));
    if (previous.status === 'done' && previous.commit === commit) {
      console.log(`\n▶ ${peer} on ${dataset.name}: kept from the interrupted run`);
      return;
    }
  }
  mkdirSync(dirname(out), { recursive: true });
  rmSync(out, { force: true });
  const args = [
    '--max-old-space-size=20000',
    join(root, 'bench', 'lib', 'peer-process.mjs'),
    '--peer', peer,
    '--dataset', dataset.spec,
    '--reference', reference,
    '--out', out,
    '--samples', String(settings.samples),
    '--checks', String(settings.checks),
    '--writes', String(settings.writes),
    '--load-timeout', String(loadTimeout),
    '--kind-budget', String(settings.kindBudget),
    '--workdir', workDir,
    '--commit', commit,
    ...(writeReference ? ['--write-reference'] : []),
  ];

  const label = `${peer} on ${dataset.name}${Object.keys(env).length ? ` (${Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' ')})` : ''}`;
  console.log(`\n▶ ${label}`);

  const child = spawnSync(process.execPath, args, {
    stdio: 'inherit',
    env: { ...process.env, ...env },
    timeout: (loadTimeout + 3600) * 1000,
  });
  if (!existsSync(out)) {
    const reason = child.error ? String(child.error) : `exited with ${child.status ?? child.signal}`;
    writeFileSync(out, JSON.stringify({ peer, dataset: dataset.name, status: 'failed', error: reason }, null, 2) + '\n');
  }
  const result = JSON.parse(readFileSync(out, 'utf8'));
  console.log(summarize(result));
  if (result.status !== 'done') problems.push(`${label}: ${result.status}${result.error ? ` (${result.error.split('\n')[0]})` : ''}`);
  for (const [kind, check] of Object.entries(result.checks ?? {})) {
    if (check.status === 'differs') problems.push(`${label}: ${kind} answers differ from yata-scale's`);
  }
  if (writeReference && result.status !== 'done') {
    throw new Error(`yata-scale did not finish on ${dataset.name}, so the other stores have no results to be checked against: ${result.error ?? result.status}`);
  }
}

function summarize(result) {
  if (result.status !== 'done') return `  ${result.status}${result.error ? `: ${result.error.split('\n')[0]}` : ''}`;
  const p99 = Object.entries(result.latencyMs)
    .map(([kind, figures]) => `${kind} ${figures.status === 'timed' ? figures.p99 : figures.status}`)
    .join(' · ');
  const differing = Object.entries(result.checks).filter(([, check]) => check.status === 'differs').map(([kind]) => kind);
  const open = result.openSeconds === undefined ? 'n/a' : `${result.openSeconds}s`;
  return `  load ${result.load.seconds}s · open ${open} · p99 ms: ${p99}${differing.length ? ` · ANSWERS DIFFER: ${differing.join(', ')}` : ''}`;
}

function run(command, args, env) {
  const child = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (child.status !== 0) throw new Error(`${[command, ...args].join(' ')} failed with ${child.status ?? child.signal}`);
}

function machine() {
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  return `${cpus().length} × ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, ${process.platform} ${process.arch}, Node ${process.version}`;
}

function gitCommit() {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
    // Results and the report are this script's output, not code.
    const changed = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', '.', ':!bench/results', ':!BENCHMARKS.md'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    return changed === '' ? head : `${head} with uncommitted changes`;
  } catch {
    return 'unknown';
  }
}
