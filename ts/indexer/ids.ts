/**
 * Stable entity and relationship ids for the code graph.
 *
 * The store rejects ids that contain `/`, `\`, whitespace or control characters, or that are longer
 * than 512 bytes. Every id built here is ASCII, free of those characters and at most 200 characters
 * long, so it stays well inside that limit.
 */
import { createHash } from 'node:crypto';
import { posix } from 'node:path';

/** Maximum length in characters (and bytes, because ids are ASCII) of the ids built here. */
export const MAX_ID_LENGTH = 200;

const DISALLOWED_ID_CHARS = /[^A-Za-z0-9_.$#:@<>-]/g;

function sha1Hex(text: string): string {
  return createHash('sha1').update(text, 'utf8').digest('hex');
}

/** Replaces every character outside `[A-Za-z0-9_.$#:@<>-]` with `_`. */
export function sanitizeIdPart(text: string): string {
  return text.replace(DISALLOWED_ID_CHARS, '_');
}

function withReadableSuffix(prefix: string, readable: string): string {
  return prefix + sanitizeIdPart(readable).slice(0, MAX_ID_LENGTH - prefix.length);
}

/**
 * Returns the id of the file entity for `relPath`, a POSIX path relative to the indexed root.
 * The readable suffix is the sanitized base name, truncated so the id fits {@link MAX_ID_LENGTH}.
 */
export function fileId(relPath: string): string {
  const prefix = 'file:' + sha1Hex(relPath).slice(0, 12) + ':';
  return withReadableSuffix(prefix, posix.basename(relPath));
}

/**
 * Returns the id of the symbol `qualifiedName` (dot-joined, such as `ts.Scanner.scan`) declared in
 * `relPath`. The hash covers the full name, so names that differ only after truncation or
 * sanitizing still get different ids.
 */
export function symbolId(relPath: string, qualifiedName: string): string {
  const prefix = 'sym:' + sha1Hex(relPath + '#' + qualifiedName).slice(0, 12) + ':';
  return withReadableSuffix(prefix, qualifiedName);
}

/** Returns the id of the relationship of `type` from `sourceId` to `targetId`. */
export function relationshipId(sourceId: string, type: string, targetId: string): string {
  return 'rel:' + sha1Hex(sourceId + '|' + type + '|' + targetId).slice(0, 16);
}
