#!/usr/bin/env node
// Benchmarks one store on one dataset, in a process of its own so that its
// memory figures are its own. bench/run.mjs starts it; it can also be run by
// hand:
//
//   node bench/lib/peer-process.mjs --peer sqlite --dataset generated:10000 \
//     --reference bench/results/.work/reference.json --out result.json
//
// Steps:
// 1. load into an empty folder, timed and stopped at --load-timeout seconds;
// 2. close, then reopen (timed);
// 3. run the check inputs and compare the results with the reference store's;
// 4. time each query kind whose results agree;
// 5. durable single writes, concurrent reads, size on disk and peak RSS.
// With --write-reference the store draws the query inputs, runs them and
// writes both for the other stores to check against. The harness runs
// yata-scale that way first.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { openDataset } from './datasets.mjs';
import { prng } from './generate.mjs';
import { measure, round } from './stats.mjs';

const { values } = parseArgs({
  options: {
    peer: { type: 'string' },
    dataset: { type: 'string' },
    out: { type: 'string' },
    reference: { type: 'string' },
    'write-reference': { type: 'boolean', default: false },
    samples: { type: 'string', default: '500' },
    checks: { type: 'string', default: '30' },
    writes: { type: 'string', default: '200' },
    'load-timeout': { type: 'string', default: '1800' },
    'kind-budget': { type: 'string', default: '60' },
    commit: { type: 'string', default: 'unknown' },
    workdir: { type: 'string' },
  },
});

const PATH_MAX_DEPTH = 6;
const FILTER_PAGE = 100;
const SEARCH_LIMIT = 20;
const READ_CALLERS = 8;
const KINDS = ['get', 'filter', 'hop1', 'hop2', 'hop3', 'path', 'search'];

const peerModule = (await import(`../peers/${values.peer}.mjs`)).default;
const dataset = openDataset(values.dataset);
const samples = Number(values.samples);
const checkCount = Number(values.checks);
const kindBudgetMs = Number(values['kind-budget']) * 1000;
const workRoot = values.workdir ?? tmpdir();
mkdirSync(workRoot, { recursive: true });
const dir = mkdtempSync(join(workRoot, `bench-${peerModule.name}-`));

const result = {
  peer: peerModule.name,
  label: peerModule.label,
  dataset: dataset.name,
  entities: dataset.size,
  date: new Date().toISOString(),
  commit: values.commit,
};

try {
  await run();
} catch (error) {
  result.status = 'failed';
  result.error = String(error?.stack ?? error);
} finally {
  rmSync(dir, { recursive: true, force: true });
  result.peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  writeFileSync(values.out, JSON.stringify(result, null, 2) + '\n');
}

async function run() {
  let peer = await peerModule.open(dir, { fresh: true });
  result.capabilities = peer.capabilities;

  const load = await loadDataset(peer);
  result.load = load;
  if (load.status !== 'loaded') {
    result.status = load.status;
    await peer.close();
    return;
  }

  if (peer.capabilities.persistent) {
    // Closing finishes what a store defers after a bulk load (yata-scale
    // commits its text index and saves its index snapshot), so it counts
    // as part of the load.
    const closeStarted = performance.now();
    await peer.close();
    const closeSeconds = (performance.now() - closeStarted) / 1000;
    load.closeSeconds = round(closeSeconds, 2);
    load.seconds = round(load.seconds + closeSeconds, 2);
    const started = performance.now();
    peer = await peerModule.open(dir, { fresh: false });
    result.openSeconds = round((performance.now() - started) / 1000, 3);
    if (peer.indexStats) result.indexStats = await peer.indexStats();
  }

  const inputs = values['write-reference'] ? await drawInputs(peer) : JSON.parse(readFileSync(values.reference, 'utf8')).inputs;
  const answers = await answerChecks(peer, inputs);
  if (values['write-reference']) {
    writeFileSync(values.reference, JSON.stringify({ dataset: dataset.name, inputs, answers }) + '\n');
    result.checks = Object.fromEntries(Object.keys(answers).map((kind) => [kind, { status: 'reference' }]));
  } else {
    result.checks = compareAnswers(answers, JSON.parse(readFileSync(values.reference, 'utf8')).answers);
  }

  result.latencyMs = {};
  for (const kind of KINDS) {
    const check = result.checks[kind];
    if (check.status === 'unsupported' || check.status === 'differs') {
      result.latencyMs[kind] = { status: check.status };
      continue;
    }
    result.latencyMs[kind] = await timeKind(peer, kind, inputs[kind]);
  }

  result.writesPerSecond = await timeWrites(peer);
  result.readsPerSecond = await timeConcurrentReads(peer, inputs.get);

  await peer.close();
  result.bytesOnDisk = peer.capabilities.persistent ? directoryBytes(dir) : null;
  result.status = 'done';
}

/** Loads entities, then relationships, checking the time limit between batches. */
async function loadDataset(peer) {
  const limitMs = Number(values['load-timeout']) * 1000;
  const started = performance.now();
  let entities = 0;
  let relationships = 0;
  const over = () => performance.now() - started > limitMs;

  for (const batch of dataset.entityBatches(10_000)) {
    await peer.addEntities(batch);
    entities += batch.length;
    if (over()) return { status: 'load-timeout', entities, relationships, seconds: round((performance.now() - started) / 1000, 1) };
  }
  const entitySeconds = (performance.now() - started) / 1000;

  const relStarted = performance.now();
  for (const batch of dataset.relationshipBatches(20_000)) {
    await peer.addRelationships(batch);
    relationships += batch.length;
    if (over()) return { status: 'load-timeout', entities, relationships, seconds: round((performance.now() - started) / 1000, 1) };
  }
  await peer.finishLoad();
  const relationshipSeconds = (performance.now() - relStarted) / 1000;
  const seconds = (performance.now() - started) / 1000;

  return {
    status: 'loaded',
    entities,
    relationships,
    seconds: round(seconds, 2),
    entitiesPerSecond: Math.round(entities / entitySeconds),
    relationshipsPerSecond: Math.round(relationships / relationshipSeconds),
  };
}

/**
 * Draws the query inputs with a seeded generator. Traversal starts are
 * entities with at least one outgoing relationship, so every traversal does
 * work. Half of the path targets lie within 4 hops of their source, and the
 * other half are drawn at random.
 */
async function drawInputs(peer) {
  const random = prng(0x5eed ^ dataset.size);
  const randomIndex = () => Math.floor(random() * dataset.size);
  const count = Math.max(samples, checkCount);

  const get = Array.from({ length: count }, () => dataset.entityAt(randomIndex()).id);
  const filter = Array.from({ length: count }, () => {
    const entity = dataset.entityAt(randomIndex());
    return [entity.type, entity.namespace];
  });

  const starts = [];
  for (let tries = 0; starts.length < count && tries < count * 50; tries++) {
    const id = dataset.entityAt(randomIndex()).id;
    if ((await peer.neighbors(id, 1)).length > 0) starts.push(id);
  }

  const path = [];
  for (let i = 0; i < count; i++) {
    const from = starts[i % starts.length];
    let to = dataset.entityAt(randomIndex()).id;
    if (i % 2 === 0) {
      const near = (await peer.neighbors(from, 4)).map((entity) => entity.id).sort();
      if (near.length > 0) to = near[Math.floor(random() * near.length)];
    }
    path.push([from, to]);
  }

  const search = Array.from({ length: count }, (_, i) => dataset.searchWords[i % dataset.searchWords.length]);
  return { get, filter, hop1: starts, hop2: starts, hop3: starts, path, search };
}

/** Runs the first `checkCount` inputs of each kind and returns the results in a comparable form. */
async function answerChecks(peer, inputs) {
  const first = (list) => list.slice(0, checkCount);
  const sortedIds = (ids) => [...new Set(ids)].sort();
  const answers = {};

  answers.get = [];
  for (const id of first(inputs.get)) answers.get.push(comparable(await peer.get(id)));

  answers.filter = [];
  for (const [type, namespace] of first(inputs.filter)) {
    const { total, entities } = await peer.filter(type, namespace, FILTER_PAGE);
    // A page of a larger result may hold any of the matches, so it is checked
    // by size and by every entity matching the filter.
    const allMatch = entities.every((entity) => entity.type === type && entity.namespace === namespace);
    answers.filter.push({
      total,
      size: entities.length,
      allMatch,
      ids: total <= FILTER_PAGE ? sortedIds(entities.map((entity) => entity.id)) : null,
    });
  }

  for (const [kind, depth] of [['hop1', 1], ['hop2', 2], ['hop3', 3]]) {
    answers[kind] = [];
    for (const id of first(inputs[kind])) {
      answers[kind].push(sortedIds((await peer.neighbors(id, depth)).map((entity) => entity.id)));
    }
  }

  answers.path = [];
  for (const [from, to] of first(inputs.path)) answers.path.push(await peer.path(from, to, PATH_MAX_DEPTH));

  if (peer.capabilities.search) {
    answers.search = [];
    const words = [...new Set(inputs.search)];
    for (const text of words) {
      // The timed call returns the best 20 by each store's own ranking, so
      // its check is the count and that every hit contains every word.
      const hits = await peer.search(text, SEARCH_LIMIT);
      const patterns = text.split(/\s+/).map((word) => new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(word)}(?![\\p{L}\\p{N}])`, 'iu'));
      const allMatch = hits.every((hit) => patterns.every((pattern) => pattern.test(hit.description ?? '')));
      answers.search.push({ text, count: await peer.searchCount(text), top: hits.length, allMatch });
    }
  } else {
    answers.search = 'unsupported';
  }
  return answers;
}

/** Compares each kind's results with the reference's and keeps the first differences. */
function compareAnswers(answers, reference) {
  const checks = {};
  for (const kind of KINDS) {
    if (answers[kind] === 'unsupported') {
      checks[kind] = { status: 'unsupported' };
      continue;
    }
    const differences = [];
    answers[kind].forEach((answer, i) => {
      const expected = reference[kind][i];
      if (JSON.stringify(answer) !== JSON.stringify(expected)) {
        differences.push({ input: i, expected: summarize(expected), got: summarize(answer) });
      }
    });
    checks[kind] = differences.length === 0
      ? { status: 'agrees', inputs: answers[kind].length }
      : { status: 'differs', inputs: answers[kind].length, differing: differences.length, first: differences.slice(0, 3) };
  }
  return checks;
}

/** Keeps the stored fields every store returns, in one key order, for comparison. */
function comparable(entity) {
  if (entity === null || entity === undefined) return null;
  return {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    namespace: entity.namespace,
    filePath: entity.filePath ?? null,
    line: entity.line ?? null,
    description: entity.description ?? null,
    metadata: sortedKeys(entity.metadata ?? {}),
  };
}

function sortedKeys(value) {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortedKeys(value[key])]));
}

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function summarize(answer) {
  if (Array.isArray(answer)) return answer.length > 8 ? `${answer.length} ids: ${answer.slice(0, 8).join(', ')}, …` : answer;
  return answer;
}

/** Times one query kind over its inputs, stopping early when the kind's time budget runs out. */
async function timeKind(peer, kind, list) {
  const call = {
    get: (id) => peer.get(id),
    filter: ([type, namespace]) => peer.filter(type, namespace, FILTER_PAGE),
    hop1: (id) => peer.neighbors(id, 1),
    hop2: (id) => peer.neighbors(id, 2),
    hop3: (id) => peer.neighbors(id, 3),
    path: ([from, to]) => peer.path(from, to, PATH_MAX_DEPTH),
    search: (text) => peer.search(text, SEARCH_LIMIT),
  }[kind];

  for (const input of list.slice(0, Math.min(3, list.length))) await call(input);
  const started = performance.now();
  let n = Math.min(samples, list.length);
  // Learn the cost from a few calls, then cap the sample count to the budget.
  const probe = Math.min(n, 5);
  for (let i = 0; i < probe; i++) await call(list[i]);
  const perCall = (performance.now() - started) / probe;
  if (perCall * n > kindBudgetMs) n = Math.max(probe, Math.floor(kindBudgetMs / perCall));
  const figures = await measure(n, (i) => call(list[i % list.length]));
  return { status: 'timed', ...figures, capped: n < Math.min(samples, list.length) };
}

async function timeWrites(peer) {
  const count = Number(values.writes);
  const template = dataset.entityAt(0);
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    await peer.writeOne({ ...template, id: `bench-write-${i}`, name: `benchWrite${i}`, description: undefined });
  }
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** Gets by id with READ_CALLERS calls in flight at any time. */
async function timeConcurrentReads(peer, ids) {
  const total = Math.max(2_000, samples * 4);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: READ_CALLERS }, async () => {
      while (next < total) {
        const id = ids[next++ % ids.length];
        await peer.get(id);
      }
    }),
  );
  return Math.round(total / ((performance.now() - started) / 1000));
}

function directoryBytes(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.size;
  return readdirSync(path).reduce((sum, name) => sum + directoryBytes(join(path, name)), 0);
}
