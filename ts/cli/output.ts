/** Output of the CLI commands: JSON on stdout with `--json`, else short human-readable lines. */

import type { Entity, GraphStats, Neighbor, Path, QueryResult } from '../types.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

function entityLine(entity: Entity): string {
  const location = entity.filePath ? `  ${entity.filePath}${entity.line ? `:${entity.line}` : ''}` : '';
  return `${entity.type.padEnd(10)} ${entity.name}  [${entity.namespace}]  ${entity.id}${location}`;
}

export function printEntity(entity: Entity): void {
  const lines = [
    `id:          ${entity.id}`,
    `type:        ${entity.type}`,
    `name:        ${entity.name}`,
    `namespace:   ${entity.namespace}`,
  ];
  if (entity.filePath) lines.push(`file:        ${entity.filePath}${entity.line ? `:${entity.line}` : ''}`);
  if (entity.description) lines.push(`description: ${entity.description}`);
  lines.push(`metadata:    ${JSON.stringify(entity.metadata)}`);
  lines.push(`created:     ${entity.createdAt.toISOString()}`, `updated:     ${entity.updatedAt.toISOString()}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function printStats(stats: GraphStats): void {
  const lines = [`entities:      ${stats.entityCount}`, `relationships: ${stats.relationshipCount}`];
  lines.push(`size on disk:  ${stats.databaseSize} bytes`);
  for (const [type, count] of Object.entries(stats.entitiesByType)) lines.push(`  entity ${type}: ${count}`);
  for (const [type, count] of Object.entries(stats.relationshipsByType)) lines.push(`  relationship ${type}: ${count}`);
  for (const shard of stats.shards) {
    lines.push(
      `shard ${shard.shardId}: ${shard.entityCount} entities, ${shard.relationshipCount} relationships, ${shard.sizeBytes} bytes`,
    );
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function printQuery(result: QueryResult): void {
  const lines = result.entities.map(entityLine);
  lines.push(`${result.entities.length} of ${result.totalCount} entities${result.hasMore ? ' (more with --offset)' : ''}`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function printNeighbors(neighbors: Neighbor[]): void {
  const lines = neighbors.map(
    (n) => `${String(n.depth).padStart(2)}  ${n.relationship.type.padEnd(12)} ${entityLine(n.entity)}`,
  );
  lines.push(`${neighbors.length} neighbors`);
  process.stdout.write(lines.join('\n') + '\n');
}

export function printPath(path: Path | null): void {
  if (!path) {
    process.stdout.write('no path\n');
    return;
  }
  const lines: string[] = [];
  path.entities.forEach((entity, i) => {
    lines.push(entityLine(entity));
    const rel = path.relationships[i];
    if (!rel) return;
    // A path may follow relationships backwards (--direction in or both), so
    // each arrow points from the relationship's source to its target.
    lines.push(rel.sourceId === entity.id ? `  --${rel.type}-->` : `  <--${rel.type}--`);
  });
  lines.push(`length ${path.length}`);
  process.stdout.write(lines.join('\n') + '\n');
}
