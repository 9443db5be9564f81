/**
 * Types shared by the declaration walker and its helpers: the position of a node during the walk,
 * the positions derived for its children, and the walker operations the helpers call back into.
 */
import type ts from 'typescript';
import type { ExtractionState } from './extraction-state.js';
import type { Scope } from './scopes.js';
import type { EntityType } from './types.js';

/** Class or interface entity whose members are being visited. */
export interface MemberOwner {
  qualifiedName: string;
  id: string;
  type: 'class' | 'interface';
}

/** Position of a node in the walk: its scope, container, caller and `this` class. */
export interface WalkContext {
  scope: Scope;
  /** Value of `ExtractedEntity.namespace` for declarations here. */
  namespace: string;
  /** Entity that `contains` declarations found here. */
  containerId: string;
  /** Entity that is the source of calls found here. */
  callerId: string;
  /** Qualified name of the class entity that `this` refers to, if any. */
  thisClass: string | undefined;
  /** Whether the node is a statement at a level where declarations become entities. */
  declarationLevel: boolean;
  /** Whether declarations here are exported without an `export` keyword. */
  implicitExport: boolean;
  /** Whether the node is in an ambient (`declare`) context. */
  ambient: boolean;
  /** Set when the node is a direct member of a class or interface entity. */
  owner: MemberOwner | undefined;
}

/** Description of a declaration entity before it is added. */
export interface DeclarationSpec {
  type: EntityType;
  name: string;
  qualifiedName: string;
  /** Node whose syntax kind goes into `metadata.kind`. */
  node: ts.Node;
  /** Node whose first line becomes `line`. */
  lineNode: ts.Node;
  /** Node whose leading trivia contains the JSDoc comment. */
  docNode: ts.Node;
  exported: boolean;
  metadata?: Record<string, unknown>;
  owner?: MemberOwner;
  isPublicMember?: boolean;
}

/** Line node, JSDoc node and export flag of a class whose name is not on the class node. */
export interface ClassPlacement {
  lineNode: ts.Node;
  docNode: ts.Node;
  exported: boolean;
}

/** Name, nodes and export flag of a function entity bound to a name. */
export interface FunctionPlacement extends ClassPlacement {
  name: string;
  /** Node whose syntax kind goes into `metadata.kind`. */
  node: ts.Node;
}

/** Operations of the declaration walker that the JavaScript pattern handlers call back into. */
export interface WalkerHost {
  readonly state: ExtractionState;
  pushAll(nodes: readonly ts.Node[], context: WalkContext): void;
  visitClass(node: ts.ClassLikeDeclaration, name: string, context: WalkContext, placement: ClassPlacement): void;
  addFunctionValue(
    context: WalkContext,
    value: ts.ArrowFunction | ts.FunctionExpression,
    expression: ts.Expression,
    placement: FunctionPlacement,
  ): void;
}

/** Returns the context for the inside of an entity whose calls are attributed to `callerId`. */
export function bodyContext(context: WalkContext, callerId: string, thisClass: string | undefined): WalkContext {
  return { ...context, callerId, thisClass, declarationLevel: false, implicitExport: false, owner: undefined };
}

/** Returns the context for children of a node that declares nothing. */
export function expressionContext(context: WalkContext): WalkContext {
  if (!context.declarationLevel && context.owner === undefined) {
    return context;
  }
  return { ...context, declarationLevel: false, owner: undefined };
}
