/**
 * Migrates a yata-local SQLite database into a yata-scale store, keeping every
 * id, type, name, namespace, file path, line, description, metadata object,
 * timestamp and weight unchanged.
 *
 * Before any write, the file is checked (SQLite header, yata-local's
 * columns, PRAGMA quick_check, row counts) and so is the store (empty unless
 * `merge`). Entities and then relationships are copied in batches read with
 * `Statement.iterate()`, so memory stays bounded by the batch size. Finally
 * every imported record is read back, and counts and a SHA-256 checksum are
 * compared with a second pass over the file.
 */

import { createHash, type Hash } from 'node:crypto';
import { resolve } from 'node:path';

import { EntityNotFoundError, InvalidInputError, MigrationError } from '../errors.js';
import type { YataScale } from '../store.js';
import type { EntityInput, Relationship, RelationshipInput } from '../types.js';
import { mapWithLimit, unique } from './concurrency.js';
import { canonicalJson } from './records.js';
import {
  convertEntityRow,
  convertRelationshipRow,
  entitySelect,
  openSourceDatabase,
  relationshipSelect,
  type EntityRow,
  type RelationshipRow,
  type SourceDatabase,
} from './sqlite-source.js';

export interface MigrationProgress {
  phase: 'entities' | 'relationships' | 'verify';
  /** Records handled so far in this phase. */
  done: number;
  total: number;
}

export interface MigrationOptions {
  /** Write into a store that already has entities: same ids are replaced, same relationship ids are kept. */
  merge?: boolean;
  /** Called after each batch. */
  onProgress?: (progress: MigrationProgress) => void;
  /** Records per write batch. Defaults to 5,000. */
  batchSize?: number;
}

/** A source record that was not migrated. */
export interface MigrationSkip {
  kind: 'entity' | 'relationship';
  id: string;
  reason: string;
}

export interface MigrationSummary {
  /** Absolute path of the source database. */
  source: string;
  /** Entities written (created, or replaced with `merge`). */
  entities: number;
  /** Relationships written. */
  relationships: number;
  /** Relationships left as they were because the store already held the same record (only with `merge`). */
  relationshipsAlreadyStored: number;
  skippedEntities: number;
  skippedRelationships: number;
  /** The first skipped records with reasons, at most {@link MAX_LISTED_SKIPS}. */
  skipped: MigrationSkip[];
  /**
   * SHA-256 (hex) over the canonical JSON of every migrated record: entities
   * sorted by id, then relationships sorted by source id and id. The same
   * value was computed from the source file and from the store.
   */
  checksum: string;
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 5_000;
export const MAX_LISTED_SKIPS = 100;
/** Parallel `getRelationships` calls when reading a batch's relationships back. */
const READ_CONCURRENCY = 16;

/**
 * Copies the yata-local database at `dbPath` into `store` and verifies the
 * copy. Fails with `MigrationError` before writing for a missing,
 * non-SQLite, corrupted or foreign-schema file, and for a non-empty store
 * without `merge`. Fails with `MigrationError` after writing when the
 * verification finds a difference.
 */
export async function migrate(store: YataScale, dbPath: string, options: MigrationOptions = {}): Promise<MigrationSummary> {
  const started = performance.now();
  const path = resolve(dbPath);
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new InvalidInputError('batchSize', batchSize, 'must be a whole number of at least 1');
  }

  const source = await openSourceDatabase(path);
  try {
    const stats = await store.getStats();
    if (stats.entityCount > 0 && !options.merge) {
      throw new MigrationError(
        `the store ${store.path} already contains ${stats.entityCount} entities, so ${path} was not migrated; ` +
          'migrate into an empty store, or pass merge (--merge) to replace records with the same ids',
        path,
      );
    }

    const migration = new Migration(store, source, batchSize, options);
    await migration.copyEntities();
    await migration.copyRelationships();
    const checksum = await migration.verify();
    return migration.summary(checksum, (performance.now() - started) / 1000);
  } finally {
    source.db.close();
  }
}

class Migration {
  readonly #store: YataScale;
  readonly #source: SourceDatabase;
  readonly #batchSize: number;
  readonly #merge: boolean;
  readonly #onProgress: (progress: MigrationProgress) => void;

  #entities = 0;
  #relationships = 0;
  #relationshipsAlreadyStored = 0;
  /** Ids of skipped records; verification leaves them out on both sides. */
  readonly #skippedEntityIds = new Set<string>();
  readonly #skippedRelationshipIds = new Set<string>();
  readonly #skipped: MigrationSkip[] = [];

  constructor(store: YataScale, source: SourceDatabase, batchSize: number, options: MigrationOptions) {
    this.#store = store;
    this.#source = source;
    this.#batchSize = batchSize;
    this.#merge = options.merge === true;
    this.#onProgress = options.onProgress ?? (() => {});
  }

  async copyEntities(): Promise<void> {
    const total = this.#source.entityCount;
    let done = 0;
    let batch: EntityInput[] = [];
    const flush = async () => {
      await this.#writeEntities(batch);
      done += batch.length;
      batch = [];
      this.#onProgress({ phase: 'entities', done, total });
    };

    for (const row of this.#source.db.prepare(entitySelect()).iterate() as IterableIterator<EntityRow>) {
      const converted = convertEntityRow(row);
      if (converted.ok) {
        batch.push(converted.input);
      } else {
        this.#skip('entity', converted.id, converted.reason);
        done++;
      }
      if (batch.length >= this.#batchSize) await flush();
    }
    await flush();
  }

  async copyRelationships(): Promise<void> {
    if (!this.#source.hasRelationships) return;
    const total = this.#source.relationshipCount;
    let done = 0;
    let batch: RelationshipInput[] = [];
    const flush = async () => {
      await this.#writeRelationships(batch);
      done += batch.length;
      batch = [];
      this.#onProgress({ phase: 'relationships', done, total });
    };

    for (const row of this.#source.db.prepare(relationshipSelect()).iterate() as IterableIterator<RelationshipRow>) {
      const converted = convertRelationshipRow(row);
      if (!converted.ok) {
        this.#skip('relationship', converted.id, converted.reason);
        done++;
        continue;
      }
      const { sourceId, targetId } = converted.input;
      const skippedEnd = this.#skippedEntityIds.has(sourceId) ? sourceId : this.#skippedEntityIds.has(targetId) ? targetId : undefined;
      if (skippedEnd !== undefined) {
        this.#skip('relationship', converted.id, `entity ${skippedEnd} was skipped`);
        done++;
        continue;
      }
      batch.push(converted.input);
      if (batch.length >= this.#batchSize) await flush();
    }
    await flush();
  }

  /**
   * Reads every migrated record back from the store and compares it with a
   * second pass over the file. Returns the checksum; throws `MigrationError`
   * on any difference.
   */
  async verify(): Promise<string> {
    const total = this.#source.entityCount + this.#source.relationshipCount;
    const sourceHash = createHash('sha256');
    const storeHash = createHash('sha256');
    const counts = { source: 0, store: 0, relationshipSource: 0, relationshipStore: 0 };
    let done = 0;

    let ids: string[] = [];
    let expected: string[] = [];
    const compareEntities = async () => {
      const found = await this.#store.getEntities(ids);
      for (const entity of found) {
        if (!entity) continue;
        counts.store++;
        storeHash.update(canonicalJson(entity) + '\n');
      }
      for (const line of expected) sourceHash.update(line);
      done += ids.length;
      ids = [];
      expected = [];
      this.#onProgress({ phase: 'verify', done, total });
    };
    for (const row of this.#source.db.prepare(entitySelect('id')).iterate() as IterableIterator<EntityRow>) {
      const converted = convertEntityRow(row);
      if (!converted.ok || this.#skippedEntityIds.has(converted.id)) continue;
      counts.source++;
      ids.push(converted.id);
      expected.push(canonicalJson(converted.input) + '\n');
      if (ids.length >= this.#batchSize) await compareEntities();
    }
    await compareEntities();

    if (this.#source.hasRelationships) {
      // Grouped by source id, so each group is one `getRelationships(id, 'out')` call.
      let groups: { sourceId: string; records: RelationshipInput[] }[] = [];
      let pending = 0;
      const compareRelationships = async () => {
        const stored = await mapWithLimit(groups, READ_CONCURRENCY, (group) => this.#outgoing(group.sourceId));
        groups.forEach((group, i) => {
          const byId = new Map((stored[i] ?? []).map((relationship) => [relationship.id, relationship]));
          for (const record of group.records) {
            counts.relationshipSource++;
            sourceHash.update(canonicalJson(record) + '\n');
            const relationship = byId.get(record.id as string);
            if (!relationship) continue;
            counts.relationshipStore++;
            storeHash.update(canonicalJson(relationship) + '\n');
          }
        });
        done += pending;
        groups = [];
        pending = 0;
        this.#onProgress({ phase: 'verify', done, total });
      };
      for (const row of this.#source.db.prepare(relationshipSelect('source_id, id')).iterate() as IterableIterator<RelationshipRow>) {
        const converted = convertRelationshipRow(row);
        if (!converted.ok || this.#skippedRelationshipIds.has(converted.id)) continue;
        const last = groups[groups.length - 1];
        if (last && last.sourceId === converted.input.sourceId) last.records.push(converted.input);
        else groups.push({ sourceId: converted.input.sourceId, records: [converted.input] });
        pending++;
        if (pending >= this.#batchSize) await compareRelationships();
      }
      await compareRelationships();
    }

    return this.#finishVerification(sourceHash, storeHash, counts);
  }

  summary(checksum: string, seconds: number): MigrationSummary {
    return {
      source: this.#source.path,
      entities: this.#entities,
      relationships: this.#relationships,
      relationshipsAlreadyStored: this.#relationshipsAlreadyStored,
      skippedEntities: this.#skippedEntityIds.size,
      skippedRelationships: this.#skippedRelationshipIds.size,
      skipped: this.#skipped,
      checksum,
      seconds,
    };
  }

  #finishVerification(
    sourceHash: Hash,
    storeHash: Hash,
    counts: { source: number; store: number; relationshipSource: number; relationshipStore: number },
  ): string {
    const path = this.#source.path;
    const retry = 'the store may contain a partial copy; rerun the migration with merge (--merge) or migrate into a new store';
    if (counts.store !== counts.source) {
      throw new MigrationError(
        `verification of ${path} failed: the store contains only ${counts.store} of the ${counts.source} migrated entities; ${retry}`,
        path,
      );
    }
    if (counts.relationshipStore !== counts.relationshipSource) {
      throw new MigrationError(
        `verification of ${path} failed: the store contains only ${counts.relationshipStore} of the ` +
          `${counts.relationshipSource} migrated relationships; ${retry}`,
        path,
      );
    }
    const expected = sourceHash.digest('hex');
    const actual = storeHash.digest('hex');
    if (expected !== actual) {
      throw new MigrationError(
        `verification of ${path} failed: checksum ${actual} of the stored records differs from ${expected} ` +
          `of the source, so some field changed on the way; ${retry}`,
        path,
      );
    }
    return expected;
  }

  async #writeEntities(inputs: EntityInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const write = (batch: EntityInput[]) => (this.#merge ? this.#store.putEntities(batch) : this.#store.addEntities(batch));
    try {
      await write(inputs);
      this.#entities += inputs.length;
      return;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
    }
    // The engine rejected the batch for some record(s); write one at a time to keep the rest.
    for (const input of inputs) {
      try {
        await write([input]);
        this.#entities++;
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        this.#skip('entity', input.id as string, error.message);
      }
    }
  }

  async #writeRelationships(inputs: RelationshipInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const withEnds = await this.#dropMissingEndpoints(inputs);
    const fresh = this.#merge ? await this.#dropStoredRelationships(withEnds) : withEnds;
    if (fresh.length === 0) return;

    try {
      await this.#store.addRelationships(fresh);
      this.#relationships += fresh.length;
      return;
    } catch (error) {
      if (!(error instanceof InvalidInputError || error instanceof EntityNotFoundError)) throw error;
    }
    for (const input of fresh) {
      try {
        await this.#store.addRelationships([input]);
        this.#relationships++;
      } catch (error) {
        if (!(error instanceof InvalidInputError || error instanceof EntityNotFoundError)) throw error;
        this.#skip('relationship', input.id as string, error.message);
      }
    }
  }

  /** Skips relationships whose source or target entity is in neither the file nor the store. */
  async #dropMissingEndpoints(inputs: RelationshipInput[]): Promise<RelationshipInput[]> {
    const ends = unique(inputs.flatMap((input) => [input.sourceId, input.targetId]));
    const found = await this.#store.getEntities(ends);
    const present = new Set(ends.filter((_, i) => found[i]));
    return inputs.filter((input) => {
      const missing = !present.has(input.sourceId) ? 'source' : !present.has(input.targetId) ? 'target' : undefined;
      if (missing === undefined) return true;
      const id = missing === 'source' ? input.sourceId : input.targetId;
      this.#skip('relationship', input.id as string, `missing ${missing} entity ${id}`);
      return false;
    });
  }

  /**
   * With `merge`: keeps relationships already stored with identical data
   * (counted, not rewritten) and skips ids stored with other data.
   */
  async #dropStoredRelationships(inputs: RelationshipInput[]): Promise<RelationshipInput[]> {
    const sources = unique(inputs.map((input) => input.sourceId));
    const stored = await mapWithLimit(sources, READ_CONCURRENCY, (id) => this.#outgoing(id));
    const byId = new Map(stored.flat().map((relationship) => [relationship.id, relationship]));
    return inputs.filter((input) => {
      const existing = byId.get(input.id as string);
      if (!existing) return true;
      if (canonicalJson(existing) === canonicalJson(input)) {
        this.#relationshipsAlreadyStored++;
      } else {
        this.#skip('relationship', input.id as string, 'the store already contains a different relationship with this id');
      }
      return false;
    });
  }

  async #outgoing(entityId: string): Promise<Relationship[]> {
    try {
      return await this.#store.getRelationships(entityId, 'out');
    } catch (error) {
      if (error instanceof EntityNotFoundError) return [];
      throw error;
    }
  }

  #skip(kind: MigrationSkip['kind'], id: string, reason: string): void {
    (kind === 'entity' ? this.#skippedEntityIds : this.#skippedRelationshipIds).add(id);
    if (this.#skipped.length < MAX_LISTED_SKIPS) this.#skipped.push({ kind, id, reason });
  }
}
