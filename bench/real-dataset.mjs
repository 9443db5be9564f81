#!/usr/bin/env node
// Builds the real dataset: the graph that yata-scale's indexer extracts from
// packages installed in node_modules, written as one JSON file that every
// store then loads through bench/lib/datasets.mjs.
//
//   node bench/real-dataset.mjs --out FILE [--quick] [dir ...]
//
// Default trees: node_modules/typescript/lib and node_modules/es-toolkit
// (only es-toolkit with --quick). The file also lists the search words.
// They are words of JSDoc descriptions for which a whole-word match over
// descriptions finds the same entities as yata-scale's full-text query,
// which also reads names, namespaces and paths and stems English. So every
// engine can be checked on them.

import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { createYataScale } from '../dist/index.js';
import { indexDirectory } from '../dist/indexer/index-directory.js';

const MAX_SEARCH_WORDS = 12;
/** Common English stop words, which some full-text engines drop from queries. */
const STOP_WORDS = new Set([
  'about', 'above', 'after', 'again', 'against', 'because', 'before', 'being', 'below', 'between', 'both',
  'could', 'doing', 'during', 'each', 'further', 'having', 'other', 'ought', 'their', 'theirs', 'there',
  'these', 'those', 'through', 'under', 'until', 'where', 'which', 'while', 'would', 'yours', 'should',
]);
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, quick: { type: 'boolean', default: false } },
});
if (!values.out) throw new Error('--out FILE is required');

const trees = positionals.length > 0
  ? positionals
  : values.quick
    ? ['node_modules/es-toolkit']
    : ['node_modules/typescript/lib', 'node_modules/es-toolkit'];

// The indexer keeps one source root per store, and file ids are relative to
// it, so each tree goes into a store of its own and its ids get the tree's
// name as a prefix before the trees are joined.
const entities = [];
const relationships = [];
for (const tree of trees) {
  const extracted = await extract(tree);
  entities.push(...extracted.entities);
  relationships.push(...extracted.relationships);
}

const storePath = mkdtempSync(join(tmpdir(), 'yata-real-'));
const store = createYataScale({ path: storePath, shards: 4 });
await store.initialize();
try {
  for (let start = 0; start < entities.length; start += 10_000) await store.addEntities(entities.slice(start, start + 10_000));
  for (let start = 0; start < relationships.length; start += 20_000) await store.addRelationships(relationships.slice(start, start + 20_000));

  const searchWords = await agreedSearchWords(entities);
  const packages = trees.map(packageOf);
  const label = `real code (${packages.join(' + ')})`;
  mkdirSync(dirname(values.out), { recursive: true });
  writeFileSync(values.out, JSON.stringify({ name: values.quick ? 'real-quick' : 'real', label, trees, packages, searchWords, entities, relationships }));
  console.log(`${label}: ${entities.length} entities, ${relationships.length} relationships, search words: ${searchWords.join(', ')}`);
} finally {
  await store.close();
  rmSync(storePath, { recursive: true, force: true });
}

/** Names the npm package a tree belongs to, with its installed version: `typescript@5.9.3 lib`. */
function packageOf(tree) {
  const match = tree.match(/node_modules\/((?:@[^/]+\/)?[^/]+)(\/.*)?$/);
  if (!match) return tree;
  const { version } = JSON.parse(readFileSync(resolve(root, 'node_modules', match[1], 'package.json'), 'utf8'));
  return `${match[1]}@${version}${match[2] ? ` ${match[2].slice(1)}` : ''}`;
}

/** Indexes `tree` into a temporary store and returns its graph, ids prefixed with the tree's name. */
async function extract(tree) {
  const prefix = `${tree.replace(/^node_modules\//, '').replaceAll('/', '.')}:`;
  const path = mkdtempSync(join(tmpdir(), 'yata-real-tree-'));
  const treeStore = createYataScale({ path, shards: 4 });
  await treeStore.initialize();
  try {
    await indexDirectory(treeStore, resolve(root, tree));
    const entities = [];
    for await (const entity of treeStore.queryStream({}, { sortBy: 'id' })) {
      entities.push({
        id: prefix + entity.id,
        type: entity.type,
        name: entity.name,
        namespace: entity.namespace,
        filePath: entity.filePath,
        line: entity.line,
        description: entity.description,
        metadata: entity.metadata,
      });
    }
    const relationships = [];
    for (const entity of entities) {
      for (const rel of await treeStore.getRelationships(entity.id.slice(prefix.length), 'out')) {
        relationships.push({ id: prefix + rel.id, sourceId: prefix + rel.sourceId, targetId: prefix + rel.targetId, type: rel.type });
      }
    }
    return { entities, relationships };
  } finally {
    await treeStore.close();
    rmSync(path, { recursive: true, force: true });
  }
}

/** Returns whether every match of `pattern` in `text` is also a match of `prose`. */
function onlyAsProse(text, pattern, prose) {
  const all = text.match(new RegExp(pattern.source, 'giu'))?.length ?? 0;
  const plain = text.match(new RegExp(prose.source, 'giu'))?.length ?? 0;
  return all === plain;
}

/**
 * Picks description words, most frequent first, whose whole-word matches
 * over descriptions equal yata-scale's full-text matches.
 */
async function agreedSearchWords(entities) {
  const frequency = new Map();
  for (const entity of entities) {
    for (const word of new Set((entity.description ?? '').toLowerCase().match(/\b[a-z]{5,}\b/g) ?? [])) {
      frequency.set(word, (frequency.get(word) ?? 0) + 1);
    }
  }
  const candidates = [...frequency.entries()]
    .filter(([, count]) => count >= 5)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([word]) => word);

  const words = [];
  for (const word of candidates) {
    if (words.length === MAX_SEARCH_WORDS) break;
    if (STOP_WORDS.has(word)) continue;
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${word}(?![\\p{L}\\p{N}])`, 'iu');
    const prose = new RegExp(`(?<=^| )${word}(?=$| |[.,;:!?)])`, 'iu');
    const matching = entities.filter((entity) => pattern.test(entity.description ?? ''));
    // Engines split text differently around symbols and line breaks (`@returns`,
    // `x.const`, a word after a newline), so only words that every matching
    // description uses as plain prose, between spaces, are kept.
    if (matching.some((entity) => !onlyAsProse(entity.description, pattern, prose))) continue;
    const expected = matching.length;
    const found = await store.query({ textSearch: word, includeRelationships: false }, { limit: 1 });
    if (found.totalCount === expected) words.push(word);
  }
  return words;
}
