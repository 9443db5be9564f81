/**
 * Bookkeeping for relationships whose target entity is not in the store.
 *
 * The store accepts a relationship only when both ends exist, and deleting an entity deletes its
 * relationships. The indexer extracts only new and changed files, so a relationship that cannot
 * be written now would be lost for good: nothing extracts its unchanged source file again. Each
 * file entity therefore keeps such relationships in `metadata.unresolvedRelationships`, and every
 * run adds the ones whose target it wrote.
 *
 * Invariant between runs: every listed relationship targets an id that is not in the store. Only
 * the indexer writes entities with these ids, and a run checks every list against the entities it
 * wrote, so a listed target can only appear in the run that writes it.
 */

import type { YataScale } from '../store.js';
import type { Entity } from '../types.js';
import type { ExtractedRelationship, RelationshipType } from './types.js';

/** Metadata key of a file entity containing its unresolved relationships. */
export const UNRESOLVED_RELATIONSHIPS_KEY = 'unresolvedRelationships';

/** Returns the unresolved relationships stored in a file entity's metadata, skipping malformed items. */
export function readUnresolvedRelationships(metadata: Record<string, unknown>): ExtractedRelationship[] {
  const stored = metadata[UNRESOLVED_RELATIONSHIPS_KEY];
  if (!Array.isArray(stored)) return [];
  return stored.filter(isExtractedRelationship);
}

function isExtractedRelationship(value: unknown): value is ExtractedRelationship {
  if (typeof value !== 'object' || value === null) return false;
  const { id, sourceId, targetId, type, metadata } = value as Record<string, unknown>;
  return (
    typeof id === 'string' &&
    typeof sourceId === 'string' &&
    typeof targetId === 'string' &&
    typeof type === 'string' &&
    typeof metadata === 'object' &&
    metadata !== null &&
    !Array.isArray(metadata)
  );
}

/**
 * The unresolved-relationship lists of the files that a run does not extract, keyed by file path,
 * with a record of which lists changed and so must be written back.
 */
export class UnresolvedRelationshipLists {
  readonly #lists = new Map<string, Map<string, ExtractedRelationship>>();
  readonly #changed = new Set<string>();

  /** Reads the lists of `fileEntities`, keyed by relative file path. */
  constructor(fileEntities: ReadonlyMap<string, Entity>) {
    for (const [relPath, entity] of fileEntities) {
      const list = new Map(readUnresolvedRelationships(entity.metadata).map((rel) => [rel.id, rel] as const));
      this.#lists.set(relPath, list);
    }
  }

  /** Adds relationships to the list of `relPath`, which must be one of the files given to the constructor. */
  add(relPath: string, relationships: Iterable<ExtractedRelationship>): void {
    const list = this.#lists.get(relPath);
    if (list === undefined) throw new Error(`no unresolved-relationship list for ${relPath}`);
    for (const rel of relationships) {
      if (!list.has(rel.id)) {
        list.set(rel.id, rel);
        this.#changed.add(relPath);
      }
    }
  }

  /** Removes and returns the listed relationships whose target is in `written`. */
  takeResolved(written: ReadonlySet<string>): ExtractedRelationship[] {
    const resolved: ExtractedRelationship[] = [];
    for (const [relPath, list] of this.#lists) {
      for (const [id, rel] of list) {
        if (written.has(rel.targetId)) {
          resolved.push(rel);
          list.delete(id);
          this.#changed.add(relPath);
        }
      }
    }
    return resolved;
  }

  /** Returns the list of `relPath`. */
  get(relPath: string): ExtractedRelationship[] {
    return [...(this.#lists.get(relPath)?.values() ?? [])];
  }

  /** Number of listed relationships over all files. */
  get size(): number {
    let total = 0;
    for (const list of this.#lists.values()) total += list.size;
    return total;
  }

  /** Returns the files whose list changed since the last call, and clears that record. */
  takeChangedFiles(): string[] {
    const changed = [...this.#changed];
    this.#changed.clear();
    return changed;
  }
}

/**
 * Returns the relationships that point at `targetIds` from entities declared in `sourceFiles`,
 * grouped by the source entity's file path. Relationships between two of the targets are left
 * out, and so are sources without a file path or in other files.
 */
export async function incomingFromFiles(
  store: YataScale,
  targetIds: readonly string[],
  sourceFiles: ReadonlySet<string>,
  batchSize: number,
): Promise<Map<string, ExtractedRelationship[]>> {
  const targets = new Set(targetIds);
  const incoming: ExtractedRelationship[] = [];
  for (const id of targetIds) {
    for (const rel of await store.getRelationships(id, 'in')) {
      if (!targets.has(rel.sourceId)) {
        incoming.push({
          id: rel.id,
          sourceId: rel.sourceId,
          targetId: rel.targetId,
          // Relationships between indexed entities are written by the indexer, with its types.
          type: rel.type as RelationshipType,
          metadata: rel.metadata,
        });
      }
    }
  }

  const sourceIds = [...new Set(incoming.map((rel) => rel.sourceId))];
  const fileOfSource = new Map<string, string>();
  for (let i = 0; i < sourceIds.length; i += batchSize) {
    const batch = sourceIds.slice(i, i + batchSize);
    const sources = await store.getEntities(batch);
    sources.forEach((source, j) => {
      if (source?.filePath !== undefined && sourceFiles.has(source.filePath)) {
        fileOfSource.set(batch[j] as string, source.filePath);
      }
    });
  }

  const byFile = new Map<string, ExtractedRelationship[]>();
  for (const rel of incoming) {
    const relPath = fileOfSource.get(rel.sourceId);
    if (relPath === undefined) continue;
    const list = byFile.get(relPath) ?? [];
    list.push(rel);
    byFile.set(relPath, list);
  }
  return byFile;
}
