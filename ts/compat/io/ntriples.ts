/**
 * RDF N-Triples export in yata-local's vocabulary (`@nahisaho/yata-local`
 * 2.4.6, `exportToRdf` in `src/io.ts`), base `http://yata.local/`:
 *
 * - entity `<base>entity/{id}`: rdf:type `<base>type/{type}`, rdfs:label name,
 *   `<base>namespace`, `<base>filePath` and rdfs:comment description (each
 *   when non-empty), `<base>line` (xsd:integer), `<base>metadata` (JSON text,
 *   when non-empty), dcterms:created and dcterms:modified (xsd:dateTime);
 * - relationship: `<entity/source> <base>rel/{type} <entity/target>`, and when
 *   the weight is not 1 or metadata is non-empty, a reified statement
 *   `<base>relationship/{id}` with rdf:subject/predicate/object,
 *   `<base>weight` (xsd:float) and `<base>metadata`.
 *
 * Differences from yata-local: the type in `type/` and `rel/` IRIs is
 * percent-encoded like ids (yata-local's own types are unchanged by it), so
 * a type with a space still gives a valid IRI; every line ends with a line
 * feed. N-Triples is export-only here.
 */

import type { Entity, Relationship } from '../../types.js';
import type { FormatWriter } from './format.js';

export const RDF_BASE = 'http://yata.local/';

const RDF = 'http://www.w3.org/1999/02/22-rdf-syntax-ns#';
const RDFS = 'http://www.w3.org/2000/01/rdf-schema#';
const DCTERMS = 'http://purl.org/dc/terms/';
const XSD = 'http://www.w3.org/2001/XMLSchema#';

/** Escapes a literal as yata-local does; N-Triples allows these escapes and any other UTF-8 text. */
function literal(text: string): string {
  const escaped = text
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  return `"${escaped}"`;
}

const entityIri = (id: string) => `<${RDF_BASE}entity/${encodeURIComponent(id)}>`;

export class NTriplesWriter implements FormatWriter {
  entity(entity: Entity): string {
    const subject = entityIri(entity.id);
    const lines = [
      `${subject} <${RDF}type> <${RDF_BASE}type/${encodeURIComponent(entity.type)}> .`,
      `${subject} <${RDFS}label> ${literal(entity.name)} .`,
    ];
    if (entity.namespace) lines.push(`${subject} <${RDF_BASE}namespace> ${literal(entity.namespace)} .`);
    if (entity.filePath) lines.push(`${subject} <${RDF_BASE}filePath> ${literal(entity.filePath)} .`);
    if (entity.line !== undefined) lines.push(`${subject} <${RDF_BASE}line> "${entity.line}"^^<${XSD}integer> .`);
    if (entity.description) lines.push(`${subject} <${RDFS}comment> ${literal(entity.description)} .`);
    if (Object.keys(entity.metadata).length > 0) {
      lines.push(`${subject} <${RDF_BASE}metadata> ${literal(JSON.stringify(entity.metadata))} .`);
    }
    lines.push(`${subject} <${DCTERMS}created> "${entity.createdAt.toISOString()}"^^<${XSD}dateTime> .`);
    lines.push(`${subject} <${DCTERMS}modified> "${entity.updatedAt.toISOString()}"^^<${XSD}dateTime> .`);
    return lines.join('\n') + '\n';
  }

  relationship(relationship: Relationship): string {
    const subject = entityIri(relationship.sourceId);
    const predicate = `<${RDF_BASE}rel/${encodeURIComponent(relationship.type)}>`;
    const object = entityIri(relationship.targetId);
    const lines = [`${subject} ${predicate} ${object} .`];
    const hasMetadata = Object.keys(relationship.metadata).length > 0;
    if (relationship.weight !== 1 || hasMetadata) {
      const statement = `<${RDF_BASE}relationship/${encodeURIComponent(relationship.id)}>`;
      lines.push(`${statement} <${RDF}subject> ${subject} .`);
      lines.push(`${statement} <${RDF}predicate> ${predicate} .`);
      lines.push(`${statement} <${RDF}object> ${object} .`);
      if (relationship.weight !== 1) lines.push(`${statement} <${RDF_BASE}weight> "${relationship.weight}"^^<${XSD}float> .`);
      if (hasMetadata) lines.push(`${statement} <${RDF_BASE}metadata> ${literal(JSON.stringify(relationship.metadata))} .`);
    }
    return lines.join('\n') + '\n';
  }

  head(): string {
    return '';
  }

  between(): string {
    return '';
  }

  tail(): string {
    return '';
  }
}
