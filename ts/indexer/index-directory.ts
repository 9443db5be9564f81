/**
 * Indexes a directory of TypeScript and JavaScript sources into a store.
 *
 * Pipeline:
 * 1. List the files, and reject a store indexed from another root.
 * 2. Skip the files whose content hash and import lookups match their stored
 *    file entity, and extract the others (the changed files).
 * 3. Delete the entities that changed files no longer declare, and the
 *    entities of files that no longer exist.
 * 4. Write the changed files' entities, replacing by id, which keeps the
 *    relationships that other files point at them.
 * 5. Replace the outgoing relationships of every changed file, and mark each
 *    file done by storing its content hash.
 *
 * Ids derive from the file path and qualified name, so re-indexing a changed
 * file keeps the ids of declarations it still has, and relationships that
 * other files point at them survive. A relationship whose target is not in
 * the store waits in its file entity's `metadata.unresolvedRelationships`
 * (see unresolved-relationships.ts). So after edits, re-indexing gives the
 * same entities and relationships as a fresh index of the same files, as
 * tests/indexer-incremental.test.ts checks over a sequence of edits.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { YataScaleError } from '../errors.js';
import type { YataScale } from '../store.js';
import type { Entity, EntityInput, RelationshipInput } from '../types.js';
import { extractFile } from './extract.js';
import { listSourceFiles } from './files.js';
import { fileId } from './ids.js';
import { IMPORT_LOOKUPS_KEY, importLookupsChanged, LookupRecordingSet } from './import-lookups.js';
import type { ExtractedEntity, ExtractedRelationship, FileGraph } from './types.js';
import {
  incomingFromFiles,
  UNRESOLVED_RELATIONSHIPS_KEY,
  UnresolvedRelationshipLists,
} from './unresolved-relationships.js';

export interface IndexProgress {
  /** Files examined so far. */
  done: number;
  total: number;
  file: string;
}

/** A step after extraction, with the number of items it handles. */
export interface IndexStage {
  step: 'deleting-entities' | 'writing-entities' | 'resolving-relationships' | 'writing-relationships';
  count: number;
}

export interface IndexOptions {
  /** Called after each file is examined. */
  onProgress?: (progress: IndexProgress) => void;
  /** Called when a step after extraction starts. */
  onStage?: (stage: IndexStage) => void;
  /** Entities per write batch. Defaults to 5,000. */
  batchSize?: number;
}

export interface IndexSummary {
  root: string;
  /** Source files found under the root. */
  files: number;
  /** Files extracted because they are new or changed, or because an import of theirs resolves differently. */
  changedFiles: number;
  /** Files skipped because their content hash and import lookups are unchanged. */
  unchangedFiles: number;
  /** Files indexed earlier under this root that no longer exist. */
  removedFiles: number;
  /** Entities written. */
  entities: number;
  /** Relationships written, including ones kept from earlier runs whose target now exists. */
  relationships: number;
  /**
   * Relationships whose target is not in the store. They stay in their file entity's
   * `metadata.unresolvedRelationships` and are written once a run writes the target.
   */
  unresolvedRelationships: number;
  seconds: number;
}

/** The store was indexed from another source root, and file ids are relative to the root. */
export class IndexRootMismatchError extends YataScaleError {
  readonly storedRoot: string;
  readonly requestedRoot: string;

  constructor(storedRoot: string, requestedRoot: string) {
    super(
      `the store was indexed from ${storedRoot}, not ${requestedRoot}; ` +
        'file ids are relative to the root, so use another store for each source root',
      'INDEX_ROOT_MISMATCH',
    );
    this.name = 'IndexRootMismatchError';
    this.storedRoot = storedRoot;
    this.requestedRoot = requestedRoot;
  }
}

const DEFAULT_BATCH_SIZE = 5_000;
/** Metadata key of a file entity holding the absolute root it was indexed under. */
const ROOT_KEY = 'indexRoot';
/** Maximum time, in milliseconds, of synchronous work between two yields to the event loop. */
const YIELD_INTERVAL_MS = 50;

/**
 * Indexes the sources under `rootDir`. Fails with {@link IndexRootMismatchError}, before any
 * write, when the store contains files indexed from another root.
 */
export async function indexDirectory(store: YataScale, rootDir: string, options: IndexOptions = {}): Promise<IndexSummary> {
  const started = performance.now();
  const root = resolve(rootDir);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const files = listSourceFiles(root);
  const knownFiles = new Set(files);
  const pacer = new EventLoopPacer();

  const indexed = await listIndexedFiles(store);
  const otherRoot = indexed.find((file) => file.root !== root);
  if (otherRoot !== undefined) throw new IndexRootMismatchError(otherRoot.root, root);
  const vanishedFiles = indexed.filter((file) => !knownFiles.has(file.filePath)).map((file) => file.filePath);

  const { changed, unchanged } = await sortByChange(store, root, files, pacer);
  const unresolved = new UnresolvedRelationshipLists(unchanged);

  const graphs: FileGraph[] = [];
  let examined = files.length - changed.length;
  for (const { relPath, text } of changed) {
    graphs.push(extractWithLookups(relPath, text, knownFiles, root));
    examined += 1;
    options.onProgress?.({ done: examined, total: files.length, file: relPath });
    await pacer.pause();
  }
  const fileEntities = graphs.map((graph) => graph.entities[0] as ExtractedEntity);
  const entities = graphs.flatMap((graph) => graph.entities.slice(1));

  const run: IndexRun = { store, batchSize, unchanged, unresolved, onStage: options.onStage };
  await deleteDepartingEntities(run, graphs, vanishedFiles);

  // Write file entities first without their content hash, so an interrupted
  // run leaves them marked as changed and the next run redoes them.
  options.onStage?.({ step: 'writing-entities', count: fileEntities.length + entities.length });
  const pendingFiles = fileEntities.map((e) => ({ ...e, metadata: { ...e.metadata, contentHash: null } }));
  for (const batch of chunks([...pendingFiles, ...entities], batchSize)) {
    await store.putEntities(batch.map(toEntityInput));
  }

  const writtenIds = [...fileEntities, ...entities].map((e) => e.id);
  for (const batch of chunks(writtenIds, batchSize)) {
    await store.deleteOutgoingRelationships(batch);
  }

  const relationshipCounts = await writeRelationships(run, graphs, new Set(writtenIds));
  for (const batch of chunks(fileEntities, batchSize)) {
    await store.putEntities(batch.map(toEntityInput));
  }

  return {
    root,
    files: files.length,
    changedFiles: changed.length,
    unchangedFiles: files.length - changed.length,
    removedFiles: vanishedFiles.length,
    entities: fileEntities.length + entities.length,
    relationships: relationshipCounts.written,
    unresolvedRelationships: relationshipCounts.unresolved,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Computes the content hash that `extractFile` stores in `metadata.contentHash`. */
function hashOf(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Lets signal handlers, timers and I/O callbacks run during long synchronous loops. */
class EventLoopPacer {
  #last = performance.now();

  /** Yields to the event loop if the last yield was {@link YIELD_INTERVAL_MS} or more ago. */
  async pause(): Promise<void> {
    if (performance.now() - this.#last < YIELD_INTERVAL_MS) return;
    await new Promise((resolveYield) => setImmediate(resolveYield));
    this.#last = performance.now();
  }
}

/** Returns the path and index root of every stored file entity that has both. */
async function listIndexedFiles(store: YataScale): Promise<{ filePath: string; root: string }[]> {
  const pageSize = 10_000;
  const indexed: { filePath: string; root: string }[] = [];
  for (let offset = 0; ; offset += pageSize) {
    const page = await store.query(
      { entityFilters: { types: 'file' }, includeRelationships: false },
      { limit: pageSize, offset },
    );
    for (const file of page.entities) {
      const root = file.metadata[ROOT_KEY];
      if (typeof root === 'string' && file.filePath !== undefined) {
        indexed.push({ filePath: file.filePath, root });
      }
    }
    if (!page.hasMore) break;
  }
  return indexed;
}

/**
 * Splits `files` into the ones to extract, with their text, and the stored file entities of the
 * others, keyed by path. A file is extracted when it is new, when its content hash differs from
 * the stored one, or when an import of its would now resolve to another file.
 */
async function sortByChange(
  store: YataScale,
  root: string,
  files: string[],
  pacer: EventLoopPacer,
): Promise<{ changed: { relPath: string; text: string }[]; unchanged: Map<string, Entity> }> {
  const knownFiles = new Set(files);
  const stored = await store.getEntities(files.map(fileId));
  const changed: { relPath: string; text: string }[] = [];
  const unchanged = new Map<string, Entity>();
  for (const [i, relPath] of files.entries()) {
    const text = readFileSync(resolve(root, relPath), 'utf8');
    const previous = stored[i];
    if (
      previous === null ||
      previous === undefined ||
      previous.metadata['contentHash'] !== hashOf(text) ||
      importLookupsChanged(previous.metadata, knownFiles)
    ) {
      changed.push({ relPath, text });
    } else {
      unchanged.set(relPath, previous);
    }
    await pacer.pause();
  }
  return { changed, unchanged };
}

/** Extracts one file and records its index root and import lookups in its file entity. */
function extractWithLookups(relPath: string, text: string, knownFiles: ReadonlySet<string>, root: string): FileGraph {
  const lookups = new LookupRecordingSet(knownFiles);
  const graph = extractFile(relPath, text, lookups);
  const fileEntity = graph.entities[0];
  if (fileEntity?.type !== 'file') {
    throw new Error(`the extraction of ${relPath} does not start with its file entity`);
  }
  fileEntity.metadata[ROOT_KEY] = root;
  fileEntity.metadata[IMPORT_LOOKUPS_KEY] = lookups.lookups();
  return graph;
}

/** State shared by the steps of one `indexDirectory` run after extraction. */
interface IndexRun {
  store: YataScale;
  batchSize: number;
  /** Stored file entities of the files that this run does not extract, keyed by path. */
  unchanged: ReadonlyMap<string, Entity>;
  unresolved: UnresolvedRelationshipLists;
  onStage?: (stage: IndexStage) => void;
}

/**
 * Deletes the stored entities that the extracted files no longer declare, and the entities of
 * files that no longer exist. This happens before the new entities are written, so that a
 * relationship can resolve only against entities that exist afterwards.
 */
async function deleteDepartingEntities(run: IndexRun, graphs: FileGraph[], vanishedFiles: string[]): Promise<void> {
  const { store, batchSize, unresolved } = run;
  const staleIds = await vanishedDeclarationIds(store, graphs);
  const vanishedIds: string[] = [];
  for (const relPath of vanishedFiles) {
    vanishedIds.push(...(await store.getEntityIdsByFile(relPath)));
  }
  const departing = [...staleIds, ...vanishedIds];
  if (departing.length === 0) return;
  run.onStage?.({ step: 'deleting-entities', count: departing.length });

  // Deleting an entity deletes the relationships that unchanged files point
  // at it. Those go to their source file's list first, so they come back
  // when the target is declared again, even if this run stops midway.
  const orphaned = await incomingFromFiles(store, departing, new Set(run.unchanged.keys()), batchSize);
  for (const [relPath, rels] of orphaned) unresolved.add(relPath, rels);
  await rewriteFileEntities(run);

  for (const batch of chunks(staleIds, batchSize)) await store.deleteEntities(batch);
  for (const relPath of vanishedFiles) await store.deleteEntitiesByFile(relPath);
}

/**
 * Writes the relationships of the extracted files whose target exists, and the listed
 * relationships of unchanged files whose target this run wrote. Stores the other relationships
 * of each extracted file in its file entity's metadata, which the caller then writes. Returns the
 * number of relationships written and the number still unresolved.
 */
async function writeRelationships(
  run: IndexRun,
  graphs: FileGraph[],
  written: ReadonlySet<string>,
): Promise<{ written: number; unresolved: number }> {
  const { store, batchSize, unresolved } = run;
  const relationships = graphs.flatMap((graph) => graph.relationships);
  run.onStage?.({ step: 'resolving-relationships', count: relationships.length + unresolved.size });
  const resolved = await keepResolvable(store, relationships, written);
  const resolvedFromLists = unresolved.takeResolved(written);

  run.onStage?.({ step: 'writing-relationships', count: resolved.length + resolvedFromLists.length });
  // A listed relationship is already stored if an earlier run stopped after
  // writing it and before updating the list, and adding it again would fail.
  for (const batch of chunks(resolvedFromLists.map((r) => r.id), batchSize)) {
    await store.deleteRelationships(batch);
  }
  for (const batch of chunks([...resolved, ...resolvedFromLists], batchSize)) {
    await store.addRelationships(batch.map(toRelationshipInput));
  }
  await rewriteFileEntities(run);

  const resolvedIds = new Set(resolved.map((r) => r.id));
  let waitingCount = unresolved.size;
  for (const graph of graphs) {
    const waiting = graph.relationships.filter((r) => !resolvedIds.has(r.id));
    (graph.entities[0] as ExtractedEntity).metadata[UNRESOLVED_RELATIONSHIPS_KEY] = waiting.map(toRelationshipRecord);
    waitingCount += waiting.length;
  }
  return { written: resolved.length + resolvedFromLists.length, unresolved: waitingCount };
}

/** Returns the ids of stored entities of the extracted files that their new extraction lacks. */
async function vanishedDeclarationIds(store: YataScale, graphs: FileGraph[]): Promise<string[]> {
  const stale: string[] = [];
  for (const graph of graphs) {
    const current = new Set(graph.entities.map((e) => e.id));
    for (const id of await store.getEntityIdsByFile(graph.filePath)) {
      if (!current.has(id)) stale.push(id);
    }
  }
  return stale;
}

/** Writes the file entities of unchanged files whose unresolved-relationship list changed. */
async function rewriteFileEntities(run: IndexRun): Promise<void> {
  const inputs: EntityInput[] = [];
  for (const relPath of run.unresolved.takeChangedFiles()) {
    const entity = run.unchanged.get(relPath);
    if (entity === undefined) continue;
    const list = run.unresolved.get(relPath).map(toRelationshipRecord);
    inputs.push({
      id: entity.id,
      type: entity.type,
      name: entity.name,
      namespace: entity.namespace,
      filePath: entity.filePath,
      line: entity.line,
      description: entity.description,
      metadata: { ...entity.metadata, [UNRESOLVED_RELATIONSHIPS_KEY]: list },
    });
  }
  for (const batch of chunks(inputs, run.batchSize)) await run.store.putEntities(batch);
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

/** Converts a relationship to the plain object stored in a file entity's unresolved list. */
function toRelationshipRecord(rel: ExtractedRelationship): Record<string, unknown> {
  return { id: rel.id, sourceId: rel.sourceId, targetId: rel.targetId, type: rel.type, metadata: rel.metadata };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
