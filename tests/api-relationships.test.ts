import { describe, it, expect } from 'vitest';

import type { Relationship, YataScale } from '../ts/index.js';
import { idsOnDistinctShards, useTempStores } from './helpers/store.js';

const stores = useTempStores();

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function idsOf(relationships: Relationship[]): string[] {
  return relationships.map((rel) => rel.id).sort();
}

/** Sums the per-shard counters of `getStats()`. */
async function shardTotals(store: YataScale): Promise<{ entities: number; relationships: number }> {
  const { shards } = await store.getStats();
  return {
    entities: shards.reduce((sum, shard) => sum + shard.entityCount, 0),
    relationships: shards.reduce((sum, shard) => sum + shard.relationshipCount, 0),
  };
}

/**
 * Opens a 4-shard store with one entity on each shard (`hub`, `a`, `b`, `c`
 * in shard order) and returns their ids.
 */
async function openSpreadStore(): Promise<{ store: YataScale; hub: string; a: string; b: string; c: string }> {
  const store = await stores.open({ shards: 4 });
  const [hub, a, b, c] = idsOnDistinctShards(store, 'node-', 4) as [string, string, string, string];
  await store.addEntities([hub, a, b, c].map((id) => ({ id, type: 'class', name: id })));
  return { store, hub, a, b, c };
}

describe('addRelationship', () => {
  it('takes source, target, type, metadata', async () => {
    const store = await stores.open({ shards: 4 });
    await store.addEntities([
      { id: 'caller', type: 'function', name: 'caller' },
      { id: 'callee', type: 'function', name: 'callee' },
    ]);

    const id = await store.addRelationship('caller', 'callee', 'calls', { line: 7, async: false });
    const [rel] = await store.getRelationships('caller', 'out');

    expect(id).toMatch(UUID);
    expect(rel?.id).toBe(id);
    expect(rel?.sourceId).toBe('caller');
    expect(rel?.targetId).toBe('callee');
    expect(rel?.type).toBe('calls');
    expect(rel?.metadata).toEqual({ line: 7, async: false });
    expect(rel?.createdAt).toBeInstanceOf(Date);
  });

  it('weight defaults to 1', async () => {
    const store = await stores.open();
    await store.addEntities([
      { id: 'x', type: 'class', name: 'X' },
      { id: 'y', type: 'class', name: 'Y' },
    ]);

    await store.addRelationship('x', 'y', 'uses');
    const [rel] = await store.getRelationships('x', 'out');

    expect(rel?.weight).toBe(1);
    expect(rel?.metadata).toEqual({});
  });

  it('takes id and weight options', async () => {
    const store = await stores.open();
    await store.addEntities([
      { id: 'x', type: 'class', name: 'X' },
      { id: 'y', type: 'class', name: 'Y' },
    ]);

    const id = await store.addRelationship('x', 'y', 'extends', undefined, { id: 'rel:x-y', weight: 0.25 });
    const [rel] = await store.getRelationships('y', 'in');

    expect(id).toBe('rel:x-y');
    expect(rel?.id).toBe('rel:x-y');
    expect(rel?.weight).toBe(0.25);
  });

  it('allows a self loop', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'rec', type: 'function', name: 'recurse' });

    const id = await store.addRelationship('rec', 'rec', 'calls');

    expect(idsOf(await store.getRelationships('rec', 'out'))).toEqual([id]);
    expect(idsOf(await store.getRelationships('rec', 'in'))).toEqual([id]);
    expect(idsOf(await store.getRelationships('rec', 'both'))).toEqual([id]);
  });
});

describe('addRelationships', () => {
  it('writes a batch across shards', async () => {
    const { store, hub, a, b, c } = await openSpreadStore();

    const ids = await store.addRelationships([
      { sourceId: hub, targetId: a, type: 'calls' },
      { sourceId: hub, targetId: b, type: 'imports', weight: 3, metadata: { kind: 'named' } },
      { id: 'rel:c-hub', sourceId: c, targetId: hub, type: 'extends', createdAt: '2024-01-01T00:00:00.000Z' },
    ]);

    expect(ids).toHaveLength(3);
    expect(ids[2]).toBe('rel:c-hub');
    const stats = await store.getStats();
    expect(stats.relationshipCount).toBe(3);
    expect(stats.relationshipsByType).toEqual({ calls: 1, imports: 1, extends: 1 });
    const rels = await store.getRelationships(hub, 'both');
    const imports = rels.find((rel) => rel.type === 'imports');
    expect(imports?.weight).toBe(3);
    expect(imports?.metadata).toEqual({ kind: 'named' });
    const extendsRel = rels.find((rel) => rel.id === 'rel:c-hub');
    expect(extendsRel?.createdAt.toISOString()).toBe('2024-01-01T00:00:00.000Z');
  });
});

describe('getRelationships', () => {
  it('returns exact in, out and both sets', async () => {
    const { store, hub, a, b, c } = await openSpreadStore();
    const hubToA = await store.addRelationship(hub, a, 'calls');
    const hubToB = await store.addRelationship(hub, b, 'calls');
    const cToHub = await store.addRelationship(c, hub, 'uses');
    const aToHub = await store.addRelationship(a, hub, 'references');
    const bToC = await store.addRelationship(b, c, 'calls');

    expect(idsOf(await store.getRelationships(hub, 'out'))).toEqual([hubToA, hubToB].sort());
    expect(idsOf(await store.getRelationships(hub, 'in'))).toEqual([cToHub, aToHub].sort());
    expect(idsOf(await store.getRelationships(hub, 'both'))).toEqual([hubToA, hubToB, cToHub, aToHub].sort());
    expect(idsOf(await store.getRelationships(hub))).toEqual([hubToA, hubToB, cToHub, aToHub].sort());
    expect(idsOf(await store.getRelationships(b, 'out'))).toEqual([bToC]);
    expect(idsOf(await store.getRelationships(b, 'in'))).toEqual([hubToB]);
    expect(idsOf(await store.getRelationships(c, 'both'))).toEqual([cToHub, bToC].sort());
  });

  it('returns full records on both ends', async () => {
    const { store, hub, a } = await openSpreadStore();
    const id = await store.addRelationship(hub, a, 'implements', { via: 'decl' }, { weight: 2.5 });

    const [fromSource] = await store.getRelationships(hub, 'out');
    const [fromTarget] = await store.getRelationships(a, 'in');

    expect(fromSource).toEqual(fromTarget);
    expect(fromTarget).toMatchObject({ id, sourceId: hub, targetId: a, type: 'implements', weight: 2.5, metadata: { via: 'decl' } });
  });

  it('accepts forward and backward', async () => {
    const { store, hub, a } = await openSpreadStore();
    const id = await store.addRelationship(hub, a, 'calls');

    expect(idsOf(await store.getRelationships(hub, 'forward' as 'out'))).toEqual([id]);
    expect(idsOf(await store.getRelationships(a, 'backward' as 'in'))).toEqual([id]);
    expect(await store.getRelationships(hub, 'backward' as 'in')).toEqual([]);
  });

  it('returns an empty list without relationships', async () => {
    const store = await stores.open();
    await store.addEntity({ id: 'lonely', type: 'class', name: 'Lonely' });

    expect(await store.getRelationships('lonely', 'both')).toEqual([]);
  });
});

describe('deleteRelationship', () => {
  it('removes it from both ends', async () => {
    const { store, hub, a } = await openSpreadStore();
    const keep = await store.addRelationship(hub, a, 'calls');
    const drop = await store.addRelationship(hub, a, 'uses');

    await store.deleteRelationship(drop);

    expect(idsOf(await store.getRelationships(hub, 'out'))).toEqual([keep]);
    expect(idsOf(await store.getRelationships(a, 'in'))).toEqual([keep]);
    const stats = await store.getStats();
    expect(stats.relationshipCount).toBe(1);
    expect(stats.relationshipsByType).toEqual({ calls: 1 });
    expect(stats.entityCount).toBe(4);
  });
});

describe('deleteEntity cascade', () => {
  it('endpoints sit on different shards', async () => {
    const { store, hub, a, b, c } = await openSpreadStore();

    const shards = [hub, a, b, c].map((id) => store.shardOf(id));

    expect(new Set(shards).size).toBe(4);
    const perShard = (await store.getStats()).shards.map((shard) => shard.entityCount);
    expect(perShard).toEqual([1, 1, 1, 1]);
  });

  it('removes relationships in both directions', async () => {
    const { store, hub, a, b, c } = await openSpreadStore();
    await store.addRelationship(hub, a, 'calls');
    await store.addRelationship(hub, b, 'calls');
    await store.addRelationship(c, hub, 'uses');
    await store.addRelationship(a, hub, 'references');
    const survivor = await store.addRelationship(b, c, 'calls');
    const before = await store.getStats();
    expect(before.entityCount).toBe(4);
    expect(before.relationshipCount).toBe(5);

    await store.deleteEntity(hub);

    expect(await store.getEntity(hub)).toBeNull();
    expect(await store.getRelationships(a, 'both')).toEqual([]);
    expect(idsOf(await store.getRelationships(b, 'both'))).toEqual([survivor]);
    expect(idsOf(await store.getRelationships(c, 'both'))).toEqual([survivor]);
    const after = await store.getStats();
    expect(after.entityCount).toBe(3);
    expect(after.relationshipCount).toBe(1);
    expect(after.relationshipsByType).toEqual({ calls: 1 });
    expect(await shardTotals(store)).toEqual({ entities: 3, relationships: 1 });
    const hubShard = after.shards.find((shard) => shard.shardId === store.shardOf(hub));
    expect(hubShard?.entityCount).toBe(0);
  });

  it('cleans every shard for a hub', async () => {
    const store = await stores.open({ shards: 4 });
    const spokes = Array.from({ length: 40 }, (_, i) => `spoke-${i}`);
    await store.addEntities([{ id: 'hub', type: 'module', name: 'hub' }, ...spokes.map((id) => ({ id, type: 'function', name: id }))]);
    await store.addRelationships(spokes.flatMap((id) => [
      { sourceId: 'hub', targetId: id, type: 'contains' },
      { sourceId: id, targetId: 'hub', type: 'member_of' },
    ]));
    const spokeShards = new Set(spokes.map((id) => store.shardOf(id)));
    expect(spokeShards.size).toBe(4);
    expect((await store.getStats()).relationshipCount).toBe(80);

    await store.deleteEntity('hub');

    const stats = await store.getStats();
    expect(stats.entityCount).toBe(40);
    expect(stats.relationshipCount).toBe(0);
    expect(stats.relationshipsByType).toEqual({});
    for (const shard of stats.shards) {
      expect(shard.relationshipCount, shard.shardId).toBe(0);
    }
    for (const id of spokes) {
      expect(await store.getRelationships(id, 'both'), id).toEqual([]);
    }
  });

  it('frees the id without old relationships', async () => {
    const { store, hub, a } = await openSpreadStore();
    await store.addRelationship(hub, a, 'calls');
    await store.addRelationship(a, hub, 'calls');

    await store.deleteEntity(hub);
    await store.addEntity({ id: hub, type: 'class', name: 'reborn' });

    expect(await store.getRelationships(hub, 'both')).toEqual([]);
    expect(await store.getRelationships(a, 'both')).toEqual([]);
  });
});
