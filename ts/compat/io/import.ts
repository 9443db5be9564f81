/**
 * Streams a yata-local JSON (1.0 or 2.0) or GraphML file into a store, with
 * yata-local's merge strategies and result counts (`import()` in
 * `@nahisaho/yata-local` 2.4.6, `src/io.ts`).
 *
 * Records are read one at a time and written in batches. A relationship
 * whose source or target is not stored yet is held back and retried once
 * the whole file is read, because yata-local reads every entity before any
 * relationship. Only such relationships stay in memory.
 */

import { stat } from 'node:fs/promises';

import { AlreadyExistsError, EntityNotFoundError, InvalidInputError } from '../../errors.js';
import type { YataScale } from '../../store.js';
import type { EntityInput, RelationshipInput } from '../../types.js';
import { mapWithLimit, unique } from '../concurrency.js';
import { readGraphml } from './graphml.js';
import { readJsonGraph } from './json-reader.js';
import { entityInputFromJson, relationshipInputFromJson, type GraphRecord } from './records-input.js';
import { textChunks, type GraphInput } from './streams.js';

export type ImportFormat = 'json' | 'graphml';

export const IMPORT_FORMATS: readonly ImportFormat[] = ['json', 'graphml'];

/**
 * Handling of an entity whose id is already stored. `skip` keeps the stored
 * entity, `overwrite` replaces it with the file's record, and `merge`
 * replaces it too but keeps stored metadata keys that the record lacks.
 * Relationships whose id is stored are always skipped.
 */
export type MergeStrategy = 'skip' | 'overwrite' | 'merge';

export interface ImportOptions {
  format: ImportFormat;
  /** Defaults to `skip`. */
  mergeStrategy?: MergeStrategy;
  /** Count what would change without writing. */
  dryRun?: boolean;
  /** Records per write batch. Defaults to 5,000. */
  batchSize?: number;
}

/** yata-local's `ImportResult`, plus `errorCount` because `errors` lists at most {@link MAX_LISTED_ERRORS}. */
export interface ImportResult {
  /** True when every record was imported or deliberately skipped, false when `errors` is non-empty. */
  success: boolean;
  format: ImportFormat;
  entitiesCreated: number;
  entitiesUpdated: number;
  entitiesSkipped: number;
  relationshipsCreated: number;
  relationshipsSkipped: number;
  /** Records that could not be imported, with yata-local's reasons where it has one (`Missing source entity`). */
  errors: { id: string; reason: string }[];
  errorCount: number;
  importTimeMs: number;
}

export const MAX_LISTED_ERRORS = 1_000;
const DEFAULT_BATCH_SIZE = 5_000;
/** Parallel `getRelationships` calls when checking which relationship ids are stored. */
const READ_CONCURRENCY = 16;

/**
 * Imports `input` (a file path or a byte stream) into `store`. Fails with
 * `InvalidInputError` on a missing file or one that is not valid JSON or
 * GraphML. Records read before a syntax error stay written.
 */
export async function importGraph(store: YataScale, input: GraphInput, options: ImportOptions): Promise<ImportResult> {
  const started = performance.now();
  const format = options.format;
  if (!IMPORT_FORMATS.includes(format)) {
    throw new InvalidInputError('format', format, `must be one of ${IMPORT_FORMATS.join(', ')}; N-Triples is export-only`);
  }
  const strategy = options.mergeStrategy ?? 'skip';
  if (!['skip', 'overwrite', 'merge'].includes(strategy)) {
    throw new InvalidInputError('mergeStrategy', strategy, "must be 'skip', 'overwrite' or 'merge'");
  }
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidInputError('batchSize', batchSize, 'must be a whole number of at least 1');
  }

  if (typeof input === 'string') await requireFile(input);
  const source = typeof input === 'string' ? input : `(${format} stream)`;
  const chunks = textChunks(input);
  const records = format === 'json' ? readJsonGraph(chunks, source) : readGraphml(chunks, source);
  const importer = new GraphImporter(store, strategy, options.dryRun === true, batchSize);
  for await (const record of records) await importer.accept(record);
  await importer.finish();
  return importer.result(format, Math.round(performance.now() - started));
}

async function requireFile(path: string): Promise<void> {
  let isFile: boolean;
  try {
    isFile = (await stat(path)).isFile();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InvalidInputError('file', path, code === 'ENOENT' ? 'does not exist; check the path' : (error as Error).message);
  }
  if (!isFile) throw new InvalidInputError('file', path, 'is not a file');
}

class GraphImporter {
  readonly #store: YataScale;
  readonly #strategy: MergeStrategy;
  readonly #dryRun: boolean;
  readonly #batchSize: number;

  #entities: EntityInput[] = [];
  #entityIds = new Set<string>();
  #relationships: RelationshipInput[] = [];
  #relationshipIds = new Set<string>();
  /** Relationships whose source or target was not stored when they were read, retried at the end. */
  readonly #deferred: RelationshipInput[] = [];
  /** With `dryRun`: ids that the import would have created, so later records see them. */
  readonly #wouldExist = new Set<string>();
  readonly #wouldExistRelationships = new Set<string>();
  #expectNewEntities = true;

  readonly #counts = {
    entitiesCreated: 0,
    entitiesUpdated: 0,
    entitiesSkipped: 0,
    relationshipsCreated: 0,
    relationshipsSkipped: 0,
  };
  readonly #errors: { id: string; reason: string }[] = [];
  #errorCount = 0;

  constructor(store: YataScale, strategy: MergeStrategy, dryRun: boolean, batchSize: number) {
    this.#store = store;
    this.#strategy = strategy;
    this.#dryRun = dryRun;
    this.#batchSize = batchSize;
  }

  async accept(record: GraphRecord): Promise<void> {
    const isEntity = record.kind === 'entity';
    if (record.problem) {
      this.#reject(isEntity ? 'entitiesSkipped' : 'relationshipsSkipped', record.problem.id, record.problem.reason);
      return;
    }
    if (isEntity) {
      const converted = entityInputFromJson(record.value, record.index);
      if (!converted.ok) return this.#reject('entitiesSkipped', converted.id, converted.reason);
      // File order matters: relationships read so far may point at entities read later.
      await this.#flushRelationships();
      if (this.#entityIds.has(converted.id)) await this.#flushEntities();
      this.#entities.push(converted.input);
      this.#entityIds.add(converted.id);
      if (this.#entities.length >= this.#batchSize) await this.#flushEntities();
      return;
    }

    const converted = relationshipInputFromJson(record.value, record.index);
    if (!converted.ok) return this.#reject('relationshipsSkipped', converted.id, converted.reason);
    await this.#flushEntities();
    const id = converted.input.id;
    if (id !== undefined && this.#relationshipIds.has(id)) await this.#flushRelationships();
    this.#relationships.push(converted.input);
    if (id !== undefined) this.#relationshipIds.add(id);
    if (this.#relationships.length >= this.#batchSize) await this.#flushRelationships();
  }

  /** Writes what is pending, then retries the held-back relationships once. */
  async finish(): Promise<void> {
    await this.#flushEntities();
    await this.#flushRelationships();
    for (let i = 0; i < this.#deferred.length; i += this.#batchSize) {
      await this.#writeRelationships(this.#deferred.slice(i, i + this.#batchSize), true);
    }
    this.#deferred.length = 0;
  }

  result(format: ImportFormat, importTimeMs: number): ImportResult {
    return {
      success: this.#errorCount === 0,
      format,
      ...this.#counts,
      errors: this.#errors,
      errorCount: this.#errorCount,
      importTimeMs,
    };
  }

  async #flushEntities(): Promise<void> {
    const batch = this.#entities;
    if (batch.length === 0) return;
    this.#entities = [];
    this.#entityIds = new Set();
    if (await this.#tryAddNewEntities(batch)) return;

    const stored = await this.#store.getEntities(batch.map((input) => input.id as string));
    const writes: EntityInput[] = [];
    batch.forEach((input, i) => {
      const existing = stored[i];
      const exists = existing != null || this.#wouldExist.has(input.id as string);
      if (!exists) {
        writes.push(input);
        if (this.#dryRun) {
          this.#counts.entitiesCreated++;
          this.#wouldExist.add(input.id as string);
        }
        return;
      }
      if (this.#strategy === 'skip') {
        this.#counts.entitiesSkipped++;
        return;
      }
      if (this.#dryRun) {
        this.#counts.entitiesUpdated++;
        return;
      }
      // Both strategies replace every field; `merge` keeps stored metadata keys the record lacks.
      writes.push(
        this.#strategy === 'merge' && existing ? { ...input, metadata: { ...existing.metadata, ...input.metadata } } : input,
      );
    });
    if (this.#dryRun || writes.length === 0) return;

    try {
      this.#countPut(await this.#store.putEntities(writes));
      return;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
    }
    // The engine rejected some record; write one at a time to keep the others.
    for (const input of writes) {
      try {
        this.#countPut(await this.#store.putEntities([input]));
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        this.#reject('entitiesSkipped', input.id as string, error.message);
      }
    }
  }

  /**
   * Adds the batch in one call when none of its ids is stored, which is the
   * common case of importing into a new store and saves the lookup. After
   * the first batch with a stored id this is no longer tried.
   */
  async #tryAddNewEntities(batch: EntityInput[]): Promise<boolean> {
    if (this.#dryRun || !this.#expectNewEntities) return false;
    try {
      await this.#store.addEntities(batch);
      this.#counts.entitiesCreated += batch.length;
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) this.#expectNewEntities = false;
      else if (!(error instanceof InvalidInputError)) throw error;
      return false;
    }
  }

  #countPut(outcome: { created: number; updated: number }): void {
    this.#counts.entitiesCreated += outcome.created;
    this.#counts.entitiesUpdated += outcome.updated;
  }

  async #flushRelationships(): Promise<void> {
    const batch = this.#relationships;
    if (batch.length === 0) return;
    this.#relationships = [];
    this.#relationshipIds = new Set();
    await this.#writeRelationships(batch, false);
  }

  /**
   * Writes relationships whose endpoints exist and whose id is not stored.
   * Missing endpoints defer the relationship, or on the `final` pass reject
   * it with yata-local's reason.
   */
  async #writeRelationships(batch: RelationshipInput[], final: boolean): Promise<void> {
    const ready = await this.#withEndpoints(batch, final);
    if (ready.length === 0) return;

    if (this.#dryRun) {
      const fresh = await this.#withoutStoredIds(ready);
      for (const input of fresh) if (input.id !== undefined) this.#wouldExistRelationships.add(input.id);
      this.#counts.relationshipsCreated += fresh.length;
      return;
    }

    if (await this.#tryAdd(ready)) return;
    const fresh = await this.#withoutStoredIds(ready);
    if (await this.#tryAdd(fresh)) return;
    for (const input of fresh) {
      try {
        await this.#store.addRelationships([input]);
        this.#counts.relationshipsCreated++;
      } catch (error) {
        if (error instanceof AlreadyExistsError) {
          // Stored under another source: yata-local's GraphML import also counts this as skipped.
          this.#counts.relationshipsSkipped++;
        } else if (error instanceof EntityNotFoundError) {
          this.#reject('relationshipsSkipped', input.id ?? '', `Missing entity ${error.entityId}`);
        } else if (error instanceof InvalidInputError) {
          this.#reject('relationshipsSkipped', input.id ?? '', error.message);
        } else {
          throw error;
        }
      }
    }
  }

  /** Adds the batch; returns false when the engine rejected it as a whole for a stored id or a bad record. */
  async #tryAdd(batch: RelationshipInput[]): Promise<boolean> {
    if (batch.length === 0) return true;
    try {
      await this.#store.addRelationships(batch);
      this.#counts.relationshipsCreated += batch.length;
      return true;
    } catch (error) {
      if (error instanceof InvalidInputError || error instanceof EntityNotFoundError) return false;
      throw error;
    }
  }

  async #withEndpoints(batch: RelationshipInput[], final: boolean): Promise<RelationshipInput[]> {
    const ends = unique(batch.flatMap((input) => [input.sourceId, input.targetId])).filter((id) => !this.#wouldExist.has(id));
    const found = await this.#store.getEntities(ends);
    const stored = new Set(ends.filter((_, i) => found[i]));
    const exists = (id: string) => stored.has(id) || this.#wouldExist.has(id);

    return batch.filter((input) => {
      if (exists(input.sourceId) && exists(input.targetId)) return true;
      if (!final) {
        this.#deferred.push(input);
      } else {
        const reason = `Missing ${exists(input.sourceId) ? 'target' : 'source'} entity`;
        this.#reject('relationshipsSkipped', input.id ?? '', reason);
      }
      return false;
    });
  }

  /** Drops relationships whose id is stored among their source's outgoing relationships (yata-local's check). */
  async #withoutStoredIds(batch: RelationshipInput[]): Promise<RelationshipInput[]> {
    const sources = unique(batch.filter((input) => input.id !== undefined).map((input) => input.sourceId));
    const outgoing = await mapWithLimit(sources, READ_CONCURRENCY, async (id) => {
      try {
        return await this.#store.getRelationships(id, 'out');
      } catch (error) {
        if (error instanceof EntityNotFoundError) return [];
        throw error;
      }
    });
    const storedIds = new Set(outgoing.flat().map((relationship) => relationship.id));
    return batch.filter((input) => {
      const id = input.id;
      if (id === undefined || !(storedIds.has(id) || this.#wouldExistRelationships.has(id))) return true;
      this.#counts.relationshipsSkipped++;
      return false;
    });
  }

  #reject(counter: 'entitiesSkipped' | 'relationshipsSkipped', id: string, reason: string): void {
    this.#counts[counter]++;
    this.#errorCount++;
    if (this.#errors.length < MAX_LISTED_ERRORS) this.#errors.push({ id, reason });
  }
}
