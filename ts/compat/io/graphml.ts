/**
 * GraphML in yata-local's layout (`@nahisaho/yata-local` 2.4.6,
 * `formatAsGraphML` and `importFromGraphML` in `src/io.ts`), with extra keys
 * so that a round trip keeps every field.
 *
 * yata-local's keys: node `type`, `name`, `namespace`, `filePath`,
 * `description`, `metadata` (JSON text, left out when empty); edge `relType`
 * (attr.name `type`) and `weight`. Node and edge ids are the `id`
 * attributes. Plain yata-local GraphML therefore lacks an entity's `line`,
 * `createdAt` and `updatedAt` and a relationship's `metadata` and
 * `createdAt`; yata-local's importer sets the missing times to the time of
 * the import and relationship metadata to {}.
 *
 * Extra keys written here: node `line` (int), `createdAt`, `updatedAt`;
 * edge `edgeMetadata` (attr.name `metadata`) and `edgeCreatedAt` (attr.name
 * `createdAt`). yata-local's regex importer ignores keys it does not know, so
 * it still reads these files.
 *
 * The reader resolves `<data key>` through the `<key>` declarations (by
 * domain and attr.name), falling back to the key id, so files of other
 * GraphML writers whose keys carry the same attribute names are read too.
 */

import { InvalidInputError } from '../../errors.js';
import type { Entity, Relationship } from '../../types.js';
import type { ExportDocument, FormatWriter } from './format.js';
import type { GraphRecord } from './records-input.js';
import { XmlTokenizer, type XmlToken } from './xml-tokenizer.js';

const HEADER = [
  '<?xml version="1.0" encoding="UTF-8"?>',
  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"',
  '         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"',
  '         xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns',
  '         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
  // yata-local's keys, in its order.
  '  <key id="type" for="node" attr.name="type" attr.type="string"/>',
  '  <key id="name" for="node" attr.name="name" attr.type="string"/>',
  '  <key id="namespace" for="node" attr.name="namespace" attr.type="string"/>',
  '  <key id="filePath" for="node" attr.name="filePath" attr.type="string"/>',
  '  <key id="description" for="node" attr.name="description" attr.type="string"/>',
  '  <key id="metadata" for="node" attr.name="metadata" attr.type="string"/>',
  '  <key id="relType" for="edge" attr.name="type" attr.type="string"/>',
  '  <key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
  // yata-scale's keys for the fields yata-local does not export.
  '  <key id="line" for="node" attr.name="line" attr.type="int"/>',
  '  <key id="createdAt" for="node" attr.name="createdAt" attr.type="string"/>',
  '  <key id="updatedAt" for="node" attr.name="updatedAt" attr.type="string"/>',
  '  <key id="edgeMetadata" for="edge" attr.name="metadata" attr.type="string"/>',
  '  <key id="edgeCreatedAt" for="edge" attr.name="createdAt" attr.type="string"/>',
  '  <graph id="G" edgedefault="directed">',
].join('\n');

/**
 * Escapes text for element content and attribute values. A carriage return
 * becomes a character reference, because XML parsers turn a literal one into
 * a line feed. Tab and line feed stay literal in content.
 */
function escapeXml(text: string, attribute = false): string {
  let escaped = text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;');
  if (attribute) escaped = escaped.replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
  return escaped;
}

const data = (key: string, value: string) => `      <data key="${key}">${escapeXml(value)}</data>\n`;

export class GraphmlWriter implements FormatWriter {
  entity(entity: Entity): string {
    let text = `    <node id="${escapeXml(entity.id, true)}">\n`;
    text += data('type', entity.type);
    text += data('name', entity.name);
    text += data('namespace', entity.namespace);
    if (entity.filePath !== undefined) text += data('filePath', entity.filePath);
    if (entity.description !== undefined) text += data('description', entity.description);
    if (Object.keys(entity.metadata).length > 0) text += data('metadata', JSON.stringify(entity.metadata));
    if (entity.line !== undefined) text += data('line', String(entity.line));
    text += data('createdAt', entity.createdAt.toISOString());
    text += data('updatedAt', entity.updatedAt.toISOString());
    return text + '    </node>\n';
  }

  relationship(relationship: Relationship): string {
    let text =
      `    <edge id="${escapeXml(relationship.id, true)}" source="${escapeXml(relationship.sourceId, true)}" ` +
      `target="${escapeXml(relationship.targetId, true)}">\n`;
    text += data('relType', relationship.type);
    text += data('weight', String(relationship.weight));
    if (Object.keys(relationship.metadata).length > 0) text += data('edgeMetadata', JSON.stringify(relationship.metadata));
    text += data('edgeCreatedAt', relationship.createdAt.toISOString());
    return text + '    </edge>\n';
  }

  head(): string {
    return HEADER + '\n';
  }

  between(): string {
    return '';
  }

  tail(_document: ExportDocument): string {
    return '  </graph>\n</graphml>\n';
  }
}

interface KeyDeclaration {
  domain: string;
  name: string;
}

interface OpenItem {
  kind: 'entity' | 'relationship';
  attributes: Record<string, string>;
  fields: Record<string, string>;
}

/**
 * Turns GraphML tokens into records in yata-local's JSON shape, applying
 * yata-local's defaults: node type `unknown`, name = id, namespace '';
 * edge type `related`, weight 1.
 */
class GraphmlRecordBuilder {
  readonly #keys = new Map<string, KeyDeclaration>();
  readonly #source: string;
  #item: OpenItem | undefined;
  #dataKey: string | undefined;
  #dataText = '';
  readonly #counts = { entity: 0, relationship: 0 };

  constructor(source: string) {
    this.#source = source;
  }

  take(token: XmlToken, records: GraphRecord[]): void {
    if (token.type === 'text') {
      if (this.#dataKey !== undefined) this.#dataText += token.text;
      return;
    }
    if (token.type === 'open') {
      this.#open(token, records);
      return;
    }
    if (token.name === 'data' && this.#dataKey !== undefined) {
      if (this.#item) this.#item.fields[this.#fieldName(this.#item.kind, this.#dataKey)] = this.#dataText;
      this.#dataKey = undefined;
    } else if ((token.name === 'node' || token.name === 'edge') && this.#item) {
      records.push(this.#finish(this.#item));
      this.#item = undefined;
    }
  }

  #open(token: Extract<XmlToken, { type: 'open' }>, records: GraphRecord[]): void {
    const { name, attributes } = token;
    if (name === 'key' && attributes.id !== undefined) {
      this.#keys.set(attributes.id, { domain: attributes.for ?? 'all', name: attributes['attr.name'] ?? attributes.id });
      return;
    }
    if (name === 'node' || name === 'edge') {
      if (this.#item) {
        throw new InvalidInputError('input', this.#source, `is not supported GraphML: a ${name} is nested in another node or edge`);
      }
      const item: OpenItem = { kind: name === 'node' ? 'entity' : 'relationship', attributes, fields: {} };
      if (token.selfClosing) records.push(this.#finish(item));
      else this.#item = item;
      return;
    }
    if (name === 'data' && this.#item) {
      this.#dataKey = attributes.key ?? '';
      this.#dataText = '';
      if (token.selfClosing) {
        this.#item.fields[this.#fieldName(this.#item.kind, this.#dataKey)] = '';
        this.#dataKey = undefined;
      }
    }
  }

  /** Maps a data key to a field name: its declared attr.name for this domain, else the key id. */
  #fieldName(kind: OpenItem['kind'], key: string): string {
    const declared = this.#keys.get(key);
    const domain = kind === 'entity' ? 'node' : 'edge';
    if (declared && (declared.domain === domain || declared.domain === 'all')) return declared.name;
    return kind === 'relationship' && key === 'relType' ? 'type' : key;
  }

  #finish(item: OpenItem): GraphRecord {
    const index = this.#counts[item.kind]++;
    const { attributes, fields } = item;
    const id = attributes.id ?? '';
    const problem = (reason: string): GraphRecord => ({ kind: item.kind, index, problem: { id: id || `${item.kind} #${index}`, reason } });

    const metadata = parseJsonField(fields.metadata);
    if (metadata === INVALID) return problem('metadata is not valid JSON');

    if (item.kind === 'entity') {
      if (!id) return problem('the node has no id attribute');
      const value: Record<string, unknown> = {
        id,
        type: fields.type || 'unknown',
        name: fields.name || id,
        namespace: fields.namespace ?? '',
        metadata: metadata ?? {},
      };
      if (fields.filePath !== undefined) value.filePath = fields.filePath;
      if (fields.description !== undefined) value.description = fields.description;
      if (fields.line !== undefined && fields.line !== '') {
        if (!/^\d+$/.test(fields.line.trim())) return problem(`line ${JSON.stringify(fields.line)} is not a whole number`);
        value.line = Number(fields.line.trim());
      }
      if (fields.createdAt) value.createdAt = fields.createdAt;
      if (fields.updatedAt) value.updatedAt = fields.updatedAt;
      return { kind: 'entity', index, value };
    }

    const weightText = fields.weight?.trim();
    const weight = weightText ? Number(weightText) : 1;
    if (!Number.isFinite(weight)) return problem(`weight ${JSON.stringify(fields.weight)} is not a number`);
    const value: Record<string, unknown> = {
      sourceId: attributes.source ?? '',
      targetId: attributes.target ?? '',
      type: fields.type || 'related',
      weight,
      metadata: metadata ?? {},
    };
    if (id) value.id = id;
    if (fields.createdAt) value.createdAt = fields.createdAt;
    return { kind: 'relationship', index, value };
  }
}

const INVALID = Symbol('invalid JSON');

function parseJsonField(text: string | undefined): unknown {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return INVALID;
  }
}

/**
 * Yields the nodes and edges of a GraphML document as records in file
 * order. Fails with `InvalidInputError` on XML it cannot tokenize.
 */
export async function* readGraphml(chunks: AsyncIterable<string>, source: string): AsyncGenerator<GraphRecord> {
  const tokenizer = new XmlTokenizer(source);
  const builder = new GraphmlRecordBuilder(source);
  const tokens: XmlToken[] = [];
  const records: GraphRecord[] = [];
  const drain = () => {
    for (const token of tokens.splice(0)) builder.take(token, records);
  };
  for await (const chunk of chunks) {
    tokenizer.push(chunk, tokens);
    drain();
    yield* records.splice(0);
  }
  tokenizer.end(tokens);
  drain();
  yield* records.splice(0);
}
