import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';
import { FaultProxy } from './fault-proxy';

/** An echo server standing in for the service; it counts what it received. */
async function echoServer(): Promise<{ server: Server; port: number; received: () => string }> {
  let received = '';
  const server = createServer((socket) => {
    socket.on('data', (chunk) => {
      received += chunk.toString();
      socket.write(chunk);
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { server, port: (server.address() as AddressInfo).port, received: () => received };
}

interface Client {
  socket: Socket;
  /** Everything echoed back so far. */
  data: () => string;
  closed: Promise<Error | null>;
}

async function connect(port: number): Promise<Client> {
  const socket = createConnection({ host: '127.0.0.1', port });
  let data = '';
  socket.on('data', (chunk) => (data += chunk.toString()));
  const closed = new Promise<Error | null>((resolve) => {
    let error: Error | null = null;
    socket.on('error', (e) => (error = e));
    socket.on('close', () => resolve(error));
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  return { socket, data: () => data, closed };
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('FaultProxy', () => {
  let echo: Awaited<ReturnType<typeof echoServer>>;
  let proxy: FaultProxy;
  const clients: Client[] = [];

  beforeEach(async () => {
    echo = await echoServer();
    proxy = new FaultProxy({ targetHost: '127.0.0.1', targetPort: echo.port });
    await proxy.start();
  });

  afterEach(async () => {
    clients.splice(0).forEach((c) => c.socket.destroy());
    await proxy.stop();
    await new Promise((resolve) => echo.server.close(resolve));
  });

  const open = async () => {
    const client = await connect(proxy.port);
    clients.push(client);
    return client;
  };

  it('passes bytes both ways on a clean network', async () => {
    const client = await open();
    client.socket.write('hello');
    await until(() => client.data() === 'hello');
    expect(echo.received()).toBe('hello');
  });

  it('delays every byte by the latency in force, in order', async () => {
    const client = await open();
    proxy.setLatency(600);
    const sent = Date.now();
    client.socket.write('a');
    client.socket.write('b');
    await until(() => client.data() === 'ab');
    // Both directions are delayed: ~1,200 ms for the round trip.
    expect(Date.now() - sent).toBeGreaterThanOrEqual(1180);
    proxy.setLatency(0);
    const again = Date.now();
    client.socket.write('c');
    await until(() => client.data() === 'abc');
    // Without latency the round trip no longer pays it (a bound far from a loaded machine's jitter).
    expect(Date.now() - again).toBeLessThan(600);
  });

  it('blackholes open and new connections: accepted, silent, never closed, until healed', async () => {
    const before = await open();
    proxy.blackhole();
    const during = await open();
    before.socket.write('x');
    during.socket.write('y');
    await new Promise((r) => setTimeout(r, 200));
    expect([before.data(), during.data(), echo.received()]).toEqual(['', '', '']);
    expect([before.socket.destroyed, during.socket.destroyed]).toEqual([false, false]);

    proxy.heal();
    // The silenced connections lost bytes: they are reset, new ones pass again.
    expect(await before.closed).toMatchObject({ code: 'ECONNRESET' });
    expect(await during.closed).toMatchObject({ code: 'ECONNRESET' });
    const after = await open();
    after.socket.write('z');
    await until(() => after.data() === 'z');
  });

  it('counts connections the client gave up on while silenced', async () => {
    const client = await open();
    proxy.blackhole();
    client.socket.destroy();
    await until(() => proxy.closedWhileSilenced === 1);
    expect(proxy.connections).toBe(0);
  });

  it('resets every open connection on demand', async () => {
    const client = await open();
    expect(proxy.resetAll()).toBe(1);
    expect(await client.closed).toMatchObject({ code: 'ECONNRESET' });
  });

  it('cuts a connection right after the client sent a pattern: the server has it, the client gets no answer', async () => {
    const bystander = await open();
    const client = await open();
    const cuts = proxy.cutAfterClientSends('COMMIT');
    proxy.setLatency(50);
    client.socket.write('SELECT 1; COMMIT');
    expect(await cuts).toBe(1);
    expect(await client.closed).toMatchObject({ code: 'ECONNRESET' });
    expect(echo.received()).toBe('SELECT 1; COMMIT');
    expect(client.data()).toBe('');
    bystander.socket.write('still here');
    await until(() => bystander.data() === 'still here');
  });

  it('swallows the answer to the pattern even when the service answers at once (no latency)', async () => {
    const client = await open();
    const cuts = proxy.cutAfterClientSends('COMMIT');
    client.socket.write('COMMIT');
    expect(await cuts).toBe(1);
    expect(await client.closed).toMatchObject({ code: 'ECONNRESET' });
    expect([echo.received(), client.data()]).toEqual(['COMMIT', '']);
  });

  it('resets the client when the service refuses the connection', async () => {
    await new Promise((resolve) => echo.server.close(resolve));
    const client = await connect(proxy.port);
    await client.closed;
    echo = await echoServer();
  });
});
