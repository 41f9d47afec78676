import { TEST_SERVICES, uniqueName } from './test-services';

export interface IsolatedVhost {
  name: string;
  /** amqp URL whose path is the vhost. */
  url: string;
  delete(): Promise<void>;
}

/** A vhost of its own for one test file: exchanges and queues never collide and vanish together. */
export async function createIsolatedVhost(label: string): Promise<IsolatedVhost> {
  const name = uniqueName(label);
  const user = new URL(TEST_SERVICES.rabbitmqServerUrl).username || 'guest';
  await managementApi('PUT', `/api/vhosts/${encodeURIComponent(name)}`);
  await managementApi('PUT', `/api/permissions/${encodeURIComponent(name)}/${encodeURIComponent(user)}`, {
    configure: '.*',
    write: '.*',
    read: '.*',
  });
  return {
    name,
    url: `${TEST_SERVICES.rabbitmqServerUrl}/${encodeURIComponent(name)}`,
    delete: () => managementApi('DELETE', `/api/vhosts/${encodeURIComponent(name)}`).then(() => undefined),
  };
}

/** Calls the RabbitMQ management HTTP API; throws with the status and body on failure. */
export async function managementApi(method: string, path: string, body?: unknown): Promise<unknown> {
  const base = new URL(TEST_SERVICES.rabbitmqManagementUrl);
  const auth = Buffer.from(
    `${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`,
  ).toString('base64');
  const response = await fetch(`${base.protocol}//${base.host}${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok && !(method === 'DELETE' && response.status === 404)) {
    throw new Error(`RabbitMQ management ${method} ${path}: ${response.status} ${text}`);
  }
  return text ? (JSON.parse(text) as unknown) : undefined;
}
