import { FaultProxy } from './fault-proxy';

export type NetworkLink = 'rabbitmq' | 'mariadb' | 'redis';

export const NETWORK_LINKS: NetworkLink[] = ['rabbitmq', 'mariadb', 'redis'];

/**
 * One app instance's way to its three services, each through a fault proxy of its own, so a fault can
 * cut one app from one service while everything else keeps a clean network. The proxies outlive the
 * app's restarts: its URLs stay valid.
 */
export class MemberNetwork {
  private constructor(private readonly proxies: Record<NetworkLink, FaultProxy>) {}

  /** `urls` are the real services' URLs; the member is given `env()` with the proxies' instead. */
  static async start(name: string, urls: Record<NetworkLink, string>): Promise<MemberNetwork> {
    const proxies = {} as Record<NetworkLink, FaultProxy>;
    for (const link of NETWORK_LINKS) {
      const target = new URL(urls[link]);
      proxies[link] = new FaultProxy({
        name: `${name}->${link}`,
        targetHost: target.hostname,
        targetPort: Number(target.port),
      });
      await proxies[link].start();
    }
    return new MemberNetwork(proxies);
  }

  proxy(link: NetworkLink): FaultProxy {
    return this.proxies[link];
  }

  /** `url` with its host and port replaced by the link's proxy. */
  via(link: NetworkLink, url: string): string {
    const parsed = new URL(url);
    parsed.hostname = '127.0.0.1';
    parsed.port = String(this.proxies[link].port);
    return parsed.toString();
  }

  healAll(): void {
    for (const link of NETWORK_LINKS) this.proxies[link].heal();
  }

  async stop(): Promise<void> {
    await Promise.all(NETWORK_LINKS.map((link) => this.proxies[link].stop()));
  }
}
