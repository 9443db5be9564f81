// The datasets every store is benchmarked on: generated code graphs of a
// given size, and the graph yata-scale's indexer extracted from real
// packages (written by bench/real-dataset.mjs).
//
// A dataset yields its entities and relationships in batches, gives random
// access to entity `i` (to draw query inputs), and names the words on whose
// full-text matches every engine agrees.

import { readFileSync } from 'node:fs';

import { JAPANESE_DESCRIPTIONS, entityBatches, makeEntity, relationshipBatches } from './generate.mjs';

export const DEFAULT_SEED = 42;

/**
 * @param {number} count entities
 * @param {number} seed
 */
export function generatedDataset(count, seed = DEFAULT_SEED) {
  return {
    name: `generated-${count}`,
    label: `generated, ${count.toLocaleString('en-US')} entities`,
    size: count,
    entityBatches: (batchSize) => entityBatches(seed, count, batchSize),
    relationshipBatches: (batchSize) => relationshipBatches(seed, count, batchSize),
    entityAt: (index) => makeEntity(seed, index),
    // Whole descriptions in Japanese, and an English word that occurs only
    // in descriptions: every engine's tokenizer gives the same matches.
    searchWords: [...JAPANESE_DESCRIPTIONS, 'module'],
  };
}

/**
 * Opens a dataset from a JSON file of `{ entities, relationships, searchWords }`.
 * @param {string} file
 */
export function fileDataset(file) {
  const data = JSON.parse(readFileSync(file, 'utf8'));
  const batches = (items) =>
    function* (batchSize) {
      for (let start = 0; start < items.length; start += batchSize) yield items.slice(start, start + batchSize);
    };
  return {
    name: data.name,
    label: data.label,
    size: data.entities.length,
    entityBatches: batches(data.entities),
    relationshipBatches: batches(data.relationships),
    entityAt: (index) => data.entities[index],
    searchWords: data.searchWords,
  };
}

/** Opens a dataset from its command-line spec: `generated:<count>` or `file:<path>`. */
export function openDataset(spec) {
  const [kind, value] = [spec.slice(0, spec.indexOf(':')), spec.slice(spec.indexOf(':') + 1)];
  if (kind === 'generated') return generatedDataset(Number(value));
  if (kind === 'file') return fileDataset(value);
  throw new Error(`unknown dataset '${spec}': use generated:<count> or file:<path>`);
}
