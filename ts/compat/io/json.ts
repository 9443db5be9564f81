/**
 * yata-local's JSON exports (`@nahisaho/yata-local` 2.4.6, `src/io.ts`),
 * written byte for byte as its `JSON.stringify(data, null, 2)` would:
 *
 * - version 1.0 (`exportJson`): `{version, exportedAt, entities, relationships}`;
 * - version 2.0 (`export({format: 'json'})`): `{version, exportedAt, namespace?,
 *   incremental, since?, stats: {entityCount, relationshipCount,
 *   exportTimeMs}, entities, relationships}`.
 *
 * Both are read by `readJsonGraph`.
 */

import type { Entity, Relationship } from '../../types.js';
import { entityToJson, relationshipToJson } from '../records.js';
import type { ExportDocument, FormatWriter } from './format.js';

/** Indents every line of a pretty-printed array element to its depth in the document. */
function element(value: unknown, index: number): string {
  const text = '    ' + JSON.stringify(value, null, 2).replaceAll('\n', '\n    ');
  return index === 0 ? text : ',\n' + text;
}

const openArray = (count: number) => (count > 0 ? '[\n' : '[');
const closeArray = (count: number) => (count > 0 ? '\n  ]' : ']');

/** Pretty-prints `header` as the start of the document, ready for the `entities` member. */
function headWith(header: Record<string, unknown>, entityCount: number): string {
  const text = JSON.stringify(header, null, 2);
  return `${text.slice(0, -2)},\n  "entities": ${openArray(entityCount)}`;
}

abstract class JsonWriter implements FormatWriter {
  entity(entity: Entity, index: number): string {
    return element(entityToJson(entity), index);
  }

  relationship(relationship: Relationship, index: number): string {
    return element(relationshipToJson(relationship), index);
  }

  abstract head(document: ExportDocument): string;

  between(document: ExportDocument): string {
    return `${closeArray(document.entityCount)},\n  "relationships": ${openArray(document.relationshipCount)}`;
  }

  tail(document: ExportDocument): string {
    return `${closeArray(document.relationshipCount)}\n}`;
  }
}

export class JsonV1Writer extends JsonWriter {
  head(document: ExportDocument): string {
    return headWith({ version: '1.0', exportedAt: document.exportedAt }, document.entityCount);
  }
}

export class JsonV2Writer extends JsonWriter {
  head(document: ExportDocument): string {
    return headWith(
      {
        version: '2.0',
        exportedAt: document.exportedAt,
        namespace: document.namespace,
        incremental: document.since !== undefined,
        since: document.since,
        stats: {
          entityCount: document.entityCount,
          relationshipCount: document.relationshipCount,
          exportTimeMs: document.exportTimeMs,
        },
      },
      document.entityCount,
    );
  }
}
