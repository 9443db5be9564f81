/**
 * Temp-directory stores for the API tests. Each store lives in its own fresh
 * directory under os.tmpdir(). `useTempStores()` registers an afterEach hook
 * that closes every handle the test created and removes the directories.
 */

import { afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createYataScale, type YataScale } from '../../ts/index.js';
import type { Entity, GraphStats, Relationship, YataScaleConfig } from '../../ts/index.js';

export interface TempStores {
  /** Returns the path of a store directory that does not exist yet, inside a fresh temp directory. */
  newPath(): Promise<string>;
  /** Creates a handle without opening it; it is closed after the test. */
  create(config: YataScaleConfig): YataScale;
  /** Opens a store at `config.path`, or in a fresh temp directory when no path is given. */
  open(config?: YataScaleConfig): Promise<YataScale>;
}

/** Registers cleanup for the calling test file and returns the store factory. */
export function useTempStores(): TempStores {
  const dirs: string[] = [];
  const handles: YataScale[] = [];

  afterEach(async () => {
    const closing = handles.splice(0).map((store) => store.close());
    await Promise.allSettled(closing);
    const removing = dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true }));
    await Promise.all(removing);
  });

  const newPath = async (): Promise<string> => {
    const dir = await mkdtemp(join(tmpdir(), 'yata-scale-test-'));
    dirs.push(dir);
    return join(dir, 'store');
  };

  const create = (config: YataScaleConfig): YataScale => {
    const store = createYataScale(config);
    handles.push(store);
    return store;
  };

  const open = async (config: YataScaleConfig = {}): Promise<YataScale> => {
    const path = config.path ?? (await newPath());
    const store = create({ ...config, path });
    await store.initialize();
    return store;
  };

  return { newPath, create, open };
}

/** The counters of `getStats()` without byte sizes, because sled's background flush changes sizes even when nothing is written. */
export interface StatsCounts {
  entityCount: number;
  relationshipCount: number;
  entitiesByType: Record<string, number>;
  relationshipsByType: Record<string, number>;
  shards: { shardId: string; entityCount: number; relationshipCount: number }[];
}

export function countsOf(stats: GraphStats): StatsCounts {
  return {
    entityCount: stats.entityCount,
    relationshipCount: stats.relationshipCount,
    entitiesByType: stats.entitiesByType,
    relationshipsByType: stats.relationshipsByType,
    shards: stats.shards.map(({ shardId, entityCount, relationshipCount }) => ({ shardId, entityCount, relationshipCount })),
  };
}

/** The observable state of a store: its counters, the given entities and all their relationships. */
export interface StoreSnapshot {
  counts: StatsCounts;
  entities: (Entity | null)[];
  relationships: Relationship[][];
}

export async function snapshot(store: YataScale, ids: string[]): Promise<StoreSnapshot> {
  const counts = countsOf(await store.getStats());
  const entities = await store.getEntities(ids);
  const relationships: Relationship[][] = [];
  for (const entity of entities) {
    const rels = entity ? await store.getRelationships(entity.id, 'both') : [];
    relationships.push(sortById(rels));
  }
  return { counts, entities, relationships };
}

/** Returns a copy of `items` sorted by id in code-unit order. */
export function sortById<T extends { id: string }>(items: T[]): T[] {
  const compareIds = (a: T, b: T): number => {
    if (a.id < b.id) return -1;
    if (a.id > b.id) return 1;
    return 0;
  };
  return [...items].sort(compareIds);
}

/** Returns `count` ids of the form `${prefix}${n}` that `shardOf` places on pairwise different shards. */
export function idsOnDistinctShards(store: YataScale, prefix: string, count: number): string[] {
  const byShard = new Map<string, string>();
  for (let n = 0; byShard.size < count; n++) {
    if (n > 10_000) throw new Error(`found only ${byShard.size} of ${count} shards for prefix ${prefix}`);
    const id = `${prefix}${n}`;
    const shard = store.shardOf(id);
    if (!byShard.has(shard)) byShard.set(shard, id);
  }
  return [...byShard.values()];
}
