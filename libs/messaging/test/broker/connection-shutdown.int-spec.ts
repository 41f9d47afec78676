import { AmqpConnection } from '@golevelup/nestjs-rabbitmq';
import type { INestApplicationContext } from '@nestjs/common';
import { waitFor } from '../support';
import { useTestNamespace } from '../support/namespace-fixture';
import { startMessagingApp } from '../publishing/relay-test-kit';

const ns = useTestNamespace('conn_close');

/**
 * golevelup closes the connections of one registry per process, keyed by connection name, so a second
 * app in the process replaced the first app's connection there and the first was never closed: it kept
 * the process alive, retrying to connect every second once its vhost was gone.
 */
describe('Two apps in one process: closing each closes its own broker connection', () => {
  const apps: INestApplicationContext[] = [];

  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close().catch(() => undefined)));
  });

  it('closes the first app’s connection too, whatever order they close in', async () => {
    apps.push(await startMessagingApp(ns, { relay: { enabled: false } }));
    apps.push(await startMessagingApp(ns, { relay: { enabled: false } }));
    const [first, second] = apps.map((app) => app.get(AmqpConnection).managedConnection);
    // The apps start without waiting for the broker (connectionInitOptions.wait: false).
    await waitFor(() => first.isConnected() && second.isConnected(), { what: 'both apps connected' });

    await apps[0].close();
    await apps[1].close();

    expect([first.isConnected(), second.isConnected()]).toEqual([false, false]);
  });
});
