// Checks that every store, yata-scale included, returns the results that
// the generated graph implies.
//
// Loads the generator's graph into every peer in a fresh temporary
// directory, closes and reopens each persistent peer, then runs the same
// inputs of every query kind on all of them and compares each result with a
// reference computed in memory straight from the generator. Prints load
// rates, one table of matching results per query kind and peer, and the
// first mismatches. Exits with code 1 when any result differs.
//
//   node bench/peers/selfcheck.mjs [--entities 5000] [--peers yata-local,sqlite] [--inputs 20]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { entityBatches, entityId, JAPANESE_DESCRIPTIONS, makeEntity, prng, relationshipBatches } from '../lib/generate.mjs';

const PEER_NAMES = ['yata-scale', 'yata-local', 'kuzu', 'sqlite', 'graphology'];
const SEARCH_TEXTS = [...JAPANESE_DESCRIPTIONS, 'module'];
const ENTITY_BATCH = 10_000;
const RELATIONSHIP_BATCH = 20_000;
const FILTER_LIMIT = 1000;
const SMALL_LIMIT = 3;
const PATH_MAX_DEPTH = 6;
const MISSING_ID = 'ent-missing';
const MAX_MISMATCHES_SHOWN = 10;

const { values } = parseArgs({
  options: {
    entities: { type: 'string', default: '5000' },
    peers: { type: 'string', default: PEER_NAMES.join(',') },
    inputs: { type: 'string', default: '20' },
    seed: { type: 'string', default: '42' },
  },
});
const count = Number(values.entities);
const inputCount = Number(values.inputs);
const seed = Number(values.seed);
const peerNames = values.peers.split(',').filter(Boolean);
for (const [name, value] of [['--entities', count], ['--inputs', inputCount]]) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid ${name} ${value}: expected a positive integer`);
}
for (const name of peerNames) {
  if (!PEER_NAMES.includes(name)) throw new Error(`unknown peer '${name}': expected one of ${PEER_NAMES.join(', ')}`);
}

// ---------------------------------------------------------------------------
// Reference results, computed from the generated graph held in memory.

function buildReference() {
  const entities = new Map();
  const outgoing = new Map();
  let relationshipCount = 0;
  for (const batch of entityBatches(seed, count, ENTITY_BATCH)) {
    for (const entity of batch) entities.set(entity.id, entity);
  }
  for (const batch of relationshipBatches(seed, count, RELATIONSHIP_BATCH)) {
    for (const r of batch) {
      if (!outgoing.has(r.sourceId)) outgoing.set(r.sourceId, new Set());
      outgoing.get(r.sourceId).add(r.targetId);
      relationshipCount++;
    }
  }

  const reach = (id, depth) => {
    const seen = new Set([id]);
    let frontier = [id];
    for (let hop = 0; hop < depth && frontier.length > 0; hop++) {
      const next = [];
      for (const node of frontier) {
        for (const target of outgoing.get(node) ?? []) {
          if (!seen.has(target)) {
            seen.add(target);
            next.push(target);
          }
        }
      }
      frontier = next;
    }
    seen.delete(id);
    return [...seen];
  };

  const hops = (from, to, maxDepth) => {
    if (from === to) return 0;
    const seen = new Set([from]);
    let frontier = [from];
    for (let hop = 1; hop <= maxDepth && frontier.length > 0; hop++) {
      const next = [];
      for (const node of frontier) {
        for (const target of outgoing.get(node) ?? []) {
          if (target === to) return hop;
          if (!seen.has(target)) {
            seen.add(target);
            next.push(target);
          }
        }
      }
      frontier = next;
    }
    return null;
  };

  const wordsOf = (text) => new Set(text.toLowerCase().split(/[^\p{L}\p{N}_]+/u).filter(Boolean));
  const matches = (text) => {
    const required = [...wordsOf(text)];
    const ids = [];
    for (const entity of entities.values()) {
      if (entity.description === undefined) continue;
      const words = wordsOf(entity.description);
      if (required.every((word) => words.has(word))) ids.push(entity.id);
    }
    return ids;
  };

  const filter = (type, namespace) => {
    const ids = [];
    for (const entity of entities.values()) if (entity.type === type && entity.namespace === namespace) ids.push(entity.id);
    return ids;
  };

  return { entities, relationshipCount, reach, hops, matches, filter };
}

// ---------------------------------------------------------------------------
// Inputs, drawn with a seeded PRNG so every run uses the same ones.

function buildInputs(reference) {
  const random = prng(seed ^ 0x5e1f);
  const randomId = () => entityId(Math.floor(random() * count));
  const fileId = () => entityId(Math.floor((random() * count) / 26) * 26);
  const ids = (n) => Array.from({ length: n }, (_, i) => (i % 4 === 0 ? fileId() : randomId()));

  const get = [...ids(inputCount - 1), MISSING_ID];
  const filter = ids(inputCount).map((id) => {
    const entity = reference.entities.get(id);
    return [entity.type, entity.namespace];
  });
  filter[filter.length - 1] = ['class', 'no.such.namespace'];
  const neighbors = [1, 2, 3].map((depth) => ids(inputCount).map((id) => [id, depth]));

  // A quarter of the path targets are random entities, which are mostly out
  // of reach. The others are drawn from the source's 2- to 5-hop
  // neighbourhood or from the most-called methods of the first files, so
  // that most inputs have a hop count as their result.
  const files = Math.ceil(count / 26);
  const popularId = () => entityId(Math.min(count - 1, Math.floor(random() * Math.max(1, files / 100)) * 26 + 2 + Math.floor(random() * 6)));
  const path = [];
  for (let i = 0; i < inputCount; i++) {
    const from = randomId();
    let to = i % 4 === 3 ? randomId() : popularId();
    if (i % 2 === 0) {
      const near = reference.reach(from, 2 + (i % 4));
      if (near.length > 0) to = near[Math.floor(random() * near.length)];
    }
    path.push([from, i === inputCount - 1 ? from : to, PATH_MAX_DEPTH]);
  }
  return { get, filter, neighbors, path };
}

// ---------------------------------------------------------------------------
// Loading and reopening.

const formatRate = (n, ms) => (ms > 0 ? Math.round((n * 1000) / ms).toLocaleString('en-US') : '-');
const formatSeconds = (ms) => (ms / 1000).toFixed(2);

async function loadPeer(name) {
  const module = (await import(`./${name}.mjs`)).default;
  const dir = mkdtempSync(join(tmpdir(), `yata-selfcheck-${name}-`));
  const timing = { entitiesMs: 0, relationshipsMs: 0, finishMs: 0, reopenMs: 0, bytes: 0 };
  let peer;
  try {
    peer = await module.open(dir, { fresh: true });
    for (const batch of entityBatches(seed, count, ENTITY_BATCH)) {
      const start = performance.now();
      await peer.addEntities(batch);
      timing.entitiesMs += performance.now() - start;
    }
    for (const batch of relationshipBatches(seed, count, RELATIONSHIP_BATCH)) {
      const start = performance.now();
      await peer.addRelationships(batch);
      timing.relationshipsMs += performance.now() - start;
    }
    let start = performance.now();
    await peer.finishLoad();
    timing.finishMs = performance.now() - start;
    if (peer.capabilities.persistent) {
      await peer.close();
      start = performance.now();
      peer = await module.open(dir, { fresh: false });
      timing.reopenMs = performance.now() - start;
      timing.bytes = await peer.bytesOnDisk();
    }
    return { name, label: module.label, dir, peer, timing };
  } catch (error) {
    await peer?.close().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    return { name, label: module.label, error };
  }
}

// ---------------------------------------------------------------------------
// Comparison.

const sorted = (ids) => [...ids].sort();
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function buildChecks(reference, inputs) {
  const checks = [];
  const add = (kind, args, run, expected, normalise = (x) => x, supported = () => true) =>
    checks.push({ kind, args, run, expected, normalise, supported });

  for (const id of inputs.get) {
    const entity = reference.entities.get(id);
    add('get', [id], (p) => p.get(id), entity ? { id, name: entity.name } : null, (r) => (r ? { id: r.id, name: r.name } : null));
  }
  for (const [type, namespace] of inputs.filter) {
    const ids = reference.filter(type, namespace);
    add(`filter`, [type, namespace], (p) => p.filter(type, namespace, FILTER_LIMIT), { total: ids.length, ids: sorted(ids) }, (r) => ({
      total: r.total,
      ids: sorted(r.entities.map((entity) => entity.id)),
    }));
    // A small limit must cut the list to that many of the matching ids, in
    // whatever order the store keeps them.
    const matching = new Set(ids);
    add(`filter limit ${SMALL_LIMIT}`, [type, namespace], (p) => p.filter(type, namespace, SMALL_LIMIT), true, (r) =>
      r.total === ids.length &&
      r.entities.length === Math.min(SMALL_LIMIT, ids.length) &&
      r.entities.every((entity) => matching.has(entity.id)),
    );
  }
  for (const group of inputs.neighbors) {
    for (const [id, depth] of group) {
      add(`neighbors depth ${depth}`, [id, depth], (p) => p.neighbors(id, depth), sorted(reference.reach(id, depth)), (r) => sorted(r.map((entity) => entity.id)));
    }
  }
  for (const [from, to, maxDepth] of inputs.path) {
    add(`path maxDepth ${maxDepth}`, [from, to, maxDepth], (p) => p.path(from, to, maxDepth), reference.hops(from, to, maxDepth));
  }
  const searchable = (p) => p.capabilities.search;
  for (const text of SEARCH_TEXTS) {
    const ids = reference.matches(text);
    add('searchCount', [text], (p) => p.searchCount(text), ids.length, (x) => x, searchable);
    add('search (all)', [text], (p) => p.search(text, ids.length + 10), sorted(ids), (r) => sorted(r.map((entity) => entity.id)), searchable);
  }
  return checks;
}

async function runChecks(loaded, checks) {
  const table = new Map();
  const mismatches = [];
  for (const check of checks) {
    if (!table.has(check.kind)) table.set(check.kind, new Map());
    const row = table.get(check.kind);
    for (const { name, peer } of loaded) {
      const cell = row.get(name) ?? { ok: 0, total: 0, ms: 0, skipped: false };
      row.set(name, cell);
      if (!check.supported(peer)) {
        cell.skipped = true;
        continue;
      }
      cell.total++;
      const start = performance.now();
      let actual;
      try {
        actual = check.normalise(await check.run(peer));
      } catch (error) {
        actual = `error: ${error.message}`;
      }
      cell.ms += performance.now() - start;
      if (same(actual, check.expected)) cell.ok++;
      else mismatches.push({ name, kind: check.kind, args: check.args, expected: check.expected, actual });
    }
  }
  return { table, mismatches };
}

/** Writes one new entity, then checks that get and searchCount see it before and after a reopen. */
async function checkWriteOne(entry, reference) {
  const { peer } = entry;
  const entity = { ...makeEntity(seed, count), id: 'ent-selfcheck-write', description: 'module written by selfcheck' };
  const moduleCount = reference.matches('module').length;
  const expectedSearch = moduleCount + 1;
  const problems = [];
  const verify = async (when) => {
    const got = await entry.peer.get(entity.id);
    if (got?.name !== entity.name) problems.push(`get after ${when} returned ${JSON.stringify(got)}`);
    if (entry.peer.capabilities.search) {
      const found = await entry.peer.searchCount('module');
      if (found !== expectedSearch) problems.push(`searchCount('module') after ${when} returned ${found}, expected ${expectedSearch}`);
    }
  };
  try {
    await peer.writeOne(entity);
    await verify('writeOne');
    if (peer.capabilities.persistent) {
      await peer.close();
      entry.peer = await (await import(`./${entry.name}.mjs`)).default.open(entry.dir, { fresh: false });
      await verify('reopen');
    }
  } catch (error) {
    problems.push(`error: ${error.message}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------
// Output.

function printTable(headers, rows) {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => String(row[i]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ');
  console.log(line(headers));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log();
}

async function main() {
  console.log(`selfcheck: ${count.toLocaleString('en-US')} entities, seed ${seed}, ${inputCount} inputs per kind\n`);
  const reference = buildReference();
  const inputs = buildInputs(reference);

  const loaded = [];
  const loadRows = [];
  for (const name of peerNames) {
    const entry = await loadPeer(name);
    if (entry.error) {
      console.log(`${name}: not checked: ${entry.error.message}\n`);
      continue;
    }
    loaded.push(entry);
    const t = entry.timing;
    loadRows.push([
      name,
      formatSeconds(t.entitiesMs),
      formatRate(count, t.entitiesMs),
      formatSeconds(t.relationshipsMs),
      formatRate(reference.relationshipCount, t.relationshipsMs),
      formatSeconds(t.finishMs),
      formatSeconds(t.entitiesMs + t.relationshipsMs + t.finishMs),
      entry.peer.capabilities.persistent ? formatSeconds(t.reopenMs) : 'n/a',
      entry.peer.capabilities.persistent ? (t.bytes / 2 ** 20).toFixed(1) : 'n/a',
    ]);
  }
  console.log(`load: ${count.toLocaleString('en-US')} entities, ${reference.relationshipCount.toLocaleString('en-US')} relationships`);
  printTable(['peer', 'entities s', 'entities/s', 'rels s', 'rels/s', 'finish s', 'load s', 'reopen s', 'MiB on disk'], loadRows);
  for (const entry of loaded) console.log(`${entry.label}: ${entry.peer.capabilities.notes}`);
  console.log();

  const { table, mismatches } = await runChecks(loaded, buildChecks(reference, inputs));
  const names = loaded.map((entry) => entry.name);
  const rows = [...table].map(([kind, row]) => [
    kind,
    ...names.map((name) => {
      const cell = row.get(name);
      return cell.skipped ? 'no index' : `${cell.ok}/${cell.total} ${cell.ms.toFixed(0)}ms`;
    }),
  ]);

  const writeProblems = [];
  const writeRow = ['writeOne + reopen'];
  for (const entry of loaded) {
    const problems = await checkWriteOne(entry, reference);
    writeRow.push(problems.length === 0 ? 'ok' : 'FAIL');
    for (const problem of problems) writeProblems.push(`${entry.name}: writeOne: ${problem}`);
  }
  rows.push(writeRow);

  console.log('results matching the reference (matching/run, total query time):');
  printTable(['query', ...names], rows);

  for (const m of mismatches.slice(0, MAX_MISMATCHES_SHOWN)) {
    const show = (value) => JSON.stringify(value).slice(0, 200);
    console.log(`MISMATCH ${m.name} ${m.kind}(${m.args.join(', ')}): expected ${show(m.expected)}, got ${show(m.actual)}`);
  }
  if (mismatches.length > MAX_MISMATCHES_SHOWN) console.log(`... and ${mismatches.length - MAX_MISMATCHES_SHOWN} more mismatches`);
  for (const problem of writeProblems) console.log(`FAIL ${problem}`);

  for (const entry of loaded) {
    await entry.peer.close();
    rmSync(entry.dir, { recursive: true, force: true });
  }
  const failed = mismatches.length + writeProblems.length;
  console.log(failed === 0 ? 'all peers agree with the reference' : `${failed} results differ`);
  process.exitCode = failed === 0 ? 0 : 1;
}

await main();
