/**
 * The shape every export format implements. The exporter writes all entity
 * pieces, then all relationship pieces, and wraps them in `head`, `between`
 * and `tail`, which may use the final counts (JSON 2.0 puts them first).
 */

import type { Entity, Relationship } from '../../types.js';

export interface ExportDocument {
  /** ISO-8601 time the export started. */
  exportedAt: string;
  namespace?: string;
  /** ISO-8601 lower bound on `updatedAt`, when the export is incremental. */
  since?: string;
  entityCount: number;
  relationshipCount: number;
  /** Milliseconds spent reading the store and formatting records. */
  exportTimeMs: number;
}

export interface FormatWriter {
  /** Text for the `index`-th entity (0-based), including any separator before it. */
  entity(entity: Entity, index: number): string;
  relationship(relationship: Relationship, index: number): string;
  head(document: ExportDocument): string;
  between(document: ExportDocument): string;
  tail(document: ExportDocument): string;
}
