/**
 * First pass of the extraction: walks the syntax tree once, adds declaration entities and
 * `contains` and `imports` relationships, and records the calls, heritage clauses and local exports
 * that can only be resolved after every declaration is known.
 *
 * Declarations become entities at the top level of the file, inside namespace and module bodies,
 * and inside the body of an immediately invoked function at those levels (the module pattern of
 * bundled and older JavaScript, such as `(function (ts) { … })(ts || (ts = {}))`). Declarations in
 * other function bodies and blocks are not entities, but their calls count for the enclosing
 * entity.
 */
import ts from 'typescript';
import type { EntityRecord } from './graph-builder.js';
import { symbolId } from './ids.js';
import {
  addImport,
  bindRequire,
  dynamicImportSpecifier,
  requireSpecifier,
  visitExportDeclaration,
  visitImportDeclaration,
  visitImportEquals,
} from './imports.js';
import type { ExtractionState } from './extraction-state.js';
import { leadingJsDocText } from './jsdoc.js';
import { memberSpec, visibilityOf, type MemberSpec } from './members.js';
import { defaultFlag, flagsOf, functionFlags } from './metadata-flags.js';
import { Scope } from './scopes.js';
import {
  hasModifier,
  isFunctionValue,
  lineOf,
  skipExpressionWrappers,
  syntaxKindName,
} from './syntax.js';
import { visitScriptPatternStatement } from './script-patterns.js';
import {
  bodyContext,
  expressionContext,
  type ClassPlacement,
  type DeclarationSpec,
  type FunctionPlacement,
  type MemberOwner,
  type WalkContext,
  type WalkerHost,
} from './walk-context.js';

/**
 * Walks `state.sourceFile` and fills `state` as described in the file comment. The walk uses an
 * explicit stack, so deeply nested expressions in generated code cannot overflow the call stack.
 */
export function walkSourceFile(state: ExtractionState): void {
  new DeclarationWalker(state).run();
}

class DeclarationWalker implements WalkerHost {
  readonly state: ExtractionState;
  private readonly nodeStack: ts.Node[] = [];
  private readonly contextStack: WalkContext[] = [];

  constructor(state: ExtractionState) {
    this.state = state;
  }

  run(): void {
    const fileEntityId = this.state.builder.fileEntity.id;
    const fileContext: WalkContext = {
      scope: this.state.fileScope,
      namespace: this.state.builder.fileEntity.namespace,
      containerId: fileEntityId,
      callerId: fileEntityId,
      thisClass: undefined,
      declarationLevel: true,
      implicitExport: false,
      ambient: this.state.sourceFile.isDeclarationFile,
      owner: undefined,
    };
    this.pushAll(this.state.sourceFile.statements, fileContext);

    for (let node = this.nodeStack.pop(); node !== undefined; node = this.nodeStack.pop()) {
      const context = this.contextStack.pop() as WalkContext;
      this.visit(node, context);
    }
  }

  /** Pushes `nodes` so that they are visited in source order. */
  pushAll(nodes: readonly ts.Node[], context: WalkContext): void {
    for (let index = nodes.length - 1; index >= 0; index--) {
      this.nodeStack.push(nodes[index] as ts.Node);
      this.contextStack.push(context);
    }
  }

  private pushChildren(node: ts.Node, context: WalkContext): void {
    const start = this.nodeStack.length;
    ts.forEachChild(node, (child) => {
      this.nodeStack.push(child);
      this.contextStack.push(context);
    });
    reverseTail(this.nodeStack, start);
    reverseTail(this.contextStack, start);
  }

  private visit(node: ts.Node, context: WalkContext): void {
    if (context.owner !== undefined) {
      this.visitMember(node, context, context.owner);
      return;
    }
    if (context.declarationLevel && this.visitDeclaration(node, context)) {
      return;
    }
    this.visitExpression(node, context);
  }

  // Declarations at the file, namespace or module level.

  /** Handles a statement at declaration level, and returns false if it declares nothing. */
  private visitDeclaration(node: ts.Node, context: WalkContext): boolean {
    switch (node.kind) {
      case ts.SyntaxKind.FunctionDeclaration:
        return this.visitFunctionDeclaration(node as ts.FunctionDeclaration, context);
      case ts.SyntaxKind.ClassDeclaration:
        return this.visitClassDeclaration(node as ts.ClassDeclaration, context);
      case ts.SyntaxKind.InterfaceDeclaration:
        this.visitInterface(node as ts.InterfaceDeclaration, context);
        return true;
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
        this.visitEnumOrTypeAlias(node as ts.EnumDeclaration | ts.TypeAliasDeclaration, context);
        return true;
      case ts.SyntaxKind.ModuleDeclaration:
        this.visitModule(node as ts.ModuleDeclaration, context);
        return true;
      case ts.SyntaxKind.VariableStatement:
        this.visitVariableStatement(node as ts.VariableStatement, context);
        return true;
      case ts.SyntaxKind.ExpressionStatement:
        return visitScriptPatternStatement(this, node as ts.ExpressionStatement, context);
      case ts.SyntaxKind.ImportDeclaration:
        visitImportDeclaration(this.state, node as ts.ImportDeclaration, context.scope);
        return true;
      case ts.SyntaxKind.ExportDeclaration:
        visitExportDeclaration(this.state, node as ts.ExportDeclaration, context.scope);
        return true;
      case ts.SyntaxKind.ImportEqualsDeclaration:
        visitImportEquals(this.state, node as ts.ImportEqualsDeclaration, context.scope);
        return true;
      case ts.SyntaxKind.ExportAssignment:
        return this.visitExportAssignment(node as ts.ExportAssignment, context);
      default:
        return false;
    }
  }

  private visitFunctionDeclaration(node: ts.FunctionDeclaration, context: WalkContext): boolean {
    const name = node.name?.text ?? defaultExportName(node);
    if (name === undefined) {
      return false;
    }
    const record = this.addDeclaration(context, {
      type: 'function',
      name,
      qualifiedName: context.scope.qualify(name),
      node,
      lineNode: node.name ?? node,
      docNode: node,
      exported: isExported(node, context),
      metadata: { ...functionFlags(node), ...defaultFlag(node) },
    });
    context.scope.declare(name);
    this.pushChildren(node, bodyContext(context, record.entity.id, undefined));
    return true;
  }

  private visitClassDeclaration(node: ts.ClassDeclaration, context: WalkContext): boolean {
    const name = node.name?.text ?? defaultExportName(node);
    if (name === undefined) {
      return false;
    }
    this.visitClass(node, name, context, {
      lineNode: node.name ?? node,
      docNode: node,
      exported: isExported(node, context),
    });
    return true;
  }

  /** Adds a class entity, records its heritage clauses and queues its members. */
  visitClass(
    node: ts.ClassLikeDeclaration,
    name: string,
    context: WalkContext,
    placement: ClassPlacement,
  ): void {
    const qualifiedName = context.scope.qualify(name);
    const record = this.addDeclaration(context, {
      type: 'class',
      name,
      qualifiedName,
      node,
      ...placement,
      metadata: flagsOf({
        abstract: hasModifier(node, ts.SyntaxKind.AbstractKeyword),
        default: hasModifier(node, ts.SyntaxKind.DefaultKeyword),
      }),
    });
    context.scope.declare(name);
    const classId = record.entity.id;
    this.recordHeritage(node, classId, 'class', context.scope);

    const memberContext: WalkContext = {
      ...bodyContext(context, classId, qualifiedName),
      containerId: classId,
      owner: { qualifiedName, id: classId, type: 'class' },
    };
    // Decorators and heritage expressions run outside the class body, where `this` is not the class.
    const outerContext = bodyContext(context, classId, undefined);
    const start = this.nodeStack.length;
    ts.forEachChild(
      node,
      (child) => {
        this.nodeStack.push(child);
        this.contextStack.push(outerContext);
      },
      (children) => {
        const childContext = children === node.members ? memberContext : outerContext;
        for (const child of children) {
          this.nodeStack.push(child);
          this.contextStack.push(childContext);
        }
      },
    );
    reverseTail(this.nodeStack, start);
    reverseTail(this.contextStack, start);
  }

  private visitInterface(node: ts.InterfaceDeclaration, context: WalkContext): void {
    const name = node.name.text;
    const qualifiedName = context.scope.qualify(name);
    const record = this.addDeclaration(context, {
      type: 'interface',
      name,
      qualifiedName,
      node,
      lineNode: node.name,
      docNode: node,
      exported: isExported(node, context),
    });
    context.scope.declare(name);
    this.recordHeritage(node, record.entity.id, 'interface', context.scope);

    const memberContext: WalkContext = {
      ...bodyContext(context, record.entity.id, undefined),
      containerId: record.entity.id,
      owner: { qualifiedName, id: record.entity.id, type: 'interface' },
    };
    this.pushAll(node.members, memberContext);
  }

  private visitEnumOrTypeAlias(
    node: ts.EnumDeclaration | ts.TypeAliasDeclaration,
    context: WalkContext,
  ): void {
    const name = node.name.text;
    this.addDeclaration(context, {
      type: ts.isEnumDeclaration(node) ? 'enum' : 'type',
      name,
      qualifiedName: context.scope.qualify(name),
      node,
      lineNode: node.name,
      docNode: node,
      exported: isExported(node, context),
      metadata: flagsOf({ const: hasModifier(node, ts.SyntaxKind.ConstKeyword) }),
    });
    context.scope.declare(name);
  }

  /**
   * Adds a module entity for `namespace A {}`, `module A {}`, `declare module 'a' {}` or
   * `declare global {}`, and queues its body with a scope shared by all declarations of that name.
   * A dotted `namespace A.B {}` nests a module B inside A.
   */
  private visitModule(node: ts.ModuleDeclaration, context: WalkContext): void {
    const name = node.name.text;
    const qualifiedName = context.scope.qualify(name);
    const isExternal = ts.isStringLiteral(node.name);
    const ambient = context.ambient || hasModifier(node, ts.SyntaxKind.DeclareKeyword);
    const record = this.addDeclaration(context, {
      type: 'module',
      name,
      qualifiedName,
      node,
      lineNode: node.name,
      docNode: node,
      exported: isExported(node, context),
      metadata: flagsOf({ external: isExternal, ambient }),
    });
    if (!isExternal) {
      context.scope.declare(name);
    }

    let scope = this.state.scopes.get(qualifiedName);
    if (scope === undefined) {
      scope = new Scope(qualifiedName, context.scope);
      this.state.scopes.set(qualifiedName, scope);
    }
    const innerContext: WalkContext = {
      scope,
      namespace: context.namespace + '.' + name,
      containerId: record.entity.id,
      callerId: record.entity.id,
      thisClass: undefined,
      declarationLevel: true,
      implicitExport: false,
      ambient,
      owner: undefined,
    };

    const body = node.body;
    if (body === undefined) {
      return;
    }
    if (ts.isModuleDeclaration(body)) {
      this.pushAll([body], { ...innerContext, implicitExport: true });
    } else if (ts.isModuleBlock(body)) {
      innerContext.implicitExport = ambient && !hasExportStatement(body);
      this.pushAll(body.statements, innerContext);
    }
  }

  /**
   * Adds function entities for variables initialized with a function or arrow function, and class
   * entities for variables initialized with a class expression. Records `require()` bindings at
   * file scope. Other initializers are only searched for calls.
   */
  private visitVariableStatement(node: ts.VariableStatement, context: WalkContext): void {
    const declarations = node.declarationList.declarations;
    const exported = isExported(node, context);
    const innerContext = expressionContext(context);

    declarations.forEach((declaration, index) => {
      const initializer = declaration.initializer;
      if (initializer === undefined) {
        return;
      }
      const docNode = index === 0 ? node : declaration;
      const value = skipExpressionWrappers(initializer);
      if (ts.isIdentifier(declaration.name) && isFunctionValue(value)) {
        const name = declaration.name.text;
        this.addFunctionValue(context, value, initializer, {
          name,
          node: declaration,
          lineNode: declaration.name,
          docNode,
          exported,
        });
        context.scope.declare(name);
        return;
      }
      if (ts.isIdentifier(declaration.name) && ts.isClassExpression(value)) {
        this.visitClass(value, declaration.name.text, context, {
          lineNode: declaration.name,
          docNode,
          exported,
        });
        return;
      }
      if (context.scope === this.state.fileScope) {
        bindRequire(this.state, declaration.name, initializer);
      }
      this.pushAll([declaration], innerContext);
    });
  }

  /**
   * Adds `export default () => …` and `export default class {}` as entities named `default`, and
   * records `export default name` and `export = name` as local exports.
   */
  private visitExportAssignment(node: ts.ExportAssignment, context: WalkContext): boolean {
    const value = skipExpressionWrappers(node.expression);
    if (ts.isIdentifier(value)) {
      this.state.localExports.push({ name: value.text, scope: context.scope });
      return true;
    }
    if (node.isExportEquals === true) {
      return false;
    }
    if (ts.isClassExpression(value)) {
      this.visitClass(value, 'default', context, { lineNode: node, docNode: node, exported: true });
      return true;
    }
    if (!isFunctionValue(value)) {
      return false;
    }
    this.addFunctionValue(context, value, node.expression, {
      name: 'default',
      node,
      lineNode: node,
      docNode: node,
      exported: true,
    });
    return true;
  }

  /**
   * Adds a function entity for a function or arrow function `value` bound to a name, and queues
   * `expression` (the value with its wrappers) with calls attributed to the new entity.
   */
  addFunctionValue(
    context: WalkContext,
    value: ts.ArrowFunction | ts.FunctionExpression,
    expression: ts.Expression,
    placement: FunctionPlacement,
  ): void {
    const record = this.addDeclaration(context, {
      type: 'function',
      qualifiedName: context.scope.qualify(placement.name),
      ...placement,
      metadata: { initializerKind: syntaxKindName(value.kind), ...functionFlags(value) },
    });
    this.pushAll([expression], bodyContext(context, record.entity.id, undefined));
  }

  // Members of class and interface entities.

  private visitMember(node: ts.Node, context: WalkContext, owner: MemberOwner): void {
    const member = memberSpec(node, owner, this.state.sourceFile);
    if (member === undefined) {
      if (ts.isClassStaticBlockDeclaration(node)) {
        this.pushChildren(node, bodyContext(context, owner.id, owner.qualifiedName));
      }
      return;
    }
    const record = this.addMember(context, owner, node, member);
    if (owner.type === 'interface') {
      return;
    }
    if (ts.isConstructorDeclaration(node)) {
      this.addParameterProperties(node, context, owner);
    }
    this.pushChildren(node, bodyContext(context, record.entity.id, owner.qualifiedName));
  }

  private addMember(
    context: WalkContext,
    owner: MemberOwner,
    node: ts.Node,
    member: MemberSpec,
  ): EntityRecord {
    return this.addDeclaration(context, {
      type: member.type,
      name: member.name,
      qualifiedName: owner.qualifiedName + '.' + member.name,
      node,
      lineNode: member.lineNode,
      docNode: node,
      exported: false,
      metadata: member.metadata,
      owner,
      isPublicMember: member.isPublic,
    });
  }

  /** Adds property entities for constructor parameters declared with `private x` and the like. */
  private addParameterProperties(
    constructor: ts.ConstructorDeclaration,
    context: WalkContext,
    owner: MemberOwner,
  ): void {
    for (const parameter of constructor.parameters) {
      if (!ts.isParameterPropertyDeclaration(parameter, constructor) || !ts.isIdentifier(parameter.name)) {
        continue;
      }
      const visibility = visibilityOf(parameter);
      this.addMember(context, owner, parameter, {
        type: 'property',
        name: parameter.name.text,
        lineNode: parameter.name,
        isPublic: visibility === undefined,
        metadata: flagsOf({
          parameterProperty: true,
          readonly: hasModifier(parameter, ts.SyntaxKind.ReadonlyKeyword),
          optional: parameter.questionToken !== undefined,
          visibility,
        }),
      });
    }
  }

  // Calls and expressions anywhere.

  private visitExpression(node: ts.Node, context: WalkContext): void {
    const innerContext = expressionContext(context);
    switch (node.kind) {
      case ts.SyntaxKind.CallExpression:
        this.visitCall(node as ts.CallExpression, innerContext);
        break;
      case ts.SyntaxKind.NewExpression:
        this.recordCall((node as ts.NewExpression).expression, true, innerContext);
        break;
      case ts.SyntaxKind.TaggedTemplateExpression:
        this.recordCall((node as ts.TaggedTemplateExpression).tag, false, innerContext);
        break;
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.MethodDeclaration:
      case ts.SyntaxKind.GetAccessor:
      case ts.SyntaxKind.SetAccessor:
      case ts.SyntaxKind.Constructor:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.ClassExpression:
        // `this` is rebound here, and these functions and classes are not entities.
        this.pushChildren(node, { ...innerContext, thisClass: undefined });
        return;
      default:
        break;
    }
    this.pushChildren(node, innerContext);
  }

  private visitCall(call: ts.CallExpression, context: WalkContext): void {
    const dynamicSpecifier = dynamicImportSpecifier(call);
    if (dynamicSpecifier !== undefined) {
      addImport(this.state, dynamicSpecifier, 'dynamic');
      return;
    }
    const required = requireSpecifier(call);
    if (required !== undefined) {
      addImport(this.state, required, 'require');
      return;
    }
    if (call.expression.kind !== ts.SyntaxKind.ImportKeyword) {
      this.recordCall(call.expression, false, context);
    }
  }

  private recordCall(callee: ts.Expression, isNew: boolean, context: WalkContext): void {
    this.state.callSites.push({
      callee,
      isNew,
      scope: context.scope,
      thisClass: context.thisClass,
      callerId: context.callerId,
    });
  }

  // Shared helpers.

  private recordHeritage(
    node: ts.ClassLikeDeclaration | ts.InterfaceDeclaration,
    sourceId: string,
    sourceType: 'class' | 'interface',
    scope: Scope,
  ): void {
    for (const clause of node.heritageClauses ?? []) {
      const type = clause.token === ts.SyntaxKind.ExtendsKeyword ? 'extends' : 'implements';
      for (const heritageType of clause.types) {
        this.state.heritage.push({ sourceId, sourceType, type, expression: heritageType.expression, scope });
      }
    }
  }

  /**
   * Adds the entity described by `spec` and a `contains` relationship from the current container.
   * Returns the record that owns the qualified name, which is an earlier one for overloads and
   * merged declarations.
   */
  private addDeclaration(context: WalkContext, spec: DeclarationSpec): EntityRecord {
    const { builder, relPath, sourceFile, sourceText, language } = this.state;
    const existing = builder.symbol(spec.qualifiedName);
    let record: EntityRecord;
    if (existing !== undefined) {
      record = builder.addSymbol(existing);
    } else {
      const description = leadingJsDocText(sourceText, spec.docNode);
      record = builder.addSymbol({
        qualifiedName: spec.qualifiedName,
        memberOf: spec.owner?.qualifiedName,
        isPublicMember: spec.isPublicMember,
        entity: {
          id: symbolId(relPath, spec.qualifiedName),
          type: spec.type,
          name: spec.name,
          namespace: context.namespace,
          filePath: relPath,
          line: lineOf(spec.lineNode, sourceFile),
          ...(description === undefined ? {} : { description }),
          metadata: {
            kind: syntaxKindName(spec.node.kind),
            exported: spec.exported,
            language,
            qualifiedName: spec.qualifiedName,
            ...spec.metadata,
          },
        },
      });
    }
    if (context.containerId !== record.entity.id) {
      builder.addRelationship(context.containerId, 'contains', record.entity.id);
    }
    return record;
  }
}

function isExported(node: ts.Node, context: WalkContext): boolean {
  return context.implicitExport || hasModifier(node, ts.SyntaxKind.ExportKeyword);
}

/** Returns `'default'` for an anonymous `export default function` or class, else undefined. */
function defaultExportName(node: ts.FunctionDeclaration | ts.ClassDeclaration): string | undefined {
  return hasModifier(node, ts.SyntaxKind.DefaultKeyword) ? 'default' : undefined;
}

/**
 * Returns whether a module body has `export { … }` or `export =`. An ambient module body without
 * them exports all its declarations.
 */
function hasExportStatement(body: ts.ModuleBlock): boolean {
  return body.statements.some((statement) => ts.isExportDeclaration(statement) || ts.isExportAssignment(statement));
}

function reverseTail<T>(items: T[], start: number): void {
  for (let low = start, high = items.length - 1; low < high; low++, high--) {
    const item = items[low] as T;
    items[low] = items[high] as T;
    items[high] = item;
  }
}
