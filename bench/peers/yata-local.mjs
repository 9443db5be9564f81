// @nahisaho/yata-local, the predecessor yata-scale replaces: SQLite through
// better-sqlite3 with FTS5, driven through its public API.
//
// The bulk load goes through YataDatabase, which the package exports next to
// YataLocal: its insertEntities keeps the given ids, and withTransaction lets
// one transaction hold a whole batch of insertRelationship calls. YataLocal
// itself offers neither, because addEntities and addEntity assign random
// UUIDs and addRelationship commits each row on its own. Every query goes
// through YataLocal, as its users call it.

import { createYataLocal, YataDatabase } from '@nahisaho/yata-local';
import { join } from 'node:path';

import { directorySize, installedVersion } from './support.mjs';

const VERSION = installedVersion('@nahisaho/yata-local');
const SQLITE_VERSION = installedVersion('better-sqlite3');
const FILE_NAME = 'knowledge.db';

// The RelationType union of yata-local 2.4.6 (src/types.ts). traverse()
// follows only the types it is given, so passing all of them follows every
// outgoing relationship, as the contract requires.
const RELATION_TYPES = [
  'calls', 'imports', 'exports', 'extends', 'inherits', 'implements', 'contains', 'uses', 'defines',
  'references', 'depends-on', 'transitively-depends-on', 'type-compatible', 'has-method', 'overrides',
  'returns', 'parameter_of', 'member_of', 'related-to', 'defined-in-same-file', 'unknown',
];

const SYNCHRONOUS_NAMES = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];

function toYataEntity(entity, now) {
  return { ...entity, metadata: entity.metadata ?? {}, createdAt: now, updatedAt: now };
}

function toYataRelationship(relationship, now) {
  return { ...relationship, weight: 1.0, metadata: {}, createdAt: now };
}

function notesFor(journalMode, synchronous) {
  return (
    `its own settings: journal_mode=${journalMode}, synchronous=${synchronous} on this connection ` +
    `(FULL on the connection that creates the file, NORMAL after a reopen because better-sqlite3 builds SQLite ` +
    `with SQLITE_DEFAULT_WAL_SYNCHRONOUS=1, so a write after a reopen survives a process crash but not a power loss), ` +
    `cache 64 MiB, mmap 256 MiB, foreign keys on; ` +
    `loads through the exported YataDatabase (insertEntities, insertRelationship inside withTransaction) to keep the given ids; ` +
    `neighbors is traverse() over all 21 relation types, path is findPath(direction forward), both one SQL query per visited entity; ` +
    `search is FTS5 unicode61 over id, name, namespace and description, and returns the first matches it finds ` +
    `without ranking them (its SQL has no ORDER BY), where the other stores score every match by BM25 first; ` +
    `better-sqlite3 overridden from ^11 to ${SQLITE_VERSION}`
  );
}

class YataLocalPeer {
  constructor(dir, yata) {
    this.dir = dir;
    this.yata = yata;
    this.loader = null;
    this.capabilities = { search: true, persistent: true, notes: '' };
  }

  async init() {
    const [{ journal_mode: journalMode }] = await this.yata.rawQuery('PRAGMA journal_mode');
    const [{ synchronous }] = await this.yata.rawQuery('PRAGMA synchronous');
    this.capabilities.notes = notesFor(journalMode, SYNCHRONOUS_NAMES[synchronous] ?? String(synchronous));
  }

  async openLoader() {
    if (this.loader === null) {
      this.loader = new YataDatabase({ path: join(this.dir, FILE_NAME) });
      await this.loader.open();
    }
    return this.loader;
  }

  async addEntities(entities) {
    const loader = await this.openLoader();
    const now = new Date();
    loader.insertEntities(entities.map((entity) => toYataEntity(entity, now)));
  }

  async addRelationships(relationships) {
    const loader = await this.openLoader();
    const now = new Date();
    loader.withTransaction(() => {
      for (const relationship of relationships) loader.insertRelationship(toYataRelationship(relationship, now));
    });
  }

  async finishLoad() {
    // yata-local updates its indexes and FTS rows on every insert, so nothing
    // is left to build. Closing the loader releases its connection.
    if (this.loader !== null) {
      await this.loader.close();
      this.loader = null;
    }
  }

  async writeOne(entity) {
    // importJson is YataLocal's one call that inserts an entity under a given
    // id. It commits the row on its own, with the connection's synchronous
    // setting, and skips an id that already exists.
    const result = await this.yata.importJson({ entities: [toYataEntity(entity, new Date())], relationships: [] });
    if (result.entitiesAdded !== 1) throw new Error(`yata-local did not insert entity ${entity.id}: it already exists`);
  }

  async get(id) {
    return this.yata.getEntity(id);
  }

  async filter(type, namespace, limit) {
    const result = await this.yata.query(
      { entityFilters: { types: [type], namespace }, includeRelationships: false },
      { limit },
    );
    return { total: result.totalCount, entities: result.entities };
  }

  async neighbors(id, depth) {
    // traverse() can return an entity more than once.
    const entities = await this.yata.traverse(id, RELATION_TYPES, 'forward', depth);
    const unique = new Map(entities.map((entity) => [entity.id, entity]));
    unique.delete(id);
    return [...unique.values()];
  }

  async path(from, to, maxDepth) {
    const result = await this.yata.findPath(from, to, { maxDepth, direction: 'forward' });
    return result === null ? null : result.length;
  }

  async search(text, limit) {
    return this.yata.search(text, limit);
  }

  async searchCount(text) {
    // search() has no count form; a negative LIMIT means no limit in SQLite.
    return (await this.yata.search(text, -1)).length;
  }

  async bytesOnDisk() {
    return directorySize(this.dir);
  }

  async close() {
    await this.finishLoad();
    await this.yata.close();
  }
}

/** @type {import('./contract.mjs').PeerModule} */
export default {
  name: 'yata-local',
  label: `yata-local ${VERSION}`,
  async open(dir) {
    const yata = createYataLocal({ path: join(dir, FILE_NAME) });
    await yata.open();
    const peer = new YataLocalPeer(dir, yata);
    await peer.init();
    return peer;
  },
};
