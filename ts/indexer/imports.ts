/**
 * `imports` relationships and import bindings: ES imports and re-exports, `import x = require()`,
 * CommonJS `require()`, dynamic `import()` and `/// <reference path>` directives.
 */
import ts from 'typescript';
import { fileId } from './ids.js';
import type { ExtractionState } from './extraction-state.js';
import { resolveRelativeSpecifier } from './module-paths.js';
import type { Scope } from './scopes.js';
import { skipExpressionWrappers } from './syntax.js';

/** Syntax that produced an `imports` relationship, stored as `metadata.kind`. */
export type ImportKind = 'import' | 'export' | 'require' | 'dynamic' | 'reference';

/**
 * Adds an `imports` relationship from the file to the file that `specifier` resolves to, and
 * returns that file's path. `resolvedSpecifier` is what gets resolved when it differs from the
 * specifier as written. Returns undefined, adding nothing, when the specifier does not resolve to
 * a known file. A file that imports itself gets no relationship but still returns its path.
 */
export function addImport(
  state: ExtractionState,
  specifier: string,
  kind: ImportKind,
  resolvedSpecifier: string = specifier,
): string | undefined {
  const target = resolveRelativeSpecifier(state.relPath, resolvedSpecifier, state.knownFiles);
  if (target !== undefined && target !== state.relPath) {
    state.builder.addRelationship(state.builder.fileEntity.id, 'imports', fileId(target), {
      specifier,
      kind,
    });
  }
  return target;
}

/** Records the edge and the named and namespace bindings of an `import` declaration. */
export function visitImportDeclaration(
  state: ExtractionState,
  node: ts.ImportDeclaration,
  scope: Scope,
): void {
  if (!ts.isStringLiteral(node.moduleSpecifier)) {
    return;
  }
  const target = addImport(state, node.moduleSpecifier.text, 'import');
  const bindings = node.importClause?.namedBindings;
  if (target === undefined || bindings === undefined || scope !== state.fileScope) {
    return;
  }
  if (ts.isNamespaceImport(bindings)) {
    state.imports.set(bindings.name.text, { filePath: target, importedName: '' });
    return;
  }
  for (const element of bindings.elements) {
    const importedName = (element.propertyName ?? element.name).text;
    state.imports.set(element.name.text, { filePath: target, importedName });
  }
}

/**
 * Records an `export … from` edge, or for `export { a, b as c }` without a module specifier, the
 * local names it exports.
 */
export function visitExportDeclaration(
  state: ExtractionState,
  node: ts.ExportDeclaration,
  scope: Scope,
): void {
  if (node.moduleSpecifier !== undefined) {
    if (ts.isStringLiteral(node.moduleSpecifier)) {
      addImport(state, node.moduleSpecifier.text, 'export');
    }
    return;
  }
  if (node.exportClause === undefined || !ts.isNamedExports(node.exportClause)) {
    return;
  }
  for (const element of node.exportClause.elements) {
    state.localExports.push({ name: (element.propertyName ?? element.name).text, scope });
  }
}

/** Records the edge and the module binding of `import x = require('./x')`. */
export function visitImportEquals(
  state: ExtractionState,
  node: ts.ImportEqualsDeclaration,
  scope: Scope,
): void {
  const reference = node.moduleReference;
  if (!ts.isExternalModuleReference(reference) || !ts.isStringLiteral(reference.expression)) {
    return;
  }
  const target = addImport(state, reference.expression.text, 'import');
  if (target !== undefined && scope === state.fileScope) {
    state.imports.set(node.name.text, { filePath: target, importedName: '' });
  }
}

/**
 * Returns the specifier of a `require('x')` call with one string argument, or undefined for any
 * other expression.
 */
export function requireSpecifier(expression: ts.Expression): string | undefined {
  if (
    !ts.isCallExpression(expression) ||
    !ts.isIdentifier(expression.expression) ||
    expression.expression.text !== 'require' ||
    expression.arguments.length !== 1
  ) {
    return undefined;
  }
  const argument = expression.arguments[0];
  return argument !== undefined && ts.isStringLiteralLike(argument) ? argument.text : undefined;
}

/** Returns the specifier of an `import('x')` call whose first argument is a string literal. */
export function dynamicImportSpecifier(call: ts.CallExpression): string | undefined {
  if (call.expression.kind !== ts.SyntaxKind.ImportKeyword) {
    return undefined;
  }
  const argument = call.arguments[0];
  return argument !== undefined && ts.isStringLiteralLike(argument) ? argument.text : undefined;
}

/**
 * Records the import bindings of a file-scope variable initialized from `require()`:
 * `const m = require('./m')` binds the module, `const { a, b: c } = require('./m')` binds the
 * exports `a` and `b`, and `const a = require('./m').a` binds the export `a`. The `imports`
 * relationship itself comes from visiting the `require()` call.
 */
export function bindRequire(
  state: ExtractionState,
  name: ts.BindingName,
  initializer: ts.Expression,
): void {
  const value = skipExpressionWrappers(initializer);
  let importedName = '';
  let call: ts.Expression = value;
  if (ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.name)) {
    importedName = value.name.text;
    call = skipExpressionWrappers(value.expression);
  }
  const specifier = requireSpecifier(call);
  if (specifier === undefined) {
    return;
  }
  const target = resolveRelativeSpecifier(state.relPath, specifier, state.knownFiles);
  if (target === undefined) {
    return;
  }

  if (ts.isIdentifier(name)) {
    state.imports.set(name.text, { filePath: target, importedName });
    return;
  }
  if (!ts.isObjectBindingPattern(name) || importedName !== '') {
    return;
  }
  for (const element of name.elements) {
    const property = element.propertyName ?? element.name;
    if (ts.isIdentifier(element.name) && ts.isIdentifier(property) && element.dotDotDotToken === undefined) {
      state.imports.set(element.name.text, { filePath: target, importedName: property.text });
    }
  }
}

/**
 * Adds `imports` relationships for `/// <reference path="…" />` directives. Their paths are
 * relative to the file even without a leading `./`.
 */
export function addReferenceDirectives(state: ExtractionState): void {
  for (const reference of state.sourceFile.referencedFiles) {
    const path = reference.fileName.replaceAll('\\', '/');
    const relativePath = path.startsWith('.') || path.startsWith('/') ? path : './' + path;
    addImport(state, path, 'reference', relativePath);
  }
}
