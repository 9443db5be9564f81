/**
 * Accumulator for the entities and relationships of one file, with the de-duplication rules of the
 * extractor.
 */
import { relationshipId } from './ids.js';
import type { ExtractedEntity, ExtractedRelationship, RelationshipType } from './types.js';

/** Entity plus the facts the extractor needs later but does not emit. */
export interface EntityRecord {
  entity: ExtractedEntity;
  qualifiedName: string;
  /** Qualified name of the class or interface that declares this member. */
  memberOf?: string;
  /** Whether a member is visible outside its class: not `private`, `protected` or `#name`. */
  isPublicMember?: boolean;
}

/**
 * Collects one file's graph. Entities are keyed by qualified name, and the first declaration of a
 * name wins, so overloads and merged declarations become one entity. Relationships are keyed by
 * source, type and target, and repeated `calls` edges count their call sites in `metadata.count`.
 */
export class GraphBuilder {
  readonly fileEntity: ExtractedEntity;
  private readonly symbols = new Map<string, EntityRecord>();
  private readonly relationships = new Map<string, ExtractedRelationship>();

  constructor(fileEntity: ExtractedEntity) {
    this.fileEntity = fileEntity;
  }

  /** Returns the record of the symbol with `qualifiedName`, if one was added. */
  symbol(qualifiedName: string): EntityRecord | undefined {
    return this.symbols.get(qualifiedName);
  }

  /**
   * Adds `record` unless its qualified name is taken, and returns the record that owns the name.
   * A repeated declaration increments `metadata.declarations` on the existing entity.
   */
  addSymbol(record: EntityRecord): EntityRecord {
    const existing = this.symbols.get(record.qualifiedName);
    if (existing === undefined) {
      this.symbols.set(record.qualifiedName, record);
      return record;
    }
    const metadata = existing.entity.metadata;
    metadata['declarations'] = (typeof metadata['declarations'] === 'number' ? metadata['declarations'] : 1) + 1;
    return existing;
  }

  /** Returns all symbol records in the order they were first added. */
  symbolRecords(): IterableIterator<EntityRecord> {
    return this.symbols.values();
  }

  /**
   * Adds a relationship, or for an existing one of type `calls` increments `metadata.count`.
   * Metadata of a repeated relationship of another type is kept from its first occurrence.
   */
  addRelationship(
    sourceId: string,
    type: RelationshipType,
    targetId: string,
    metadata: Record<string, unknown> = {},
  ): void {
    const key = sourceId + '|' + type + '|' + targetId;
    const existing = this.relationships.get(key);
    if (existing !== undefined) {
      if (type === 'calls') {
        existing.metadata['count'] = (existing.metadata['count'] as number) + 1;
      }
      return;
    }
    this.relationships.set(key, {
      id: relationshipId(sourceId, type, targetId),
      sourceId,
      targetId,
      type,
      metadata: type === 'calls' ? { ...metadata, count: 1 } : metadata,
    });
  }

  /** Returns the file entity followed by the symbol entities, and all relationships. */
  result(): { entities: ExtractedEntity[]; relationships: ExtractedRelationship[] } {
    const entities = [this.fileEntity];
    for (const record of this.symbols.values()) {
      entities.push(record.entity);
    }
    return { entities, relationships: [...this.relationships.values()] };
  }
}
