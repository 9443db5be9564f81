/**
 * Class and interface members that become method and property entities.
 */
import ts from 'typescript';
import { flagsOf, functionFlags } from './metadata-flags.js';
import { hasModifier, isFunctionValue, propertyNameText, skipExpressionWrappers, syntaxKindName } from './syntax.js';
import type { MemberOwner } from './walk-context.js';

/** Member of a class or interface that becomes an entity. */
export interface MemberSpec {
  type: 'method' | 'property';
  name: string;
  lineNode: ts.Node;
  isPublic: boolean;
  metadata: Record<string, unknown>;
}

/** Returns the entity description of a class or interface member, or undefined for other members. */
export function memberSpec(node: ts.Node, owner: MemberOwner, sourceFile: ts.SourceFile): MemberSpec | undefined {
  const visibility = visibilityOf(node);
  const common = {
    static: hasModifier(node, ts.SyntaxKind.StaticKeyword),
    abstract: hasModifier(node, ts.SyntaxKind.AbstractKeyword),
    visibility,
  };

  if (ts.isConstructorDeclaration(node)) {
    return {
      type: 'method',
      name: 'constructor',
      lineNode: constructorKeyword(node, sourceFile) ?? node,
      isPublic: visibility === undefined,
      metadata: flagsOf({ visibility }),
    };
  }
  if (!isClassOrInterfaceMember(node, owner)) {
    return undefined;
  }

  const name = propertyNameText(node.name, sourceFile);
  const isPublic = visibility === undefined && !ts.isPrivateIdentifier(node.name);
  if (ts.isMethodDeclaration(node) || ts.isMethodSignature(node)) {
    const functionMetadata = ts.isMethodDeclaration(node) ? functionFlags(node) : {};
    return {
      type: 'method',
      name,
      lineNode: node.name,
      isPublic,
      metadata: flagsOf({ ...common, ...functionMetadata, optional: node.questionToken !== undefined }),
    };
  }
  if (ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    const accessor = ts.isGetAccessorDeclaration(node) ? 'get' : 'set';
    return { type: 'method', name, lineNode: node.name, isPublic, metadata: flagsOf({ ...common, accessor }) };
  }

  const initializer = ts.isPropertyDeclaration(node) && node.initializer !== undefined
    ? skipExpressionWrappers(node.initializer)
    : undefined;
  return {
    type: 'property',
    name,
    lineNode: node.name,
    isPublic,
    metadata: flagsOf({
      ...common,
      readonly: hasModifier(node, ts.SyntaxKind.ReadonlyKeyword),
      optional: node.questionToken !== undefined,
      declare: hasModifier(node, ts.SyntaxKind.DeclareKeyword),
      initializerKind: initializer !== undefined && isFunctionValue(initializer)
        ? syntaxKindName(initializer.kind)
        : undefined,
    }),
  };
}

type NamedMember =
  | ts.MethodDeclaration
  | ts.MethodSignature
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration
  | ts.PropertyDeclaration
  | ts.PropertySignature;

function isClassOrInterfaceMember(node: ts.Node, owner: MemberOwner): node is NamedMember {
  if (owner.type === 'interface') {
    return ts.isMethodSignature(node) || ts.isPropertySignature(node);
  }
  return (
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isPropertyDeclaration(node)
  );
}

function constructorKeyword(node: ts.ConstructorDeclaration, sourceFile: ts.SourceFile): ts.Node | undefined {
  return node.getChildren(sourceFile).find((child) => child.kind === ts.SyntaxKind.ConstructorKeyword);
}

export function visibilityOf(node: ts.Node): 'private' | 'protected' | undefined {
  if (hasModifier(node, ts.SyntaxKind.PrivateKeyword)) {
    return 'private';
  }
  if (hasModifier(node, ts.SyntaxKind.ProtectedKeyword)) {
    return 'protected';
  }
  return undefined;
}
