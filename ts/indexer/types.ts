/**
 * Output types of the code-graph extractor.
 */

/** Entity kinds that the extractor emits. */
export type EntityType =
  | 'file'
  | 'module'
  | 'class'
  | 'interface'
  | 'function'
  | 'method'
  | 'property'
  | 'enum'
  | 'type';

/** Relationship kinds that the extractor emits. */
export type RelationshipType = 'contains' | 'imports' | 'extends' | 'implements' | 'calls';

/** A file or declaration found in one source file. */
export interface ExtractedEntity {
  id: string;
  type: EntityType;
  /** Simple name: the file's base name, or the declaration name without its qualifiers. */
  name: string;
  /**
   * Module path of the file (relative path without extension, `/` replaced by `.`), followed by
   * the names of the enclosing namespace and module declarations.
   */
  namespace: string;
  /** POSIX path relative to the indexed root. */
  filePath: string;
  /** 1-based line of the declaration name, or 1 for the file entity. */
  line: number;
  /** Leading JSDoc text without the comment markers, at most 500 characters. */
  description?: string;
  metadata: Record<string, unknown>;
}

/** A directed edge between two entities. The target may live in another file. */
export interface ExtractedRelationship {
  id: string;
  sourceId: string;
  targetId: string;
  type: RelationshipType;
  metadata: Record<string, unknown>;
}

/** Everything extracted from one source file. */
export interface FileGraph {
  filePath: string;
  /** SHA-1 of the file text (UTF-8), as lowercase hex. */
  contentHash: string;
  entities: ExtractedEntity[];
  relationships: ExtractedRelationship[];
}
