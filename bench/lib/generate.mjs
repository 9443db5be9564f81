// A deterministic generator of code-shaped graphs.
//
// Shape per file (26 entities): the file, 2 classes with 6 methods and 3
// properties each, 1 interface and 4 functions. Relationships: `contains`
// from each parent, `imports` between files, `extends` and `implements`
// between classes and interfaces, and `calls` from functions and methods to
// callees drawn from a power law, for about 4 relationships per entity.
// Every value derives from (seed, index), so any batch can be produced
// without holding the graph in memory, and the same seed always gives the
// same graph.

const ENTITIES_PER_FILE = 26;
const METHODS_PER_CLASS = 6;
const PROPERTIES_PER_CLASS = 3;
const FUNCTIONS_PER_FILE = 4;
const CALLS_PER_CALLABLE = 4.5;
const IMPORTS_PER_FILE = 5;

const VERBS = ['get', 'set', 'load', 'save', 'find', 'create', 'update', 'delete', 'parse', 'render', 'validate', 'build', 'resolve', 'fetch', 'handle', 'compute'];
const NOUNS = ['User', 'Order', 'Account', 'Session', 'Token', 'Config', 'Cache', 'Request', 'Response', 'Graph', 'Node', 'Edge', 'Index', 'Query', 'Plan', 'Shard', 'Event', 'Stream', 'Buffer', 'Schema'];
const SUFFIXES = ['Service', 'Manager', 'Repository', 'Controller', 'Handler', 'Factory', 'Builder', 'Provider', 'Client', 'Store'];
const PACKAGES = ['core', 'api', 'data', 'auth', 'billing', 'search', 'infra', 'ui', 'sync', 'tools'];
export const JAPANESE_DESCRIPTIONS = ['ユーザー認証サービス', '注文データを保存する', 'キャッシュを無効化する', 'グラフを走査する', '設定を読み込む'];

/** mulberry32: a small, fast, seedable PRNG returning floats in [0, 1). */
export function prng(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function mix(seed, index) {
  return (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(index + 1, 0xc2b2ae35)) >>> 0;
}

export function entityId(index) {
  return `ent-${index}`;
}

/** Returns the role of entity `index` within its file. */
function roleOf(index) {
  const file = Math.floor(index / ENTITIES_PER_FILE);
  const slot = index % ENTITIES_PER_FILE;
  if (slot === 0) return { file, kind: 'file' };
  if (slot <= 20) {
    const withinClasses = slot - 1;
    const classNo = Math.floor(withinClasses / 10);
    const member = withinClasses % 10;
    if (member === 0) return { file, kind: 'class', classNo };
    if (member <= METHODS_PER_CLASS) return { file, kind: 'method', classNo, member: member - 1 };
    return { file, kind: 'property', classNo, member: member - 1 - METHODS_PER_CLASS };
  }
  if (slot === 21) return { file, kind: 'interface' };
  return { file, kind: 'function', member: slot - 22 };
}

function namespaceOf(file) {
  const pkg = PACKAGES[file % PACKAGES.length];
  return `${pkg}.sub${Math.floor(file / PACKAGES.length) % 20}.mod${file % 37}`;
}

function nameFor(seed, index, role) {
  const random = prng(mix(seed, index));
  const noun = NOUNS[Math.floor(random() * NOUNS.length)];
  switch (role.kind) {
    case 'file':
      return `${noun.toLowerCase()}${role.file}.ts`;
    case 'class':
      return `${noun}${SUFFIXES[Math.floor(random() * SUFFIXES.length)]}${role.file}`;
    case 'interface':
      return `I${noun}${SUFFIXES[Math.floor(random() * SUFFIXES.length)]}${role.file}`;
    case 'property':
      return `${noun.toLowerCase()}${['Id', 'Name', 'Count'][role.member]}`;
    default:
      return `${VERBS[Math.floor(random() * VERBS.length)]}${noun}${role.file % 100}`;
  }
}

/** Builds entity `index` of a graph generated with `seed`. */
export function makeEntity(seed, index) {
  const role = roleOf(index);
  const namespace = namespaceOf(role.file);
  const entity = {
    id: entityId(index),
    type: role.kind,
    name: nameFor(seed, index, role),
    namespace,
    filePath: `src/${namespace.replaceAll('.', '/')}/file${role.file}.ts`,
    line: role.kind === 'file' ? 1 : 1 + (index % ENTITIES_PER_FILE) * 12,
    metadata: { generated: true, ...(role.kind === 'method' ? { visibility: 'public' } : {}) },
  };
  if (index % 7 === 0) {
    entity.description = JAPANESE_DESCRIPTIONS[index % JAPANESE_DESCRIPTIONS.length];
  } else if (index % 5 === 0) {
    entity.description = `Handles ${entity.name} for the ${namespace} module`;
  }
  return entity;
}

/** Yields the entities of a graph of `count` entities in batches of `batchSize`. */
export function* entityBatches(seed, count, batchSize) {
  for (let start = 0; start < count; start += batchSize) {
    const batch = [];
    for (let i = start; i < Math.min(count, start + batchSize); i++) batch.push(makeEntity(seed, i));
    yield batch;
  }
}

/** Returns the relationships whose source is in file `file`, for a graph of `count` entities. */
export function relationshipsOfFile(seed, count, file) {
  const base = file * ENTITIES_PER_FILE;
  if (base >= count) return [];
  const files = Math.ceil(count / ENTITIES_PER_FILE);
  const random = prng(mix(seed ^ 0x51ed27, file));
  const out = [];
  const exists = (index) => index < count;
  const add = (source, target, type) => {
    if (exists(source) && exists(target)) {
      out.push({ id: `rel-${source}-${type}-${target}-${out.length}`, sourceId: entityId(source), targetId: entityId(target), type });
    }
  };

  for (let slot = 1; slot < ENTITIES_PER_FILE; slot++) {
    const role = roleOf(base + slot);
    const parent = role.kind === 'method' || role.kind === 'property' ? base + 1 + role.classNo * 10 : base;
    add(parent, base + slot, 'contains');
  }

  for (let i = 0; i < IMPORTS_PER_FILE; i++) {
    const target = Math.floor(random() * files);
    if (target !== file) add(base, target * ENTITIES_PER_FILE, 'imports');
  }

  for (const classNo of [0, 1]) {
    const cls = base + 1 + classNo * 10;
    if (random() < 0.3) add(cls, Math.floor(random() * files) * ENTITIES_PER_FILE + 1, 'extends');
    if (random() < 0.5) add(cls, Math.floor(random() * files) * ENTITIES_PER_FILE + 21, 'implements');
  }

  const callables = [];
  for (let slot = 1; slot < ENTITIES_PER_FILE; slot++) {
    const kind = roleOf(base + slot).kind;
    if (kind === 'method' || kind === 'function') callables.push(base + slot);
  }
  for (const caller of callables) {
    const calls = Math.floor(CALLS_PER_CALLABLE + random());
    for (let c = 0; c < calls; c++) {
      // A power law over files: low-numbered files are called far more often.
      const calleeFile = Math.floor(files * random() ** 3);
      const calleeSlot = random() < 0.75 ? 2 + Math.floor(random() * METHODS_PER_CLASS) : 22 + Math.floor(random() * FUNCTIONS_PER_FILE);
      add(caller, calleeFile * ENTITIES_PER_FILE + calleeSlot, 'calls');
    }
  }
  return out;
}

/** Yields every relationship of a graph of `count` entities, in batches of about `batchSize`. */
export function* relationshipBatches(seed, count, batchSize) {
  const files = Math.ceil(count / ENTITIES_PER_FILE);
  let batch = [];
  for (let file = 0; file < files; file++) {
    batch.push(...relationshipsOfFile(seed, count, file));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
