/**
 * Streams a store into one of yata-local's file formats without holding the
 * graph in memory and without yata-local's 100,000-entity cap.
 *
 * Entities are read a page at a time with `store.query()` (sorted by name,
 * then id), and each page's outgoing relationships come with it. Entity and
 * relationship text goes to two temporary files. These are then joined with
 * the format's header, which for JSON 2.0 contains the final counts.
 */

import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Writable } from 'node:stream';

import { InvalidInputError } from '../../errors.js';
import type { YataScale } from '../../store.js';
import type { Entity, Relationship } from '../../types.js';
import type { ExportDocument, FormatWriter } from './format.js';
import { GraphmlWriter } from './graphml.js';
import { JsonV1Writer, JsonV2Writer } from './json.js';
import { NTriplesWriter } from './ntriples.js';
import { TextSink } from './streams.js';

/** `json` is yata-local's version 2.0 export; `json-v1` its `exportJson` shape; `rdf` is an alias of `ntriples`. */
export type ExportFormat = 'json' | 'json-v1' | 'graphml' | 'ntriples' | 'rdf';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['json', 'json-v1', 'graphml', 'ntriples', 'rdf'];

export interface ExportOptions {
  format: ExportFormat;
  /** Export only entities of this exact namespace. */
  namespace?: string;
  /** Export only entities whose `updatedAt` is at or after this time. */
  since?: Date | string;
  /**
   * Entities per `store.query()` page. Defaults to 20,000. Each page costs
   * the engine a scan of every entity, so larger pages export faster and
   * hold more records in memory at once.
   */
  pageSize?: number;
}

/** yata-local's `ExportResult`, without `content` because the output is always streamed. */
export interface ExportResult {
  success: true;
  format: ExportFormat;
  entityCount: number;
  relationshipCount: number;
  /** Bytes written. */
  fileSize: number;
  exportTimeMs: number;
  outputPath?: string;
}

const DEFAULT_PAGE_SIZE = 20_000;

function writerFor(format: ExportFormat): FormatWriter {
  switch (format) {
    case 'json':
      return new JsonV2Writer();
    case 'json-v1':
      return new JsonV1Writer();
    case 'graphml':
      return new GraphmlWriter();
    case 'ntriples':
    case 'rdf':
      return new NTriplesWriter();
    default:
      throw new InvalidInputError('format', format, `must be one of ${EXPORT_FORMATS.join(', ')}`);
  }
}

/**
 * Writes the entities of `store` (all, or those of `namespace` and updated
 * since `since`) and the relationships whose source and target are both
 * exported. `output` is a file path, written through a temporary file and
 * renamed into place, or a stream, which is left open.
 */
export async function exportGraph(store: YataScale, output: string | Writable, options: ExportOptions): Promise<ExportResult> {
  const started = performance.now();
  const writer = writerFor(options.format);
  const since = parseSince(options.since);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) {
    throw new InvalidInputError('pageSize', pageSize, 'must be a whole number of at least 1');
  }
  const exportedAt = new Date().toISOString();

  const spool = await mkdtemp(join(tmpdir(), 'yata-scale-export-'));
  try {
    const entityPart = join(spool, 'entities');
    const relationshipPart = join(spool, 'relationships');
    const counts = await writeParts(store, writer, { namespace: options.namespace, since, pageSize }, entityPart, relationshipPart);

    const document: ExportDocument = {
      exportedAt,
      namespace: options.namespace,
      since: since?.toISOString(),
      entityCount: counts.entities,
      relationshipCount: counts.relationships,
      exportTimeMs: Math.round(performance.now() - started),
    };
    const outputPath = typeof output === 'string' ? resolve(output) : undefined;
    const fileSize = await assemble(output, writer, document, entityPart, relationshipPart);
    return {
      success: true,
      format: options.format,
      entityCount: counts.entities,
      relationshipCount: counts.relationships,
      fileSize,
      exportTimeMs: Math.round(performance.now() - started),
      outputPath,
    };
  } finally {
    await rm(spool, { recursive: true, force: true });
  }
}

function parseSince(since: Date | string | undefined): Date | undefined {
  if (since === undefined) return undefined;
  const time = since instanceof Date ? since : new Date(since);
  if (Number.isNaN(time.getTime())) {
    throw new InvalidInputError('since', since, 'must be a Date or an ISO-8601 timestamp such as 2025-01-31T00:00:00Z');
  }
  return time;
}

interface Filter {
  namespace?: string;
  since?: Date;
  pageSize: number;
}

/** Pages through the store, writing entity and relationship text to the two part files; returns the counts. */
async function writeParts(
  store: YataScale,
  writer: FormatWriter,
  filter: Filter,
  entityPath: string,
  relationshipPath: string,
): Promise<{ entities: number; relationships: number }> {
  const entityStream = createWriteStream(entityPath);
  const relationshipStream = createWriteStream(relationshipPath);
  try {
    return await writePages(store, writer, filter, new TextSink(entityStream), new TextSink(relationshipStream));
  } finally {
    entityStream.destroy();
    relationshipStream.destroy();
  }
}

async function writePages(
  store: YataScale,
  writer: FormatWriter,
  filter: Filter,
  entitySink: TextSink,
  relationshipSink: TextSink,
): Promise<{ entities: number; relationships: number }> {
  const filtered = filter.namespace !== undefined || filter.since !== undefined;
  const selected = (entity: Entity) =>
    (filter.namespace === undefined || entity.namespace === filter.namespace) &&
    (filter.since === undefined || entity.updatedAt.getTime() >= filter.since.getTime());

  let entities = 0;
  let relationships = 0;
  let offset = 0;
  for (;;) {
    const page = await store.query(
      { entityFilters: filter.namespace === undefined ? undefined : { namespace: filter.namespace }, includeRelationships: true },
      { limit: filter.pageSize, offset },
    );
    const pageEntities = page.entities.filter(selected);
    for (const entity of pageEntities) await entitySink.write(writer.entity(entity, entities++));

    const outgoing = await outgoingOfPage(store, pageEntities, page.relationships, filtered ? selected : undefined);
    for (const relationship of outgoing) await relationshipSink.write(writer.relationship(relationship, relationships++));

    offset += page.entities.length;
    if (!page.hasMore || page.entities.length === 0) break;
  }
  await entitySink.end();
  await relationshipSink.end();
  return { entities, relationships };
}

/**
 * Returns the relationships whose source is on the page and whose target is
 * exported too, grouped by source in page order and sorted by id within a
 * source, so equal stores give byte-identical files.
 */
async function outgoingOfPage(
  store: YataScale,
  pageEntities: Entity[],
  touching: Relationship[],
  selected: ((entity: Entity) => boolean) | undefined,
): Promise<Relationship[]> {
  const bySource = new Map<string, Relationship[]>(pageEntities.map((entity) => [entity.id, []]));
  for (const relationship of touching) bySource.get(relationship.sourceId)?.push(relationship);

  let targetSelected: (id: string) => boolean = () => true;
  if (selected) {
    const known = new Map(pageEntities.map((entity) => [entity.id, true]));
    const unknown = [...new Set([...bySource.values()].flat().map((r) => r.targetId))].filter((id) => !known.has(id));
    const targets = await store.getEntities(unknown);
    unknown.forEach((id, i) => {
      const entity = targets[i];
      known.set(id, entity ? selected(entity) : false);
    });
    targetSelected = (id) => known.get(id) === true;
  }

  const result: Relationship[] = [];
  for (const list of bySource.values()) {
    list.sort(compareIds);
    for (const relationship of list) if (targetSelected(relationship.targetId)) result.push(relationship);
  }
  return result;
}

function compareIds(a: { id: string }, b: { id: string }): number {
  if (a.id === b.id) return 0;
  return a.id < b.id ? -1 : 1;
}

/** Writes head, entity part, separator, relationship part and tail to `output`; returns the bytes written. */
async function assemble(
  output: string | Writable,
  writer: FormatWriter,
  document: ExportDocument,
  entityPath: string,
  relationshipPath: string,
): Promise<number> {
  const target = typeof output === 'string' ? resolve(output) : undefined;
  const partial = target ? join(dirname(target), `.${basename(target)}.${process.pid}.partial`) : undefined;
  const stream = partial ? createWriteStream(partial) : (output as Writable);
  const sink = new TextSink(stream);
  try {
    await sink.write(writer.head(document));
    await sink.flush();
    await copyFile(entityPath, stream);
    await sink.write(writer.between(document));
    await sink.flush();
    await copyFile(relationshipPath, stream);
    await sink.write(writer.tail(document));
    if (partial && target) {
      await sink.end();
      await rename(partial, target);
    } else {
      await sink.flush();
    }
  } catch (error) {
    if (partial) {
      stream.destroy();
      await rm(partial, { force: true });
    }
    throw error;
  }
  const copied = (await stat(entityPath)).size + (await stat(relationshipPath)).size;
  return sink.bytes + copied;
}

/** Copies a file into `stream` without ending it, honouring back-pressure. */
async function copyFile(path: string, stream: Writable): Promise<void> {
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    if (!stream.write(chunk)) {
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          stream.off('error', onError);
          resolve();
        };
        const onError = (error: Error) => {
          stream.off('drain', onDrain);
          reject(error);
        };
        stream.once('drain', onDrain);
        stream.once('error', onError);
      });
    }
  }
}
