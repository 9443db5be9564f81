// Plain SQLite through better-sqlite3, with a schema tuned for the
// benchmark's queries: the baseline of what a hand-written store on SQLite
// gets without any graph engine.

import Database from 'better-sqlite3';
import { join } from 'node:path';

import { directorySize, installedVersion } from './support.mjs';

const VERSION = installedVersion('better-sqlite3');
const FILE_NAME = 'graph.sqlite';

// Indexes and the FTS content are built in finishLoad, after the bulk load,
// because building them once is faster than updating them row by row.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS entities (
    id TEXT NOT NULL,
    type TEXT NOT NULL,
    name TEXT NOT NULL,
    namespace TEXT NOT NULL,
    file_path TEXT,
    line INTEGER,
    description TEXT,
    metadata TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS relationships (
    id TEXT NOT NULL,
    source_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    type TEXT NOT NULL
  );
  CREATE VIRTUAL TABLE IF NOT EXISTS entities_fts USING fts5(
    description,
    content = 'entities',
    content_rowid = 'rowid',
    tokenize = 'unicode61'
  );
`;

const POST_LOAD_SCHEMA = `
  CREATE UNIQUE INDEX IF NOT EXISTS entities_id ON entities(id);
  CREATE INDEX IF NOT EXISTS entities_type_namespace ON entities(type, namespace);
  CREATE INDEX IF NOT EXISTS relationships_source_target ON relationships(source_id, target_id);
  CREATE INDEX IF NOT EXISTS relationships_target ON relationships(target_id);
  INSERT INTO entities_fts(entities_fts) VALUES ('rebuild');
  CREATE TRIGGER IF NOT EXISTS entities_fts_insert AFTER INSERT ON entities BEGIN
    INSERT INTO entities_fts(rowid, description) VALUES (new.rowid, new.description);
  END;
  CREATE TRIGGER IF NOT EXISTS entities_fts_delete AFTER DELETE ON entities BEGIN
    INSERT INTO entities_fts(entities_fts, rowid, description) VALUES ('delete', old.rowid, old.description);
  END;
  CREATE TRIGGER IF NOT EXISTS entities_fts_update AFTER UPDATE OF description ON entities BEGIN
    INSERT INTO entities_fts(entities_fts, rowid, description) VALUES ('delete', old.rowid, old.description);
    INSERT INTO entities_fts(rowid, description) VALUES (new.rowid, new.description);
  END;
  ANALYZE;
`;

const PRAGMAS = {
  journal_mode: 'WAL',
  synchronous: 'NORMAL',
  cache_size: -262144,
  mmap_size: 1 << 30,
  temp_store: 'MEMORY',
};

const NOTES =
  `WAL, synchronous=NORMAL for loads (FULL for writeOne), cache_size 256 MiB, mmap_size 1 GiB, temp_store=MEMORY; ` +
  `indexes on entities(id) unique, (type, namespace), relationships(source_id, target_id) and (target_id), built after the load; ` +
  `FTS5 unicode61 over description (external content); k-hop and path are recursive CTEs bounded by depth`;

// UNION keeps each (entity, depth) pair once, so an entity reached at
// several depths is expanded at each of them, and the depth bound keeps that
// finite.
const NEIGHBORS_SQL = `
  WITH RECURSIVE reach(id, depth) AS (
    SELECT @start, 0
    UNION
    SELECT r.target_id, reach.depth + 1
    FROM reach JOIN relationships r ON r.source_id = reach.id
    WHERE reach.depth < @depth
  )
  SELECT e.* FROM entities e WHERE e.id IN (SELECT id FROM reach WHERE id <> @start)
`;

// ORDER BY 2 makes SQLite take queued rows in order of depth, so the first
// row for the target carries the shortest hop count, and the LIMIT stops
// the recursion as soon as that row is produced.
const PATH_SQL = `
  WITH RECURSIVE reach(id, depth) AS (
    SELECT @start, 0
    UNION
    SELECT r.target_id, reach.depth + 1
    FROM reach JOIN relationships r ON r.source_id = reach.id
    WHERE reach.depth < @depth
    ORDER BY 2
  )
  SELECT depth FROM reach WHERE id = @target LIMIT 1
`;

/** Turns free text into an FTS5 query that requires every word, each quoted so FTS5 syntax is not interpreted. */
export function ftsQuery(text) {
  return text
    .split(/\s+/)
    .filter((word) => word.length > 0)
    .map((word) => `"${word.replaceAll('"', '""')}"`)
    .join(' ');
}

/** Turns a row of the entities table into the entity object an application reads. */
function toEntity(row) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    namespace: row.namespace,
    filePath: row.file_path ?? undefined,
    line: row.line ?? undefined,
    description: row.description ?? undefined,
    metadata: JSON.parse(row.metadata),
  };
}

function entityRow(entity) {
  return [
    entity.id,
    entity.type,
    entity.name,
    entity.namespace,
    entity.filePath ?? null,
    entity.line ?? null,
    entity.description ?? null,
    JSON.stringify(entity.metadata ?? {}),
  ];
}

class SqlitePeer {
  constructor(dir, fresh) {
    this.db = new Database(join(dir, FILE_NAME));
    this.dir = dir;
    for (const [name, value] of Object.entries(PRAGMAS)) this.db.pragma(`${name} = ${value}`);
    if (fresh) this.db.exec(SCHEMA);
    this.capabilities = { search: true, persistent: true, notes: NOTES };
    this.statements = {
      insertEntity: this.db.prepare('INSERT INTO entities VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
      insertRelationship: this.db.prepare('INSERT INTO relationships VALUES (?, ?, ?, ?)'),
      get: this.db.prepare('SELECT * FROM entities WHERE id = ?'),
      filterCount: this.db.prepare('SELECT count(*) FROM entities WHERE type = ? AND namespace = ?').pluck(),
      filterPage: this.db.prepare('SELECT * FROM entities WHERE type = ? AND namespace = ? LIMIT ?'),
      neighbors: this.db.prepare(NEIGHBORS_SQL),
      path: this.db.prepare(PATH_SQL).pluck(),
      search: this.db
        .prepare(
          `SELECT e.* FROM entities_fts f JOIN entities e ON e.rowid = f.rowid
           WHERE entities_fts MATCH ? ORDER BY f.rank LIMIT ?`,
        ),
      searchCount: this.db.prepare('SELECT count(*) FROM entities_fts WHERE entities_fts MATCH ?').pluck(),
    };
    this.insertEntities = this.db.transaction((entities) => {
      for (const entity of entities) this.statements.insertEntity.run(entityRow(entity));
    });
    this.insertRelationships = this.db.transaction((relationships) => {
      for (const r of relationships) this.statements.insertRelationship.run(r.id, r.sourceId, r.targetId, r.type);
    });
  }

  async addEntities(entities) {
    this.insertEntities(entities);
  }

  async addRelationships(relationships) {
    this.insertRelationships(relationships);
  }

  async finishLoad() {
    this.db.exec(POST_LOAD_SCHEMA);
  }

  async writeOne(entity) {
    // In WAL mode, synchronous=FULL syncs the WAL on every commit, so the
    // entity is on disk when run() returns.
    this.db.pragma('synchronous = FULL');
    try {
      this.statements.insertEntity.run(entityRow(entity));
    } finally {
      this.db.pragma(`synchronous = ${PRAGMAS.synchronous}`);
    }
  }

  async get(id) {
    const row = this.statements.get.get(id);
    return row === undefined ? null : toEntity(row);
  }

  async filter(type, namespace, limit) {
    return {
      total: this.statements.filterCount.get(type, namespace),
      entities: this.statements.filterPage.all(type, namespace, limit).map(toEntity),
    };
  }

  async neighbors(id, depth) {
    return this.statements.neighbors.all({ start: id, depth }).map(toEntity);
  }

  async path(from, to, maxDepth) {
    if (from === to) return 0;
    return this.statements.path.get({ start: from, target: to, depth: maxDepth }) ?? null;
  }

  async search(text, limit) {
    return this.statements.search.all(ftsQuery(text), limit).map(toEntity);
  }

  async searchCount(text) {
    return this.statements.searchCount.get(ftsQuery(text));
  }

  async bytesOnDisk() {
    return directorySize(this.dir);
  }

  async close() {
    this.db.close();
  }
}

/** @type {import('./contract.mjs').PeerModule} */
export default {
  name: 'sqlite',
  label: `SQLite (better-sqlite3 ${VERSION}, tuned schema)`,
  async open(dir, { fresh }) {
    return new SqlitePeer(dir, fresh);
  },
};
