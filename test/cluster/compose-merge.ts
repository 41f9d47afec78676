/**
 * Merges a Compose override file into a base file the way `docker compose -f base -f override` does, for the
 * parts the template uses (Compose Specification, "Merge and override"): mappings merge recursively,
 * `volumes` of a service merge by container path, `command`/`entrypoint`/`healthcheck.test` are replaced,
 * other sequences are appended without duplicates, scalars are replaced.
 */
export function mergeCompose(base: unknown, override: unknown): unknown {
  return mergeNode(base, override, []);
}

const REPLACED = new Set(['command', 'entrypoint', 'test']);

function mergeNode(base: unknown, override: unknown, path: string[]): unknown {
  if (override === undefined) return base;
  const key = path[path.length - 1];
  if (Array.isArray(base) && Array.isArray(override)) {
    if (key !== undefined && REPLACED.has(key)) return override;
    if (key === 'volumes' && path[0] === 'services') return mergeByTarget(base, override);
    return [
      ...base,
      ...override.filter((item) => !base.some((b) => JSON.stringify(b) === JSON.stringify(item))),
    ];
  }
  if (isMapping(base) && isMapping(override)) {
    const merged: Record<string, unknown> = { ...base };
    for (const [name, value] of Object.entries(override))
      merged[name] = mergeNode(base[name], value, [...path, name]);
    return merged;
  }
  return override;
}

function mergeByTarget(base: unknown[], override: unknown[]): unknown[] {
  const target = (volume: unknown) =>
    typeof volume === 'string' ? (volume.split(':')[1] ?? volume) : (volume as { target?: string }).target;
  const replaced = new Set(override.map(target));
  return [...base.filter((volume) => !replaced.has(target(volume))), ...override];
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
