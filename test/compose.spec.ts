import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ComposeFile, loadCompose, schemaErrors, startupOrderErrors } from './compose-file';
import { mergeCompose } from './cluster/compose-merge';

const root = join(__dirname, '..');
const compose = loadCompose(join(root, 'docker-compose.yml'));
const copy = (): ComposeFile => structuredClone(compose);

describe('docker-compose.yml (offline: schema and start-up rules; the compose CLI check is test/compose-cli.int-spec.ts)', () => {
  it('is valid against the Compose Specification schema', () => {
    expect(schemaErrors(compose)).toEqual([]);
  });

  it('keeps the MySQL 8.4 override valid alone and merged, swapping only the database image', () => {
    const override = loadCompose(join(root, 'docker-compose.mysql.yml'));
    expect(schemaErrors(override)).toEqual([]);
    const merged = mergeCompose(compose, override) as ComposeFile;
    expect(schemaErrors(merged)).toEqual([]);
    expect(startupOrderErrors(merged)).toEqual([]);
    expect(compose.services.mysql.image).toMatch(/^mariadb:10\.11/);
    expect(merged.services.mysql.image).toBe('mysql:8.4');
  });

  it('starts every app only after healthy MySQL, RabbitMQ, Redis, Mailpit and completed migrations', () => {
    expect(startupOrderErrors(compose)).toEqual([]);
    for (const app of ['producer', 'consumer']) {
      expect(Object.keys(compose.services[app].depends_on as object).sort()).toEqual(
        ['mailpit', 'migrate', 'mysql', 'rabbitmq', 'redis'].sort(),
      );
    }
  });

  it('enables the consistent-hash and management plugins in the broker image', () => {
    const plugins = execFileSync('cat', [join(root, 'docker/rabbitmq-enabled-plugins')]).toString();
    expect(plugins).toContain('rabbitmq_consistent_hash_exchange');
    expect(plugins).toContain('rabbitmq_management');
  });

  it('fails validation when a required key is misspelled', () => {
    const broken = copy() as unknown as Record<string, unknown>;
    broken.servics = broken.services;
    delete broken.services;
    expect(schemaErrors(broken).join('\n')).toMatch(/additional properties|servics/i);

    const misspelledInService = copy();
    (misspelledInService.services.redis as Record<string, unknown>).helthcheck =
      compose.services.redis.healthcheck;
    delete misspelledInService.services.redis.healthcheck;
    expect(schemaErrors(misspelledInService).join('\n')).toMatch(/helthcheck/);
  });

  it('fails the start-up rules when a healthcheck is removed or a dependency is not awaited healthy', () => {
    const noHealthcheck = copy();
    delete noHealthcheck.services.rabbitmq.healthcheck;
    expect(startupOrderErrors(noHealthcheck)).toContain('rabbitmq has no healthcheck');

    const startedOnly = copy();
    (startedOnly.services.producer.depends_on as Record<string, { condition: string }>).mysql = {
      condition: 'service_started',
    };
    expect(startupOrderErrors(startedOnly)).toContain('producer must wait for mysql with service_healthy');
  });
});
