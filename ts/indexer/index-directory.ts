/**
 * Indexes a directory of TypeScript and JavaScript sources into a store.
 *
 * Pipeline: list files → skip the ones whose content hash matches the stored
 * file entity → extract each changed file → delete entities the file no
 * longer declares → write the file's entities (replacing by id, which keeps
 * relationships from other files) → replace the outgoing relationships of
 * every changed file → mark each file done by storing its content hash.
 *
 * Ids derive from the file path and qualified name, so re-indexing a changed
 * file keeps the ids of declarations it still has, and relationships that
 * other files point at them survive.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import type { YataScale } from '../store.js';
import type { EntityInput, RelationshipInput } from '../types.js';
import { extractFile } from './extract.js';
import { listSourceFiles } from './files.js';
import { fileId } from './ids.js';
import type { ExtractedEntity, ExtractedRelationship } from './types.js';

export interface IndexProgress {
  /** Files examined so far. */
  done: number;
  total: number;
  file: string;
}

export interface IndexOptions {
  /** Called after each file is examined. */
  onProgress?: (progress: IndexProgress) => void;
  /** Entities per write batch. Defaults to 5,000. */
  batchSize?: number;
}

export interface IndexSummary {
  root: string;
  /** Source files found under the root. */
  files: number;
  /** Files extracted because they are new or changed. */
  changedFiles: number;
  /** Files skipped because their content hash is unchanged. */
  unchangedFiles: number;
  /** Files indexed earlier under this root that no longer exist. */
  removedFiles: number;
  /** Entities written. */
  entities: number;
  /** Relationships written. */
  relationships: number;
  /** Relationships dropped because their target is not in the store. */
  unresolvedRelationships: number;
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 5_000;
/** Metadata key of a file entity holding the absolute root it was indexed under. */
const ROOT_KEY = 'indexRoot';

export async function indexDirectory(store: YataScale, rootDir: string, options: IndexOptions = {}): Promise<IndexSummary> {
  const started = performance.now();
  const root = resolve(rootDir);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const files = listSourceFiles(root);
  const knownFiles = new Set(files);

  const stored = await store.getEntities(files.map(fileId));
  const changed: { relPath: string; text: string }[] = [];
  for (const [i, relPath] of files.entries()) {
    const text = readFileSync(resolve(root, relPath), 'utf8');
    const previous = stored[i];
    if (previous === null || previous === undefined || previous.metadata['contentHash'] !== hashOf(text)) {
      changed.push({ relPath, text });
    }
  }

  const removedFiles = await removeVanishedFiles(store, root, knownFiles);

  const entities: ExtractedEntity[] = [];
  const relationships: ExtractedRelationship[] = [];
  const fileEntities: ExtractedEntity[] = [];
  let examined = files.length - changed.length;
  for (const { relPath, text } of changed) {
    const graph = extractFile(relPath, text, knownFiles);
    for (const entity of graph.entities) {
      if (entity.type === 'file') {
        entity.metadata[ROOT_KEY] = root;
        fileEntities.push(entity);
      } else {
        entities.push(entity);
      }
    }
    relationships.push(...graph.relationships);
    examined += 1;
    options.onProgress?.({ done: examined, total: files.length, file: relPath });
  }

  await deleteVanishedDeclarations(store, changed.map((c) => c.relPath), [...fileEntities, ...entities]);

  // Write file entities first without their content hash, so an interrupted
  // run leaves them marked as changed and the next run redoes them.
  const pendingFiles = fileEntities.map((e) => ({ ...e, metadata: { ...e.metadata, contentHash: null } }));
  for (const batch of chunks([...pendingFiles, ...entities], batchSize)) {
    await store.putEntities(batch.map(toEntityInput));
  }

  const writtenIds = [...fileEntities, ...entities].map((e) => e.id);
  for (const batch of chunks(writtenIds, batchSize)) {
    await store.deleteOutgoingRelationships(batch);
  }

  const resolved = await keepResolvable(store, relationships, new Set(writtenIds));
  for (const batch of chunks(resolved, batchSize)) {
    await store.addRelationships(batch.map(toRelationshipInput));
  }

  for (const batch of chunks(fileEntities, batchSize)) {
    await store.putEntities(batch.map(toEntityInput));
  }

  return {
    root,
    files: files.length,
    changedFiles: changed.length,
    unchangedFiles: files.length - changed.length,
    removedFiles,
    entities: fileEntities.length + entities.length,
    relationships: resolved.length,
    unresolvedRelationships: relationships.length - resolved.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The content hash `extractFile` stores in `metadata.contentHash`. */
function hashOf(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Deletes the entities of files indexed under `root` earlier that no longer exist. */
async function removeVanishedFiles(store: YataScale, root: string, present: ReadonlySet<string>): Promise<number> {
  const pageSize = 10_000;
  const vanished: string[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await store.query(
      { entityFilters: { types: 'file' }, includeRelationships: false },
      { limit: pageSize, offset },
    );
    for (const file of page.entities) {
      if (file.metadata[ROOT_KEY] === root && file.filePath !== undefined && !present.has(file.filePath)) {
        vanished.push(file.filePath);
      }
    }
    if (!page.hasMore) break;
  }
  for (const relPath of vanished) {
    await store.deleteEntitiesByFile(relPath);
  }
  return vanished.length;
}

/** Deletes the stored entities of the changed files that their new extraction lacks. */
async function deleteVanishedDeclarations(
  store: YataScale,
  changedFiles: string[],
  extracted: ExtractedEntity[],
): Promise<void> {
  const current = new Set(extracted.map((e) => e.id));
  const stale: string[] = [];
  for (const relPath of changedFiles) {
    for (const id of await store.getEntityIdsByFile(relPath)) {
      if (!current.has(id)) stale.push(id);
    }
  }
  if (stale.length > 0) await store.deleteEntities(stale);
}

/** Keeps the relationships whose source and target exist, in this run or in the store. */
async function keepResolvable(
  store: YataScale,
  relationships: ExtractedRelationship[],
  written: ReadonlySet<string>,
): Promise<ExtractedRelationship[]> {
  const unknown = [...new Set(relationships.map((r) => r.targetId).filter((id) => !written.has(id)))];
  const existing = new Set<string>();
  for (const batch of chunks(unknown, DEFAULT_BATCH_SIZE)) {
    const found = await store.getEntities(batch);
    found.forEach((entity, i) => {
      if (entity) existing.add(batch[i] as string);
    });
  }
  const seen = new Set<string>();
  return relationships.filter((r) => {
    const resolvable = written.has(r.sourceId) && (written.has(r.targetId) || existing.has(r.targetId));
    if (!resolvable || seen.has(r.id)) return false;
    seen.add(r.id);
    return true;
  });
}

function toEntityInput(entity: ExtractedEntity): EntityInput {
  return {
    id: entity.id,
    type: entity.type,
    name: entity.name,
    namespace: entity.namespace,
    filePath: entity.filePath,
    line: entity.line,
    description: entity.description,
    metadata: entity.metadata,
  };
}

function toRelationshipInput(rel: ExtractedRelationship): RelationshipInput {
  return { id: rel.id, sourceId: rel.sourceId, targetId: rel.targetId, type: rel.type, metadata: rel.metadata };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
