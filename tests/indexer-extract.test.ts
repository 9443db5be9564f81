import { describe, it, expect } from 'vitest';
import { extractFile, type ExtractedEntity, type FileGraph } from '../ts/indexer/extract.js';
import { fileId, symbolId } from '../ts/indexer/ids.js';

/** Returns the entity with `qualifiedName`, or the file entity for `''`, failing if it is missing. */
function entity(graph: FileGraph, qualifiedName: string): ExtractedEntity {
  const found = graph.entities.find((candidate) =>
    qualifiedName === '' ? candidate.type === 'file' : candidate.metadata['qualifiedName'] === qualifiedName,
  );
  if (found === undefined) {
    throw new Error(`entity ${qualifiedName} not found in ${graph.filePath}`);
  }
  return found;
}

/** Returns the qualified names of the symbol entities, in output order. */
function symbolNames(graph: FileGraph): string[] {
  return graph.entities.filter((e) => e.type !== 'file').map((e) => String(e.metadata['qualifiedName']));
}

/**
 * Returns relationships of `type` as `source -> target`, naming this file's entities by qualified
 * name (the file itself as `<file>`) and other targets by their raw id.
 */
function edges(graph: FileGraph, type: string): string[] {
  const names = new Map<string, string>();
  for (const e of graph.entities) {
    names.set(e.id, e.type === 'file' ? '<file>' : String(e.metadata['qualifiedName']));
  }
  return graph.relationships
    .filter((r) => r.type === type)
    .map((r) => `${names.get(r.sourceId) ?? r.sourceId} -> ${names.get(r.targetId) ?? r.targetId}`)
    .sort();
}

const SHAPES_TS = `import { Base, helper as assist } from './base.js';
import * as util from './util';

/**
 * A drawable shape.
 *
 *     indented example
 */
export interface Shape extends Named {
  area(): number;
  readonly label?: string;
}

interface Named {
  name: string;
}

export class Circle extends Base implements Shape {
  static count = 0;
  #secret = 1;
  constructor(private readonly radius: number) {
    super();
    this.reset();
  }

  /** Returns the area. */
  area(): number {
    return Math.PI * this.radius * this.radius + assist() + util.twice(2);
  }

  reset(): void {
    this.area();
    this.area();
  }

  get name(): string {
    return 'circle';
  }

  set name(value: string) {}

  static create(): Circle {
    return new Circle(1);
  }
}

export function total(shapes: Shape[]): number;
export function total(shapes: Shape[], start: number): number;
export function total(shapes: Shape[], start = 0): number {
  return shapes.reduce((sum, s) => sum + s.area(), start) + Circle.create().area();
}

export const makeCircle = (r: number) => new Circle(r);

export type Area = number;
export enum Unit { Px, Em }

total([]);
`;

const BASE_TS = `export class Base {}
export function helper(): number { return 1; }
`;

const KNOWN = new Set(['src/shapes.ts', 'src/base.ts', 'src/util.ts', 'src/lib/index.ts', 'src/legacy.js']);

describe('extractFile on a TypeScript module', () => {
  const graph = extractFile('src/shapes.ts', SHAPES_TS, KNOWN);

  it('emits the file entity first', () => {
    const file = graph.entities[0];
    expect(file).toEqual({
      id: fileId('src/shapes.ts'),
      type: 'file',
      name: 'shapes.ts',
      namespace: 'src.shapes',
      filePath: 'src/shapes.ts',
      line: 1,
      metadata: { language: 'typescript', contentHash: graph.contentHash, lines: 58 },
    });
    expect(graph.contentHash).toMatch(/^[0-9a-f]{40}$/);
  });

  it('emits every declaration once in source order', () => {
    expect(symbolNames(graph)).toEqual([
      'Shape',
      'Shape.area',
      'Shape.label',
      'Named',
      'Named.name',
      'Circle',
      'Circle.count',
      'Circle.#secret',
      'Circle.constructor',
      'Circle.radius',
      'Circle.area',
      'Circle.reset',
      'Circle.name',
      'Circle.create',
      'total',
      'makeCircle',
      'Area',
      'Unit',
    ]);
  });

  it('types, lines and namespaces', () => {
    const expected: [string, ExtractedEntity['type'], number][] = [
      ['Shape', 'interface', 9],
      ['Shape.area', 'method', 10],
      ['Shape.label', 'property', 11],
      ['Circle', 'class', 18],
      ['Circle.count', 'property', 19],
      ['Circle.constructor', 'method', 21],
      ['Circle.radius', 'property', 21],
      ['Circle.area', 'method', 27],
      ['Circle.name', 'method', 36],
      ['total', 'function', 47],
      ['makeCircle', 'function', 53],
      ['Area', 'type', 55],
      ['Unit', 'enum', 56],
    ];
    for (const [qualifiedName, type, line] of expected) {
      const found = entity(graph, qualifiedName);
      expect(found.type, qualifiedName).toBe(type);
      expect(found.line, qualifiedName).toBe(line);
      expect(found.namespace, qualifiedName).toBe('src.shapes');
      expect(found.filePath, qualifiedName).toBe('src/shapes.ts');
    }
    expect(entity(graph, 'Circle.area').name).toBe('area');
  });

  it('collapses overloads into the first declaration', () => {
    const total = entity(graph, 'total');
    expect(total.line).toBe(47);
    expect(total.metadata['declarations']).toBe(3);
    expect(graph.entities.filter((e) => e.name === 'total')).toHaveLength(1);
  });

  it('collapses get and set accessors into one method', () => {
    const accessor = entity(graph, 'Circle.name');
    expect(accessor.metadata['accessor']).toBe('get');
    expect(accessor.metadata['declarations']).toBe(2);
  });

  it('cleans JSDoc into the description', () => {
    expect(entity(graph, 'Shape').description).toBe('A drawable shape.\n\n    indented example');
    expect(entity(graph, 'Circle.area').description).toBe('Returns the area.');
    expect(entity(graph, 'Circle').description).toBeUndefined();
  });

  it('records kind, export and modifier metadata', () => {
    expect(entity(graph, 'Circle').metadata).toEqual({
      kind: 'ClassDeclaration',
      exported: true,
      language: 'typescript',
      qualifiedName: 'Circle',
    });
    expect(entity(graph, 'Named').metadata['exported']).toBe(false);
    expect(entity(graph, 'Named.name').metadata['exported']).toBe(false);
    expect(entity(graph, 'Circle.area').metadata['exported']).toBe(true);
    expect(entity(graph, 'Circle.count').metadata).toMatchObject({ static: true, exported: true });
    expect(entity(graph, 'Circle.#secret').metadata['exported']).toBe(false);
    expect(entity(graph, 'Circle.radius').metadata).toMatchObject({
      kind: 'Parameter',
      parameterProperty: true,
      readonly: true,
      visibility: 'private',
      exported: false,
    });
    expect(entity(graph, 'Shape.label').metadata).toMatchObject({ readonly: true, optional: true });
    expect(entity(graph, 'makeCircle').metadata).toMatchObject({
      kind: 'VariableDeclaration',
      initializerKind: 'ArrowFunction',
      exported: true,
    });
  });

  it('contains edges from file and owners', () => {
    expect(edges(graph, 'contains')).toEqual(
      [
        '<file> -> Shape',
        'Shape -> Shape.area',
        'Shape -> Shape.label',
        '<file> -> Named',
        'Named -> Named.name',
        '<file> -> Circle',
        'Circle -> Circle.count',
        'Circle -> Circle.#secret',
        'Circle -> Circle.constructor',
        'Circle -> Circle.radius',
        'Circle -> Circle.area',
        'Circle -> Circle.reset',
        'Circle -> Circle.name',
        'Circle -> Circle.create',
        '<file> -> total',
        '<file> -> makeCircle',
        '<file> -> Area',
        '<file> -> Unit',
      ].sort(),
    );
  });

  it('imports edges for resolved specifiers', () => {
    const imports = graph.relationships.filter((r) => r.type === 'imports');
    expect(imports.map((r) => [r.targetId, r.metadata])).toEqual([
      [fileId('src/base.ts'), { specifier: './base.js', kind: 'import' }],
      [fileId('src/util.ts'), { specifier: './util', kind: 'import' }],
    ]);
  });

  it('heritage edges inside and across files', () => {
    expect(edges(graph, 'extends')).toEqual(['Circle -> ' + symbolId('src/base.ts', 'Base'), 'Shape -> Named']);
    expect(edges(graph, 'implements')).toEqual(['Circle -> Shape']);
  });

  it('calls edges for local, imported, this and new', () => {
    expect(edges(graph, 'calls')).toEqual(
      [
        '<file> -> total',
        'Circle.area -> ' + symbolId('src/base.ts', 'helper'),
        'Circle.area -> ' + symbolId('src/util.ts', 'twice'),
        'Circle.constructor -> Circle.reset',
        'Circle.create -> Circle',
        'Circle.reset -> Circle.area',
        'makeCircle -> Circle',
        'total -> Circle.create',
      ].sort(),
    );
  });

  it('counts repeated call sites', () => {
    const reset = entity(graph, 'Circle.reset');
    const calls = graph.relationships.filter((r) => r.type === 'calls' && r.sourceId === reset.id);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.metadata).toEqual({ count: 2 });
  });

  it('ids are unique and store-safe', () => {
    const ids = [...graph.entities.map((e) => e.id), ...graph.relationships.map((r) => r.id)];
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) {
      expect(id).not.toMatch(/[/\\\s\u0000-\u001f\u007f]/);
      expect(Buffer.byteLength(id)).toBeLessThanOrEqual(512);
    }
  });

  it('output is stable across runs', () => {
    expect(extractFile('src/shapes.ts', SHAPES_TS, KNOWN)).toEqual(graph);
  });

  it('the target file defines the imported ids', () => {
    const base = extractFile('src/base.ts', BASE_TS, KNOWN);
    const targets = new Set(graph.relationships.map((r) => r.targetId));
    expect(targets.has(entity(base, 'Base').id)).toBe(true);
    expect(targets.has(entity(base, 'helper').id)).toBe(true);
    expect(targets.has(entity(base, '').id)).toBe(true);
  });
});

describe('extractFile on namespaces', () => {
  const source = `/** Outer namespace. */
namespace ts {
  export function a(): void { b(); }
  function b(): void {}
  export namespace server {
    export class Project { run() { a(); ts.b(); Project.make(); } static make() {} }
  }
}
namespace ts {
  export interface Scanner { scan(): number; }
}
namespace A.B.C { export function deep() {} }
declare module 'fs/promises' {
  export function readFile(path: string): Promise<string>;
}
`;
  const graph = extractFile('lib/typescript.d.ts', source, new Set(['lib/typescript.d.ts']));

  it('qualifies names by enclosing namespaces', () => {
    expect(symbolNames(graph)).toEqual([
      'ts',
      'ts.a',
      'ts.b',
      'ts.server',
      'ts.server.Project',
      'ts.server.Project.run',
      'ts.server.Project.make',
      'ts.Scanner',
      'ts.Scanner.scan',
      'A',
      'A.B',
      'A.B.C',
      'A.B.C.deep',
      'fs/promises',
      'fs/promises.readFile',
    ]);
  });

  it('sets namespace from module path and namespaces', () => {
    expect(entity(graph, '').namespace).toBe('lib.typescript');
    expect(entity(graph, 'ts').namespace).toBe('lib.typescript');
    expect(entity(graph, 'ts.a').namespace).toBe('lib.typescript.ts');
    expect(entity(graph, 'ts.server.Project.run').namespace).toBe('lib.typescript.ts.server');
    expect(entity(graph, 'ts.Scanner.scan').namespace).toBe('lib.typescript.ts');
    expect(entity(graph, 'A.B.C.deep').namespace).toBe('lib.typescript.A.B.C');
    expect(entity(graph, 'fs/promises.readFile').namespace).toBe('lib.typescript.fs/promises');
  });

  it('merges repeated namespace blocks', () => {
    const ts = entity(graph, 'ts');
    expect(ts.type).toBe('module');
    expect(ts.line).toBe(2);
    expect(ts.description).toBe('Outer namespace.');
    expect(ts.metadata['declarations']).toBe(2);
    expect(entity(graph, 'fs/promises').metadata).toMatchObject({ external: true, ambient: true });
  });

  it('contains edges follow nesting', () => {
    expect(edges(graph, 'contains')).toEqual(
      [
        '<file> -> ts',
        'ts -> ts.a',
        'ts -> ts.b',
        'ts -> ts.server',
        'ts.server -> ts.server.Project',
        'ts.server.Project -> ts.server.Project.run',
        'ts.server.Project -> ts.server.Project.make',
        'ts -> ts.Scanner',
        'ts.Scanner -> ts.Scanner.scan',
        '<file> -> A',
        'A -> A.B',
        'A.B -> A.B.C',
        'A.B.C -> A.B.C.deep',
        '<file> -> fs/promises',
        'fs/promises -> fs/promises.readFile',
      ].sort(),
    );
  });

  it('resolves calls through outer scopes', () => {
    expect(edges(graph, 'calls')).toEqual([
      'ts.a -> ts.b',
      'ts.server.Project.run -> ts.a',
      'ts.server.Project.run -> ts.b',
      'ts.server.Project.run -> ts.server.Project.make',
    ]);
  });

  it('ambient members are implicitly exported', () => {
    expect(entity(graph, 'ts.b').metadata['exported']).toBe(true);
    expect(entity(graph, 'ts.Scanner.scan').metadata['exported']).toBe(true);
    expect(entity(graph, 'fs/promises.readFile').metadata['exported']).toBe(true);
  });

  it('readable id part keeps the qualified name', () => {
    const scan = entity(graph, 'ts.Scanner.scan');
    expect(scan.id).toBe(symbolId('lib/typescript.d.ts', 'ts.Scanner.scan'));
    expect(scan.id).toMatch(/^sym:[0-9a-f]{12}:ts\.Scanner\.scan$/);
    expect(entity(graph, 'fs/promises').id).toMatch(/^sym:[0-9a-f]{12}:fs_promises$/);
  });
});

describe('extractFile on JavaScript', () => {
  const source = `'use strict';
const { helper, other: renamed } = require('./base');
const util = require('./util.js');
const missing = require('left-pad');

/** Builds things. */
function build() {
  helper();
  renamed();
  util.twice();
  local();
  return import('./lib');
}

const local = function () {};

const Widget = class extends Thing {
  render() { this.paint(); }
  paint() {}
};

exports.run = function () { build(); };
module.exports.stop = () => {};
`;
  const known = new Set(['app.cjs', 'base.ts', 'util.js', 'lib/index.ts']);
  const graph = extractFile('app.cjs', source, known);

  it('uses the javascript language', () => {
    expect(entity(graph, '').metadata['language']).toBe('javascript');
    expect(entity(graph, 'build').metadata['language']).toBe('javascript');
    expect(entity(graph, '').namespace).toBe('app');
  });

  it('extracts functions, class expressions and CommonJS exports', () => {
    expect(symbolNames(graph)).toEqual([
      'build',
      'local',
      'Widget',
      'Widget.render',
      'Widget.paint',
      'run',
      'stop',
    ]);
    expect(entity(graph, 'build').description).toBe('Builds things.');
    expect(entity(graph, 'local').metadata['initializerKind']).toBe('FunctionExpression');
    expect(entity(graph, 'Widget').line).toBe(17);
    expect(entity(graph, 'run').metadata['exported']).toBe(true);
    expect(entity(graph, 'stop').line).toBe(23);
  });

  it('require and import() produce imports edges', () => {
    const imports = graph.relationships.filter((r) => r.type === 'imports');
    expect(imports.map((r) => [r.targetId, r.metadata])).toEqual([
      [fileId('base.ts'), { specifier: './base', kind: 'require' }],
      [fileId('util.js'), { specifier: './util.js', kind: 'require' }],
      [fileId('lib/index.ts'), { specifier: './lib', kind: 'dynamic' }],
    ]);
  });

  it('calls through require bindings', () => {
    expect(edges(graph, 'calls')).toEqual(
      [
        'build -> ' + symbolId('base.ts', 'helper'),
        'build -> ' + symbolId('base.ts', 'other'),
        'build -> ' + symbolId('util.js', 'twice'),
        'build -> local',
        'Widget.render -> Widget.paint',
        'run -> build',
      ].sort(),
    );
  });

  it('unresolved heritage is skipped', () => {
    expect(edges(graph, 'extends')).toEqual([]);
  });
});

describe('extractFile module pattern', () => {
  it('treats invoked function bodies as file scope', () => {
    const source = `var ts = {}; ((module) => {
function first() { second(); }
function second() {}
var third = () => first();
})(typeof module !== "undefined" ? module : { exports: ts });
`;
    const graph = extractFile('typescript.js', source, new Set());
    expect(symbolNames(graph)).toEqual(['first', 'second', 'third']);
    expect(edges(graph, 'contains')).toEqual(['<file> -> first', '<file> -> second', '<file> -> third']);
    expect(edges(graph, 'calls')).toEqual(['first -> second', 'third -> first']);
  });

  it('skips declarations in ordinary function bodies', () => {
    const source = `function outer() {
  function inner() {}
  class Local { m() {} }
  inner();
}
`;
    const graph = extractFile('a.ts', source, new Set());
    expect(symbolNames(graph)).toEqual(['outer']);
    expect(graph.relationships.filter((r) => r.type === 'calls')).toEqual([]);
  });

  it('this in a nested function is not the class', () => {
    const source = `class A {
  m() { [1].forEach(function () { this.n(); }); [1].forEach(() => this.n()); }
  n() {}
}
`;
    const graph = extractFile('a.ts', source, new Set());
    const calls = graph.relationships.filter((r) => r.type === 'calls');
    expect(edges(graph, 'calls')).toEqual(['A.m -> A.n']);
    expect(calls[0]?.metadata['count']).toBe(1);
  });
});

describe('extractFile exports and defaults', () => {
  it('marks names in local export lists', () => {
    const source = `function a() {}
class B { m() {} private p = 1; }
function c() {}
export { a, B as Renamed };
export default c;
`;
    const graph = extractFile('a.ts', source, new Set());
    expect(entity(graph, 'a').metadata['exported']).toBe(true);
    expect(entity(graph, 'B').metadata['exported']).toBe(true);
    expect(entity(graph, 'B.m').metadata['exported']).toBe(true);
    expect(entity(graph, 'B.p').metadata['exported']).toBe(false);
    expect(entity(graph, 'c').metadata['exported']).toBe(true);
  });

  it('names anonymous default exports default', () => {
    const fn = extractFile('f.ts', 'export default function () {}\n', new Set());
    expect(entity(fn, 'default').type).toBe('function');
    expect(entity(fn, 'default').metadata).toMatchObject({ exported: true, default: true });
    const cls = extractFile('c.ts', 'export default class { m() {} }\n', new Set());
    expect(symbolNames(cls)).toEqual(['default', 'default.m']);
    const arrow = extractFile('r.ts', 'export default () => 1;\n', new Set());
    expect(entity(arrow, 'default').metadata['initializerKind']).toBe('ArrowFunction');
  });
});

describe('extractFile import resolution', () => {
  const known = new Set(['src/a.ts', 'src/b.ts', 'src/b.js', 'src/dir/index.tsx', 'src/c.d.ts', 'src/e.mts', 'top.ts']);
  const importTargets = (from: string, source: string): string[] =>
    extractFile(from, source, known)
      .relationships.filter((r) => r.type === 'imports')
      .map((r) => String(r.metadata['specifier']) + ' => ' + r.targetId);

  it('resolves extensions, siblings and index files', () => {
    const source = `import './b.js';
import './dir';
import './c';
import './e.mjs';
export * from '../top';
`;
    expect(importTargets('src/a.ts', source)).toEqual([
      './b.js => ' + fileId('src/b.ts'),
      './dir => ' + fileId('src/dir/index.tsx'),
      './c => ' + fileId('src/c.d.ts'),
      './e.mjs => ' + fileId('src/e.mts'),
      '../top => ' + fileId('top.ts'),
    ]);
  });

  it('JavaScript prefers the exact file', () => {
    expect(importTargets('src/a.js', "require('./b.js');\n")).toEqual(['./b.js => ' + fileId('src/b.js')]);
  });

  it('skips bare, missing, outside and self imports', () => {
    const source = `import 'react';
import './missing';
import '../../outside';
import './a';
import type { X } from 'node:fs';
`;
    expect(importTargets('src/a.ts', source)).toEqual([]);
  });

  it('deduplicates repeated imports of a file', () => {
    const source = `import { x } from './b';
import type { Y } from './b.js';
`;
    expect(importTargets('src/a.ts', source)).toEqual(['./b => ' + fileId('src/b.ts')]);
  });

  it('resolves triple-slash path references', () => {
    expect(importTargets('src/a.ts', '/// <reference path="c.d.ts" />\n')).toEqual([
      'c.d.ts => ' + fileId('src/c.d.ts'),
    ]);
  });

  it('handles import aliases in heritage', () => {
    const source = `import { Base as Parent, type Api } from './b';
import * as ns from './b';
export class Child extends Parent implements Api, ns.Other {}
`;
    const graph = extractFile('src/a.ts', source, known);
    expect(edges(graph, 'extends')).toEqual(['Child -> ' + symbolId('src/b.ts', 'Base')]);
    expect(edges(graph, 'implements')).toEqual(
      ['Child -> ' + symbolId('src/b.ts', 'Api'), 'Child -> ' + symbolId('src/b.ts', 'Other')].sort(),
    );
  });
});

describe('extractFile robustness', () => {
  it('survives syntax errors', () => {
    const graph = extractFile('bad.ts', 'class { function ( \n export interface }} => function ok() {}', new Set());
    expect(graph.entities[0]?.type).toBe('file');
  });

  it('handles an empty file', () => {
    const graph = extractFile('empty.ts', '', new Set());
    expect(graph.entities).toHaveLength(1);
    expect(graph.entities[0]?.metadata['lines']).toBe(0);
    expect(graph.relationships).toEqual([]);
  });

  it('handles BOM and CRLF line endings', () => {
    const source = '\uFEFF/**\r\n * Doc line.\r\n */\r\nexport function g() {}\r\n\r\nclass K {}\r\n';
    const graph = extractFile('crlf.ts', source, new Set());
    expect(entity(graph, 'g').line).toBe(4);
    expect(entity(graph, 'g').description).toBe('Doc line.');
    expect(entity(graph, 'K').line).toBe(6);
    expect(entity(graph, '').metadata['lines']).toBe(6);
  });

  it('parses JSX in .jsx and .tsx files', () => {
    const jsx = extractFile('v.jsx', 'export function View() { return <div>{render()}</div>; }\nfunction render() {}\n', new Set());
    expect(edges(jsx, 'calls')).toEqual(['View -> render']);
    const tsx = extractFile('v.tsx', 'export const View = (p: { a: number }) => <b>{p.a}</b>;\n', new Set());
    expect(symbolNames(tsx)).toEqual(['View']);
  });

  it('walks very long expression chains', () => {
    const terms = Array.from({ length: 50_000 }, (_, index) => `'t${index}'`).join(' + ');
    const graph = extractFile('long.js', `const s = ${terms};\nfunction f() {}\nf();\n`, new Set());
    expect(edges(graph, 'calls')).toEqual(['<file> -> f']);
  });

  it('reports parser stack overflow in metadata', () => {
    const depth = 5_000;
    const graph = extractFile('deep.js', 'x = ' + '['.repeat(depth) + ']'.repeat(depth) + ';\n', new Set());
    expect(graph.entities).toHaveLength(1);
    expect(graph.entities[0]?.metadata['parseError']).toMatch(/^Parsing failed/);
  });

  it('caps long descriptions at 500 characters', () => {
    const graph = extractFile('d.ts', `/** ${'x'.repeat(800)} */\nfunction f() {}\n`, new Set());
    expect(entity(graph, 'f').description).toHaveLength(500);
  });

  it('keeps long qualified names within the id limit', () => {
    const name = 'N'.repeat(400);
    const graph = extractFile('long-name.ts', `function ${name}() {}\n`, new Set());
    const id = entity(graph, name).id;
    expect(id.length).toBe(200);
    expect(id).toBe(symbolId('long-name.ts', name));
  });
});
