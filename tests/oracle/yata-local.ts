/**
 * Typed access to the real `@nahisaho/yata-local` 2.4.6 for the
 * compatibility tests. Only the calls the tests make are typed.
 */

import { ensureOracle } from './install.js';

export interface YlEntity {
  id: string;
  type: string;
  name: string;
  namespace: string;
  filePath?: string;
  line?: number;
  description?: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

export interface YlRelationship {
  id: string;
  sourceId: string;
  targetId: string;
  type: string;
  weight: number;
  metadata: Record<string, unknown>;
  createdAt: Date;
}

export type YlNewEntity = Omit<YlEntity, 'id' | 'createdAt' | 'updatedAt' | 'metadata'> & { metadata?: Record<string, unknown> };

export interface YlQuery {
  entityFilters?: { types?: string | string[]; namespace?: string; namePattern?: string };
  relationshipFilters?: { types?: string[] };
  textSearch?: string;
  includeRelationships?: boolean;
}

export interface YlImportResult {
  success: boolean;
  entitiesCreated: number;
  entitiesUpdated: number;
  entitiesSkipped: number;
  relationshipsCreated: number;
  relationshipsSkipped: number;
  errors: { id: string; reason: string }[];
}

export interface YataLocal {
  open(): Promise<void>;
  close(): Promise<void>;
  addEntity(entity: YlNewEntity): Promise<string>;
  addEntities(entities: YlNewEntity[]): Promise<string[]>;
  updateEntity(id: string, updates: Partial<YlNewEntity>): Promise<void>;
  getEntity(id: string): Promise<YlEntity | null>;
  addRelationship(sourceId: string, targetId: string, type: string, metadata?: Record<string, unknown>): Promise<string>;
  getRelationships(id: string, direction?: 'in' | 'out' | 'both'): Promise<YlRelationship[]>;
  query(
    query: YlQuery,
    options?: { limit?: number; offset?: number },
  ): Promise<{ entities: YlEntity[]; relationships: YlRelationship[]; totalCount: number; hasMore: boolean }>;
  findPath(
    from: string,
    to: string,
    options?: { maxDepth?: number; relationshipTypes?: string[]; direction?: 'forward' | 'backward' | 'both' },
  ): Promise<{ entities: YlEntity[]; relationships: YlRelationship[]; length: number } | null>;
  getNeighbors(
    id: string,
    options?: { direction?: 'in' | 'out' | 'both'; relationshipTypes?: string[]; entityTypes?: string[] },
  ): Promise<{ entity: YlEntity; relationship: YlRelationship }[]>;
  getStats(): Promise<{
    entityCount: number;
    relationshipCount: number;
    entitiesByType: Record<string, number>;
    relationshipsByType: Record<string, number>;
  }>;
  rawQuery<T = unknown>(sql: string, params?: unknown[]): Promise<T[]>;
  exportJson(filePath?: string): Promise<unknown>;
  export(options: {
    format: 'json' | 'rdf' | 'graphml';
    namespace?: string;
    since?: Date;
    outputPath?: string;
  }): Promise<{ entityCount: number; relationshipCount: number; content?: string }>;
  import(input: string, options: { format: 'json' | 'rdf' | 'graphml'; mergeStrategy: 'skip' | 'overwrite' | 'merge'; dryRun?: boolean }): Promise<YlImportResult>;
}

interface YataLocalModule {
  createYataLocal(config: { path: string }): YataLocal;
}

/** Installs yata-local when needed and opens (creating) the database at `path`. */
export async function openYataLocal(path: string): Promise<YataLocal> {
  const module = (await import(await ensureOracle())) as YataLocalModule;
  const yl = module.createYataLocal({ path });
  await yl.open();
  return yl;
}
