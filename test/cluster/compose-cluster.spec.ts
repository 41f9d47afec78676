import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ComposeFile, loadCompose, schemaErrors, startupOrderErrors } from '../compose-file';
import { mergeCompose } from './compose-merge';

const root = join(__dirname, '..', '..');
const base = loadCompose(join(root, 'docker-compose.yml'));
const override = loadCompose(join(root, 'docker-compose.cluster.yml'));
const merged = mergeCompose(base, override) as ComposeFile;
const NODES = ['rabbitmq', 'rabbitmq-2', 'rabbitmq-3'];

type Service = ComposeFile['services'][string] & {
  hostname?: string;
  environment?: Record<string, string>;
  volumes?: string[];
  ports?: string[];
};
const service = (name: string) => merged.services[name] as Service;

describe('docker-compose.cluster.yml (override, validated offline: no Docker engine here)', () => {
  it('merged with docker-compose.yml is valid against the Compose Specification schema', () => {
    expect(schemaErrors(override)).toEqual([]);
    expect(schemaErrors(merged)).toEqual([]);
  });

  it('keeps the start-up rules: every app waits for all three healthy broker nodes', () => {
    expect(startupOrderErrors(merged)).toEqual([]);
    for (const app of ['producer', 'consumer']) {
      expect(Object.keys(service(app).depends_on as object)).toEqual(expect.arrayContaining(NODES));
    }
  });

  it('runs three distinct nodes sharing one cookie, each with the plugins and the peer list', () => {
    const names = NODES.map((node) => service(node).environment?.RABBITMQ_NODENAME);
    expect(names).toEqual(['rabbit@rabbitmq', 'rabbit@rabbitmq-2', 'rabbit@rabbitmq-3']);
    expect(NODES.map((node) => service(node).hostname)).toEqual(NODES);
    const cookies = new Set(
      NODES.map((node) => service(node).environment?.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS),
    );
    expect(cookies.size).toBe(1);
    for (const node of NODES) {
      expect(service(node).volumes).toEqual(
        expect.arrayContaining([
          './docker/rabbitmq-enabled-plugins:/etc/rabbitmq/enabled_plugins:ro',
          './docker/rabbitmq-cluster.conf:/etc/rabbitmq/conf.d/20-cluster.conf:ro',
        ]),
      );
      expect(service(node).healthcheck?.test).toBeDefined();
    }
    const peers = readFileSync(join(root, 'docker/rabbitmq-cluster.conf'), 'utf8');
    for (const name of names) expect(peers).toContain(`= ${name}`);
    const published = NODES.flatMap((node) => service(node).ports ?? []);
    expect(new Set(published).size).toBe(published.length);
  });

  it('gives the apps every node in RABBITMQ_URLS', () => {
    for (const app of ['migrate', 'producer', 'consumer']) {
      const urls = service(app).environment?.RABBITMQ_URLS?.split(',') ?? [];
      expect(urls.map((url) => new URL(url).hostname)).toEqual(NODES);
    }
  });
});
