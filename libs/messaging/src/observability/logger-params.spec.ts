import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pinoHttp from 'pino-http';
import { AccessLogMode, messagingLoggerParams } from './logger-params';

type Line = { msg?: string; level?: number; req?: { url?: string }; res?: { statusCode?: number } };

/** A real HTTP server logging through the app's pino-http settings into an array. */
async function serveWith(
  accessLog: AccessLogMode | undefined,
): Promise<{ server: Server; url: string; lines: Line[] }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Line);
      done();
    },
  });
  const log = pinoHttp(
    messagingLoggerParams({ level: 'info', service: 'spec', accessLog }).pinoHttp as object,
    sink,
  );
  const server = createServer((request, response) => {
    log(request, response);
    response.statusCode = Number(new URL(request.url ?? '/', 'http://x').searchParams.get('status') ?? 200);
    response.end('done');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, lines };
}

async function requestStatuses(url: string, statuses: number[]): Promise<void> {
  for (const status of statuses) await (await fetch(`${url}/orders?status=${status}`)).text();
  // pino writes after the response finished; the next request on the loop comes after it.
  await (await fetch(`${url}/health/live`)).text();
}

describe('HTTP access log modes (HTTP_ACCESS_LOG)', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it.each([
    ['all', [201, 404, 503]],
    [undefined, [201, 404, 503]],
    ['errors', [404, 503]],
    ['off', []],
  ] as const)('%s logs a line for the responses %j', async (mode, logged) => {
    const { server, url, lines } = await serveWith(mode);
    servers.push(server);
    await requestStatuses(url, [201, 404, 503]);
    const requestLines = lines.filter((line) => line.req?.url?.startsWith('/orders'));
    expect(requestLines.map((line) => line.res?.statusCode)).toEqual(logged);
    // Probes are never logged, whatever the mode.
    expect(lines.filter((line) => line.req?.url === '/health/live')).toEqual([]);
  });

  it('logs a failed request at warn (4xx) or error (5xx) in errors mode', async () => {
    const { server, url, lines } = await serveWith('errors');
    servers.push(server);
    await requestStatuses(url, [400, 500]);
    expect(lines.map((line) => line.level)).toEqual([40, 50]);
  });
});
