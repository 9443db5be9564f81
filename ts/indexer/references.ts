/**
 * Second pass of the extraction: resolves the calls, heritage clauses and local exports recorded
 * by the declaration walk, using only syntax.
 *
 * A dotted name `a.b.c` resolves through the innermost enclosing namespace scope that declares `a`,
 * moving outward to the file scope, and otherwise through the import binding of `a`. A name found
 * in a scope must name an entity of a fitting type in this file. A name bound by an import is
 * assumed to name an entity of the imported file; the caller keeps the relationship back until that
 * entity exists.
 *
 * NOTE: local variables and parameters are not tracked, so a local that shadows a declaration of an
 * enclosing scope resolves to that declaration.
 */
import ts from 'typescript';
import type { EntityRecord } from './graph-builder.js';
import { symbolId } from './ids.js';
import type { CallSite, ExtractionState, HeritageReference } from './extraction-state.js';
import type { Scope } from './scopes.js';
import { dottedNameParts, skipExpressionWrappers } from './syntax.js';
import type { EntityType } from './types.js';

/** Result of resolving a dotted name. */
type ResolvedName =
  | { kind: 'local'; record: EntityRecord | undefined }
  | { kind: 'import'; targetId: string };

const CALLABLE_TYPES: ReadonlySet<EntityType> = new Set(['function', 'method', 'class']);
const CONSTRUCTIBLE_TYPES: ReadonlySet<EntityType> = new Set(['class', 'function']);

/**
 * Resolves everything recorded in `state`: marks local exports, derives the `exported` flag of
 * members, and adds `extends`, `implements` and `calls` relationships.
 */
export function resolveReferences(state: ExtractionState): void {
  markLocalExports(state);
  markExportedMembers(state);
  for (const reference of state.heritage) {
    addHeritage(state, reference);
  }
  for (const site of state.callSites) {
    addCall(state, site);
  }
}

function markLocalExports(state: ExtractionState): void {
  for (const { name, scope } of state.localExports) {
    if (scope.has(name)) {
      const record = state.builder.symbol(scope.qualify(name));
      if (record !== undefined) {
        record.entity.metadata['exported'] = true;
      }
    }
  }
}

/** Marks a member exported when its class or interface is exported and the member is public. */
function markExportedMembers(state: ExtractionState): void {
  for (const record of state.builder.symbolRecords()) {
    if (record.memberOf === undefined) {
      continue;
    }
    const owner = state.builder.symbol(record.memberOf);
    record.entity.metadata['exported'] = owner?.entity.metadata['exported'] === true && record.isPublicMember === true;
  }
}

/**
 * Adds `extends` or `implements` from a class or interface to the named class or interface. A
 * class extends a class, an interface extends a class or an interface, and a class implements a
 * class or an interface, as TypeScript allows.
 */
function addHeritage(state: ExtractionState, reference: HeritageReference): void {
  const parts = dottedNameParts(reference.expression);
  if (parts === undefined) {
    return;
  }
  const resolved = resolveDottedName(state, parts, reference.scope);
  let targetId: string | undefined;
  if (resolved?.kind === 'import') {
    targetId = resolved.targetId;
  } else if (resolved?.record !== undefined) {
    const targetType = resolved.record.entity.type;
    const fits =
      targetType === 'class' ||
      (targetType === 'interface' && (reference.sourceType === 'interface' || reference.type === 'implements'));
    targetId = fits ? resolved.record.entity.id : undefined;
  }
  if (targetId !== undefined && targetId !== reference.sourceId) {
    state.builder.addRelationship(reference.sourceId, reference.type, targetId);
  }
}

/**
 * Adds a `calls` relationship for a call site whose callee resolves. `this.m()` resolves to the
 * method `m` of the enclosing class entity. `new X()` must target a class or function. Other
 * calls must target a function, method or class, or a property initialized with a function.
 */
function addCall(state: ExtractionState, site: CallSite): void {
  const callee = skipCalleeWrappers(site.callee);
  let record: EntityRecord | undefined;

  if (ts.isPropertyAccessExpression(callee) && callee.expression.kind === ts.SyntaxKind.ThisKeyword) {
    if (site.thisClass !== undefined) {
      record = state.builder.symbol(site.thisClass + '.' + callee.name.text);
    }
  } else {
    const parts = dottedNameParts(callee);
    const resolved = parts === undefined ? undefined : resolveDottedName(state, parts, site.scope);
    if (resolved?.kind === 'import') {
      state.builder.addRelationship(site.callerId, 'calls', resolved.targetId);
      return;
    }
    record = resolved?.record;
  }

  if (record !== undefined && isCallTarget(record, site.isNew)) {
    state.builder.addRelationship(site.callerId, 'calls', record.entity.id);
  }
}

function isCallTarget(record: EntityRecord, isNew: boolean): boolean {
  const type = record.entity.type;
  if (isNew) {
    return CONSTRUCTIBLE_TYPES.has(type);
  }
  return CALLABLE_TYPES.has(type) || (type === 'property' && record.entity.metadata['initializerKind'] !== undefined);
}

/**
 * Strips wrappers around a callee, including the comma in `(0, m.f)()`, which compilers emit to
 * call an imported function without a `this` value.
 */
function skipCalleeWrappers(callee: ts.Expression): ts.Expression {
  let current = skipExpressionWrappers(callee);
  while (ts.isBinaryExpression(current) && current.operatorToken.kind === ts.SyntaxKind.CommaToken) {
    current = skipExpressionWrappers(current.right);
  }
  return current;
}

/**
 * Resolves `parts` (the identifiers of `a.b.c`) as described in the file comment. Returns
 * undefined when the first identifier is neither declared in an enclosing scope nor imported, or
 * when it binds a whole module and nothing follows it.
 */
function resolveDottedName(state: ExtractionState, parts: string[], scope: Scope): ResolvedName | undefined {
  const [head, ...rest] = parts;
  if (head === undefined) {
    return undefined;
  }
  const declaringScope = scope.findDeclaring(head);
  if (declaringScope !== undefined) {
    return { kind: 'local', record: state.builder.symbol(declaringScope.qualify(parts.join('.'))) };
  }
  const binding = state.imports.get(head);
  if (binding === undefined) {
    return undefined;
  }
  const importedPath = [binding.importedName, ...rest].filter((part) => part !== '');
  if (importedPath.length === 0) {
    return undefined;
  }
  return { kind: 'import', targetId: symbolId(binding.filePath, importedPath.join('.')) };
}
