// The Kuzu family of embedded graph databases, driven with Cypher through
// their Node.js packages: Kuzu 0.11 and its maintained fork lbug share the
// Node.js API and the Cypher dialect, so kuzu.mjs and lbug.mjs both build
// their peer with createCypherPeerModule.

import { appendFile, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { directorySize, installedVersion } from './support.mjs';

const require = createRequire(import.meta.url);
const FTS_INDEX = 'entity_description';
/** The only entry of the stop-word table: a token that no description contains. */
const NO_STOP_WORD = 'yatascalenostopword';
const ENTITY_COLUMNS = ['id', 'type', 'name', 'namespace', 'filePath', 'line', 'description', 'metadata'];

const SCHEMA = [
  `CREATE NODE TABLE IF NOT EXISTS Entity(
     id STRING PRIMARY KEY, type STRING, name STRING, namespace STRING,
     filePath STRING, line INT64, description STRING, metadata STRING)`,
  'CREATE REL TABLE IF NOT EXISTS Relationship(FROM Entity TO Entity, id STRING, type STRING)',
];

/** Formats one CSV field: strings quoted with doubled quotes, null and undefined as an empty field, which COPY reads as NULL. */
function csvField(value) {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return String(value);
  return `"${String(value).replaceAll('"', '""')}"`;
}

function entityValues(entity) {
  return [
    entity.id,
    entity.type,
    entity.name,
    entity.namespace,
    entity.filePath,
    entity.line,
    entity.description,
    JSON.stringify(entity.metadata ?? {}),
  ];
}

/** Returns the RETURN list that reads every stored field of entity `alias`. */
function entityFields(alias) {
  return ENTITY_COLUMNS.map((column) => `${alias}.${column} AS ${column}`).join(', ');
}

/** Turns a row of entityFields() into the entity object an application reads. */
function toEntity(row) {
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    namespace: row.namespace,
    filePath: row.filePath ?? undefined,
    line: row.line === null || row.line === undefined ? undefined : Number(row.line),
    description: row.description ?? undefined,
    metadata: JSON.parse(row.metadata),
  };
}

function toCsv(rows) {
  let text = '';
  for (const row of rows) text += `${row.map(csvField).join(',')}\n`;
  return text;
}

function assertDepth(value, name) {
  if (!Number.isInteger(value) || value < 1) throw new Error(`invalid ${name} ${value}: expected an integer of at least 1`);
}

class CypherPeer {
  constructor(dir, database, connection, engineName) {
    this.dir = dir;
    this.database = database;
    this.connection = connection;
    this.engineName = engineName;
    this.statements = new Map();
    this.staging = null;
    this.capabilities = { search: false, persistent: true, notes: '' };
  }

  // Uses the synchronous calls, which took about half the time of the
  // asynchronous ones for a lookup by primary key (Kuzu 0.11.3, 20,000
  // entities, 2-core machine). The engine runs the queries of one connection
  // one at a time either way.
  async run(cypher, params) {
    let result;
    if (params === undefined) {
      result = this.connection.querySync(cypher);
    } else {
      let statement = this.statements.get(cypher);
      if (statement === undefined) {
        statement = this.connection.prepareSync(cypher);
        if (!statement.isSuccess()) throw new Error(`${this.engineName} failed to prepare '${cypher}': ${statement.getErrorMessage()}`);
        this.statements.set(cypher, statement);
      }
      result = this.connection.executeSync(statement, params);
    }
    const rows = result.getAllSync();
    result.close();
    return rows;
  }

  async init(fresh) {
    if (fresh) for (const statement of SCHEMA) await this.run(statement);
    const ftsError = await this.ftsUnavailableReason();
    this.capabilities.search = ftsError === null;
    this.capabilities.notes = this.notes(ftsError);
  }

  /** Returns null when the FTS extension is loaded, or why it is not. */
  async ftsUnavailableReason() {
    try {
      const loaded = await this.run('CALL show_loaded_extensions() RETURN *');
      if (loaded.some((row) => String(Object.values(row)[0]).toUpperCase() === 'FTS')) return null;
    } catch {
      // An engine without show_loaded_extensions can still load the extension below.
    }
    // LOAD only reads an extension installed earlier on this machine. INSTALL
    // would download it, and the benchmark must not reach the network.
    try {
      await this.run('LOAD EXTENSION fts');
      return null;
    } catch (error) {
      return `the FTS extension is not built in and not installed locally (${error.message.split('\n')[0]})`;
    }
  }

  notes(ftsError) {
    const search = ftsError === null
      ? 'search is the FTS extension over description (stemmer none, no stop words, conjunctive)'
      : `no search: ${ftsError}`;
    return (
      `default buffer pool (80% of RAM) and threads; loads with one COPY FROM CSV per table, of batches staged in a temporary folder, ` +
      `so the entity COPY runs in the first addRelationships call and the relationship COPY in finishLoad; ` +
      `each commit syncs the WAL (fdatasync); no secondary index, so filter scans the Entity table; ` +
      `neighbors and path use Cypher * SHORTEST 1..depth over outgoing relationships; ${search}`
    );
  }

  // A COPY into a table that already contains rows is much slower than one
  // COPY of all rows, and leaves a larger file. With one COPY per batch of
  // 20,000 relationships, Kuzu 0.11.3 loaded the relationships of 100,000
  // generated entities 6 times slower and wrote an 11 times larger file
  // (2-core machine). So batches are appended to CSV files in a temporary
  // folder, entities are copied when the first relationships arrive, and
  // relationships in finishLoad.
  async stage(table, rows) {
    if (this.staging === null) {
      this.staging = { dir: await mkdtemp(join(tmpdir(), 'yata-bench-cypher-')), pending: new Map() };
    }
    let file = this.staging.pending.get(table);
    if (file === undefined) {
      file = { path: join(this.staging.dir, `${table}.csv`), multiline: false };
      this.staging.pending.set(table, file);
    }
    file.multiline ||= rows.some((row) => row.some((value) => typeof value === 'string' && /[\r\n]/.test(value)));
    await appendFile(file.path, toCsv(rows));
  }

  async copyStaged(table) {
    const file = this.staging?.pending.get(table);
    if (file === undefined) return;
    this.staging.pending.delete(table);
    // The parallel CSV reader rejects quoted line breaks, so a file with one
    // is read by a single thread.
    const parallel = file.multiline ? ', PARALLEL=false' : '';
    try {
      await this.run(`COPY ${table} FROM '${file.path}' (HEADER=false, ESCAPE='"'${parallel})`);
    } finally {
      await rm(file.path, { force: true });
    }
  }

  async dropStaging() {
    if (this.staging !== null) {
      await rm(this.staging.dir, { recursive: true, force: true });
      this.staging = null;
    }
  }

  async addEntities(entities) {
    await this.stage('Entity', entities.map(entityValues));
  }

  async addRelationships(relationships) {
    await this.copyStaged('Entity');
    await this.stage('Relationship', relationships.map((r) => [r.sourceId, r.targetId, r.id, r.type]));
  }

  async finishLoad() {
    try {
      await this.copyStaged('Entity');
      await this.copyStaged('Relationship');
    } finally {
      await this.dropStaging();
    }
    if (this.capabilities.search) {
      // The default stop words (a list of 571 English words) would drop query
      // words that yata-scale, SQLite and yata-local all match. A one-word
      // table that no text contains turns them off.
      await this.run('CREATE NODE TABLE IF NOT EXISTS FtsStopWord(word STRING PRIMARY KEY)');
      await this.run(`MERGE (:FtsStopWord {word: '${NO_STOP_WORD}'})`);
      await this.run(
        `CALL CREATE_FTS_INDEX('Entity', '${FTS_INDEX}', ['description'], stemmer := 'none', stopWords := 'FtsStopWord')`,
      );
    }
  }

  async writeOne(entity) {
    const values = entityValues(entity);
    const params = Object.fromEntries(ENTITY_COLUMNS.map((column, i) => [column, values[i] ?? null]));
    await this.run(
      `CREATE (:Entity {id: $id, type: $type, name: $name, namespace: $namespace, filePath: $filePath,
                        line: $line, description: $description, metadata: $metadata})`,
      params,
    );
  }

  async get(id) {
    const rows = await this.run(`MATCH (e:Entity {id: $id}) RETURN ${entityFields('e')}`, { id });
    return rows.length === 0 ? null : toEntity(rows[0]);
  }

  async filter(type, namespace, limit) {
    const params = { type, namespace };
    const [{ total }] = await this.run(
      'MATCH (e:Entity) WHERE e.type = $type AND e.namespace = $namespace RETURN count(*) AS total',
      params,
    );
    const rows = await this.run(
      `MATCH (e:Entity) WHERE e.type = $type AND e.namespace = $namespace RETURN ${entityFields('e')} LIMIT $limit`,
      { ...params, limit },
    );
    return { total: Number(total), entities: rows.map(toEntity) };
  }

  async neighbors(id, depth) {
    assertDepth(depth, 'depth');
    // SHORTEST returns each reachable entity once, along one shortest path,
    // and never the start itself.
    const rows = await this.run(
      `MATCH (a:Entity {id: $id})-[:Relationship* SHORTEST 1..${depth}]->(b:Entity) RETURN ${entityFields('b')}`,
      { id },
    );
    return rows.map(toEntity);
  }

  async path(from, to, maxDepth) {
    if (from === to) return 0;
    assertDepth(maxDepth, 'maxDepth');
    const rows = await this.run(
      `MATCH p = (a:Entity {id: $from})-[:Relationship* SHORTEST 1..${maxDepth}]->(b:Entity {id: $to})
       RETURN length(p) AS hops`,
      { from, to },
    );
    return rows.length === 0 ? null : Number(rows[0].hops);
  }

  async search(text, limit) {
    this.requireSearch();
    const rows = await this.run(
      `CALL QUERY_FTS_INDEX('Entity', '${FTS_INDEX}', $text, conjunctive := true, top := ${Math.trunc(limit)})
       RETURN ${entityFields('node')} ORDER BY score DESC`,
      { text },
    );
    return rows.map(toEntity);
  }

  async searchCount(text) {
    this.requireSearch();
    const [{ total }] = await this.run(
      `CALL QUERY_FTS_INDEX('Entity', '${FTS_INDEX}', $text, conjunctive := true) RETURN count(*) AS total`,
      { text },
    );
    return Number(total);
  }

  requireSearch() {
    if (!this.capabilities.search) throw new Error(`${this.engineName} has no text index here: ${this.capabilities.notes}`);
  }

  async bytesOnDisk() {
    return directorySize(this.dir);
  }

  async close() {
    await this.dropStaging();
    await this.connection.close();
    await this.database.close();
  }
}

/**
 * Builds the PeerModule of a Kuzu-API engine from its npm package name.
 * The package is imported when a store is opened, so a binary that fails
 * to load does not break the harness for the other peers.
 */
export function createCypherPeerModule({ name, packageName, engineName }) {
  const version = installedVersion(packageName);
  return {
    name,
    label: `${engineName} ${version}`,
    async open(dir, { fresh }) {
      let driver;
      try {
        // require, not import: when a CommonJS package fails to load its
        // native binary, Node 20 rejects the import and also raises the same
        // error as an uncaught exception, which ends the process.
        driver = require(packageName);
      } catch (error) {
        throw new Error(`failed to load ${packageName} ${version}: ${error.message.split('\n')[0]}`, { cause: error });
      }
      const database = new driver.Database(join(dir, 'graph.db'));
      const connection = new driver.Connection(database);
      const peer = new CypherPeer(dir, database, connection, engineName);
      await peer.init(fresh);
      return peer;
    },
  };
}
