import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

export interface FaultProxyOptions {
  /** Where the real service listens. */
  targetHost: string;
  targetPort: number;
  /** 0 (default): any free port; a fixed port keeps an app's URL valid across proxy restarts. */
  listenPort?: number;
  /** Shown in errors and logs. */
  name?: string;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** Cut off by a blackhole: bytes are swallowed in both directions, nothing is closed. */
  silenced: boolean;
  /** The service's answers are swallowed (a cut is under way): the client must not see them. */
  muted: boolean;
}

/** One direction's bytes held back by the latency in force when they arrived, in arrival order. */
class DelayedPipe {
  private readonly queue: Array<{ due: number; chunk: Buffer }> = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly to: Socket,
    private readonly blocked: () => boolean,
  ) {}

  push(chunk: Buffer, delayMs: number): void {
    if (delayMs <= 0 && this.queue.length === 0) return this.write(chunk);
    const last = this.queue[this.queue.length - 1]?.due ?? 0;
    // A later chunk never overtakes an earlier one, even when the latency was lowered in between.
    this.queue.push({ due: Math.max(Date.now() + delayMs, last), chunk });
    this.schedule();
  }

  clear(): void {
    this.queue.length = 0;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = Date.now();
        while (this.queue.length > 0 && this.queue[0].due <= now) this.write(this.queue.shift()!.chunk);
        this.schedule();
      },
      Math.max(0, this.queue[0].due - Date.now()),
    );
  }

  private write(chunk: Buffer): void {
    if (!this.blocked() && !this.to.destroyed) this.to.write(chunk);
  }
}

/**
 * A TCP proxy in front of one service that degrades the network on demand: latency on every byte,
 * connection resets (RST, as from a crashed middlebox), and blackholes that accept and then stay silent
 * (half-open connections: nothing answers, nothing closes, only the apps' own timeouts and heartbeats
 * can tell). Toxiproxy does this, but it is a Go binary; this is the part of it the chaos suite needs.
 */
export class FaultProxy {
  private server: Server | null = null;
  private readonly links = new Set<Link>();
  private latencyMs = 0;
  private blackholed = false;
  private cutPattern: { bytes: Buffer; resolve: (hits: number) => void; hits: number; max: number } | null =
    null;
  /** Connections the client side closed while they were silenced: the app noticed the blackhole itself. */
  closedWhileSilenced = 0;
  accepted = 0;

  constructor(private readonly options: FaultProxyOptions) {}

  get port(): number {
    return (this.server?.address() as AddressInfo | null)?.port ?? this.options.listenPort ?? 0;
  }

  get name(): string {
    return this.options.name ?? `proxy:${this.options.targetPort}`;
  }

  /** Open connections through the proxy (silenced ones included). */
  get connections(): number {
    return this.links.size;
  }

  async start(): Promise<number> {
    const server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.listenPort ?? 0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const link of this.links) this.destroy(link, true);
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  setLatency(ms: number): void {
    this.latencyMs = Math.max(0, ms);
  }

  /** Every open and every new connection goes silent until `heal()`. */
  blackhole(): void {
    this.blackholed = true;
    for (const link of this.links) link.silenced = true;
  }

  /**
   * Back to a clean network: no latency, no blackhole. A connection silenced by the blackhole has lost
   * bytes and cannot resume, so it is reset, as a stateful middlebox that forgot the flow answers it.
   */
  heal(): void {
    this.latencyMs = 0;
    this.blackholed = false;
    this.cutPattern?.resolve(this.cutPattern.hits);
    this.cutPattern = null;
    for (const link of this.links) if (link.silenced) this.destroy(link, true);
  }

  /** Resets every open connection (both sides get an RST); new connections are accepted as before. */
  resetAll(): number {
    const count = this.links.size;
    for (const link of [...this.links]) this.destroy(link, true);
    return count;
  }

  /**
   * Resets a connection right after the client sent `pattern` (the request reached the server, the
   * answer never reaches the client), up to `max` times; resolves with the number of cuts when `max` is
   * reached or `heal()` is called. Aimed at text protocols: e.g. an SQL statement inside a MySQL packet.
   */
  cutAfterClientSends(pattern: string, max = 1): Promise<number> {
    this.cutPattern?.resolve(this.cutPattern.hits);
    return new Promise((resolve) => {
      this.cutPattern = { bytes: Buffer.from(pattern), resolve, hits: 0, max };
    });
  }

  private accept(client: Socket): void {
    this.accepted++;
    const upstream = createConnection({ host: this.options.targetHost, port: this.options.targetPort });
    const link: Link = { client, upstream, silenced: this.blackholed, muted: false };
    this.links.add(link);
    const toUpstream = new DelayedPipe(upstream, () => link.silenced);
    const toClient = new DelayedPipe(client, () => link.silenced || link.muted);
    client.on('data', (chunk: Buffer) => {
      if (link.silenced) return;
      toUpstream.push(chunk, this.latencyMs);
      this.maybeCut(link, chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!link.silenced) toClient.push(chunk, this.latencyMs);
    });
    const close = (byClient: boolean) => {
      if (!this.links.has(link)) return;
      if (byClient && link.silenced) this.closedWhileSilenced++;
      toUpstream.clear();
      toClient.clear();
      this.destroy(link, false);
    };
    client.on('error', () => close(true));
    client.on('close', () => close(true));
    // A silenced connection hides the service's side too: its close is swallowed like its bytes.
    upstream.on('error', () => (link.silenced ? undefined : close(false)));
    upstream.on('close', () => (link.silenced ? undefined : close(false)));
  }

  private maybeCut(link: Link, chunk: Buffer): void {
    const cut = this.cutPattern;
    if (!cut || chunk.indexOf(cut.bytes) < 0) return;
    cut.hits++;
    // The request goes on to the server, its answer never comes back; the reset follows once the
    // request is surely through (after the latency it is subject to).
    link.muted = true;
    setTimeout(() => this.destroy(link, true), this.latencyMs + 50);
    if (cut.hits >= cut.max) {
      this.cutPattern = null;
      cut.resolve(cut.hits);
    }
  }

  private destroy(link: Link, reset: boolean): void {
    this.links.delete(link);
    for (const socket of [link.client, link.upstream]) {
      if (socket.destroyed) continue;
      if (reset && typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') {
        socket.resetAndDestroy();
      } else socket.destroy();
    }
  }
}
