import { describe, it, expect } from 'vitest';

import {
  AlreadyExistsError,
  EntityNotFoundError,
  InvalidInputError,
  RelationshipNotFoundError,
  YataScaleError,
} from '../ts/index.js';
import type { EntityInput, JsonObject, YataScale } from '../ts/index.js';
import { snapshot, useTempStores } from './helpers/store.js';

const stores = useTempStores();

type ErrorClass = abstract new (...args: never[]) => YataScaleError;

/** Ids of the seeded entities plus ids that a rejected write might have created. */
const WATCHED_IDS = ['ent-alpha', 'ent-beta', 'ent-new', 'ent-batch-0', 'ent-batch-1', 'ent-batch-2'];

/** Opens a 4-shard store holding `ent-alpha` and `ent-beta` and relationship `rel-alpha-beta` between them. */
async function openSeeded(): Promise<YataScale> {
  const store = await stores.open({ shards: 4 });
  await store.addEntities([
    { id: 'ent-alpha', type: 'class', name: 'Alpha', filePath: 'src/alpha.ts', line: 1, description: 'first', metadata: { v: 1 } },
    { id: 'ent-beta', type: 'function', name: 'beta', namespace: 'lib' },
  ]);
  await store.addRelationship('ent-alpha', 'ent-beta', 'calls', { site: 4 }, { id: 'rel-alpha-beta' });
  return store;
}

/**
 * Runs `action`, which must fail with `errorClass` and `code` and a message
 * containing each of `mentions`, and checks that the store did not change.
 */
async function expectRejected(
  store: YataScale,
  action: () => Promise<unknown>,
  errorClass: ErrorClass,
  code: string,
  mentions: string[],
): Promise<YataScaleError> {
  const before = await snapshot(store, WATCHED_IDS);

  const error = await Promise.resolve()
    .then(action)
    .then(
      () => undefined,
      (caught: unknown) => caught,
    );

  expect(error, 'the call resolved instead of rejecting').toBeInstanceOf(errorClass);
  expect(error).toBeInstanceOf(YataScaleError);
  const typed = error as YataScaleError;
  expect(typed.code).toBe(code);
  for (const mention of mentions) {
    expect(typed.message).toContain(mention);
  }
  expect(await snapshot(store, WATCHED_IDS)).toEqual(before);
  return typed;
}

/** Builds an object whose `self` property refers back to it. */
function cyclicObject(): JsonObject {
  const value: JsonObject = { name: 'loop' };
  value.self = value;
  return value;
}

class SymbolInfo {
  kind = 'class';
}

const NON_PLAIN_METADATA: [string, unknown][] = [
  ['array', ['a', 'b']],
  ['string', 'text'],
  ['null', null],
  ['Map', new Map([['k', 'v']])],
  ['class instance', new SymbolInfo()],
  ['BigInt value', { size: 10n }],
  ['cycle', cyclicObject()],
];

const BAD_IDS = ['__proto__', 'a/b', 'has space'];

const ONE_MEGABYTE = 1024 * 1024;

describe('invalid entity fields', () => {
  it('empty name', async () => {
    const store = await openSeeded();

    const error = await expectRejected(
      store,
      () => store.addEntity({ id: 'ent-new', type: 'class', name: '' }),
      InvalidInputError,
      'INVALID_INPUT',
      ['name', 'must not be empty'],
    );

    expect((error as InvalidInputError).field).toBe('name');
  });

  it('blank name', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.addEntity({ id: 'ent-new', type: 'class', name: '   ' }), InvalidInputError, 'INVALID_INPUT', [
      'name',
    ]);
  });

  it('name of wrong type', async () => {
    const store = await openSeeded();
    const input = { id: 'ent-new', type: 'class', name: { first: 'x' } } as unknown as EntityInput;

    await expectRejected(store, () => store.addEntity(input), InvalidInputError, 'INVALID_INPUT', ['name', 'not an object']);
  });

  it('missing type', async () => {
    const store = await openSeeded();
    const input = { id: 'ent-new', name: 'NoType' } as unknown as EntityInput;

    const error = await expectRejected(store, () => store.addEntity(input), InvalidInputError, 'INVALID_INPUT', [
      'type',
      '(missing)',
      'not undefined',
    ]);

    expect((error as InvalidInputError).field).toBe('entities[0].type');
  });

  it('numeric type', async () => {
    const store = await openSeeded();
    const input = { id: 'ent-new', type: 42, name: 'NumType' } as unknown as EntityInput;

    await expectRejected(store, () => store.addEntity(input), InvalidInputError, 'INVALID_INPUT', ['type', '42', 'not a number']);
  });

  it('control character in name', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.addEntity({ id: 'ent-new', type: 'class', name: 'a\u0000b' }), InvalidInputError, 'INVALID_INPUT', [
      'name',
      'control character',
    ]);
  });

  it('negative line', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.addEntity({ id: 'ent-new', type: 'class', name: 'N', line: -1 }), InvalidInputError, 'INVALID_INPUT', [
      'line',
      '-1',
    ]);
  });

  it('unparsable createdAt', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.addEntity({ id: 'ent-new', type: 'class', name: 'N', createdAt: 'yesterday' }),
      InvalidInputError,
      'INVALID_INPUT',
      ['createdAt', 'yesterday'],
    );
  });

  it('1 MB description', async () => {
    const store = await openSeeded();
    const description = 'd'.repeat(ONE_MEGABYTE);

    const error = await expectRejected(
      store,
      () => store.addEntity({ id: 'ent-new', type: 'class', name: 'Big', description }),
      InvalidInputError,
      'INVALID_INPUT',
      ['description', `${ONE_MEGABYTE} bytes`, 'maximum'],
    );

    expect(error.message.length).toBeLessThan(1000);
  });

  it('1 MB description in update', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.updateEntity('ent-alpha', { description: 'd'.repeat(ONE_MEGABYTE) }),
      InvalidInputError,
      'INVALID_INPUT',
      ['description'],
    );
  });

  it('empty name in update', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.updateEntity('ent-alpha', { name: '' }), InvalidInputError, 'INVALID_INPUT', ['name']);
  });

  it('metadata over 256 KiB', async () => {
    const store = await openSeeded();
    const metadata = { blob: 'x'.repeat(300_000) };

    await expectRejected(store, () => store.addEntity({ id: 'ent-new', type: 'class', name: 'N', metadata }), InvalidInputError, 'INVALID_INPUT', [
      'metadata',
      'maximum',
    ]);
  });
});

describe('non-plain metadata', () => {
  it.each(NON_PLAIN_METADATA)('addEntity rejects %s', async (_label, metadata) => {
    const store = await openSeeded();
    const input = { id: 'ent-new', type: 'class', name: 'Meta', metadata } as EntityInput;

    const error = await expectRejected(store, () => store.addEntity(input), InvalidInputError, 'INVALID_INPUT', ['metadata']);

    expect((error as InvalidInputError).field).toBe('entities[0].metadata');
  });

  it.each(NON_PLAIN_METADATA)('updateEntity rejects %s', async (_label, metadata) => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.updateEntity('ent-alpha', { metadata: metadata as JsonObject }),
      InvalidInputError,
      'INVALID_INPUT',
      ['metadata'],
    );
  });

  it.each(NON_PLAIN_METADATA)('addRelationship rejects %s', async (_label, metadata) => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.addRelationship('ent-beta', 'ent-alpha', 'uses', metadata as JsonObject),
      InvalidInputError,
      'INVALID_INPUT',
      ['metadata'],
    );
  });

  it.each(NON_PLAIN_METADATA)('upsertEntity rejects %s', async (_label, metadata) => {
    const store = await openSeeded();
    const input = { type: 'class', name: 'Alpha', metadata } as EntityInput;

    await expectRejected(store, () => store.upsertEntity(input), InvalidInputError, 'INVALID_INPUT', ['metadata']);
  });
});

describe('invalid ids', () => {
  it.each(BAD_IDS)('addEntity rejects %s', async (id) => {
    const store = await openSeeded();

    const error = await expectRejected(store, () => store.addEntity({ id, type: 'class', name: 'Bad' }), InvalidInputError, 'INVALID_INPUT', [
      'id',
      `'${id}'`,
    ]);

    expect((error as InvalidInputError).field).toBe('id');
  });

  it.each(BAD_IDS)('addRelationship rejects %s', async (id) => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.addRelationship('ent-beta', 'ent-alpha', 'uses', undefined, { id }),
      InvalidInputError,
      'INVALID_INPUT',
      [`'${id}'`],
    );
  });

  it.each(BAD_IDS)('putEntities rejects %s', async (id) => {
    const store = await openSeeded();

    await expectRejected(store, () => store.putEntities([{ id, type: 'class', name: 'Bad' }]), InvalidInputError, 'INVALID_INPUT', [`'${id}'`]);
  });
});

describe('unknown ids', () => {
  it('updateEntity', async () => {
    const store = await openSeeded();

    const error = await expectRejected(
      store,
      () => store.updateEntity('ent-ghost', { name: 'Ghost' }),
      EntityNotFoundError,
      'ENTITY_NOT_FOUND',
      ['ent-ghost'],
    );

    expect((error as EntityNotFoundError).entityId).toBe('ent-ghost');
  });

  it('deleteEntity', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.deleteEntity('ent-ghost'), EntityNotFoundError, 'ENTITY_NOT_FOUND', ['ent-ghost']);
  });

  it('getRelationships', async () => {
    const store = await openSeeded();

    for (const direction of ['in', 'out', 'both'] as const) {
      await expectRejected(store, () => store.getRelationships('ent-ghost', direction), EntityNotFoundError, 'ENTITY_NOT_FOUND', [
        'ent-ghost',
      ]);
    }
  });

  it('deleteRelationship', async () => {
    const store = await openSeeded();

    const error = await expectRejected(
      store,
      () => store.deleteRelationship('rel-ghost'),
      RelationshipNotFoundError,
      'RELATIONSHIP_NOT_FOUND',
      ['rel-ghost'],
    );

    expect((error as RelationshipNotFoundError).relationshipId).toBe('rel-ghost');
  });

  it('relationship to missing target', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.addRelationship('ent-alpha', 'ent-ghost', 'calls'), EntityNotFoundError, 'ENTITY_NOT_FOUND', [
      'ent-ghost',
    ]);
  });

  it('relationship from missing source', async () => {
    const store = await openSeeded();

    await expectRejected(store, () => store.addRelationship('ent-ghost', 'ent-beta', 'calls'), EntityNotFoundError, 'ENTITY_NOT_FOUND', [
      'ent-ghost',
    ]);
  });
});

describe('batch with a bad last element', () => {
  const goodInputs = (): EntityInput[] => [
    { id: 'ent-batch-0', type: 'class', name: 'Batch0' },
    { id: 'ent-batch-1', type: 'class', name: 'Batch1' },
  ];

  it('addEntities writes nothing', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.addEntities([...goodInputs(), { id: 'ent-batch-2', type: 'class', name: '' }]),
      InvalidInputError,
      'INVALID_INPUT',
      ['name'],
    );
  });

  it('addEntities with bad metadata', async () => {
    const store = await openSeeded();
    const last = { id: 'ent-batch-2', type: 'class', name: 'B2', metadata: [1] } as unknown as EntityInput;

    await expectRejected(store, () => store.addEntities([...goodInputs(), last]), InvalidInputError, 'INVALID_INPUT', [
      'entities[2].metadata',
    ]);
  });

  it('addEntities with a stored id', async () => {
    const store = await openSeeded();

    const error = await expectRejected(
      store,
      () => store.addEntities([...goodInputs(), { id: 'ent-beta', type: 'class', name: 'Again' }]),
      AlreadyExistsError,
      'ALREADY_EXISTS',
      ['ent-beta'],
    );

    expect((error as AlreadyExistsError).id).toBe('ent-beta');
  });

  it('putEntities writes nothing', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.putEntities([{ id: 'ent-alpha', type: 'class', name: 'Changed' }, ...goodInputs(), { id: 'a/b', type: 'class', name: 'X' }]),
      InvalidInputError,
      'INVALID_INPUT',
      ["'a/b'"],
    );
  });

  it('upsertEntities writes nothing', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.upsertEntities([{ type: 'class', name: 'Alpha', description: 'changed' }, { type: 'class', name: 'Fresh' }, { type: 'class', name: ' ' }]),
      InvalidInputError,
      'INVALID_INPUT',
      ['name'],
    );
  });

  it('addRelationships writes nothing', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () =>
        store.addRelationships([
          { sourceId: 'ent-beta', targetId: 'ent-alpha', type: 'uses' },
          { sourceId: 'ent-alpha', targetId: 'ent-alpha', type: 'calls' },
          { sourceId: 'ent-alpha', targetId: 'ent-ghost', type: 'calls' },
        ]),
      EntityNotFoundError,
      'ENTITY_NOT_FOUND',
      ['ent-ghost'],
    );
  });

  it('addRelationships with NaN weight', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () =>
        store.addRelationships([
          { sourceId: 'ent-beta', targetId: 'ent-alpha', type: 'uses' },
          { sourceId: 'ent-alpha', targetId: 'ent-beta', type: 'calls', weight: Number.NaN },
        ]),
      InvalidInputError,
      'INVALID_INPUT',
      ['relationships[1].weight', 'NaN'],
    );
  });
});

describe('duplicate ids', () => {
  it('stored entity id', async () => {
    const store = await openSeeded();

    const error = await expectRejected(
      store,
      () => store.addEntity({ id: 'ent-alpha', type: 'class', name: 'Other' }),
      AlreadyExistsError,
      'ALREADY_EXISTS',
      ['ent-alpha'],
    );

    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as AlreadyExistsError).id).toBe('ent-alpha');
  });

  it('stored relationship id', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () => store.addRelationship('ent-beta', 'ent-alpha', 'uses', undefined, { id: 'rel-alpha-beta' }),
      AlreadyExistsError,
      'ALREADY_EXISTS',
      ['rel-alpha-beta'],
    );
  });

  it('id twice in one batch', async () => {
    const store = await openSeeded();

    await expectRejected(
      store,
      () =>
        store.addEntities([
          { id: 'ent-new', type: 'class', name: 'One' },
          { id: 'ent-new', type: 'class', name: 'Two' },
        ]),
      InvalidInputError,
      'INVALID_INPUT',
      ['ent-new', 'twice'],
    );
  });
});

describe('error shape', () => {
  it('codes are stable strings', async () => {
    const store = await openSeeded();
    const failures: [unknown, string][] = [
      [await store.addEntity({ type: 'class', name: '' }).catch((e: unknown) => e), 'INVALID_INPUT'],
      [await store.updateEntity('ent-ghost', {}).catch((e: unknown) => e), 'ENTITY_NOT_FOUND'],
      [await store.deleteRelationship('rel-ghost').catch((e: unknown) => e), 'RELATIONSHIP_NOT_FOUND'],
      [await store.addEntity({ id: 'ent-beta', type: 'class', name: 'B' }).catch((e: unknown) => e), 'ALREADY_EXISTS'],
    ];

    for (const [error, code] of failures) {
      expect(error, code).toBeInstanceOf(YataScaleError);
      expect(error, code).toBeInstanceOf(Error);
      expect((error as YataScaleError).code, code).toBe(code);
      expect((error as Error).message, code).not.toContain('YATA_ERROR');
      expect((error as Error).name, code).not.toBe('Error');
    }
  });
});
