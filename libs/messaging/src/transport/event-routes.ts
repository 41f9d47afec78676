/**
 * AMQP topic matching of a routing key against `@EventPattern` patterns: `*` is one word, `#` zero or
 * more. Exact patterns are looked up first, then wildcards in registration order (as Nest's RMQ server
 * does with `wildcards: true`).
 */
export class EventRoutes<T> {
  private readonly exact = new Map<string, T>();
  private readonly wildcards: Array<{ words: string[]; route: T }> = [];

  add(pattern: string, route: T): void {
    if (/[*#]/.test(pattern)) this.wildcards.push({ words: pattern.split('.'), route });
    else this.exact.set(pattern, route);
  }

  match(routingKey: string): T | undefined {
    const exact = this.exact.get(routingKey);
    if (exact !== undefined || this.wildcards.length === 0) return exact;
    const words = routingKey.split('.');
    return this.wildcards.find((w) => topicMatches(w.words, 0, words, 0))?.route;
  }

  /** The route when there is exactly one. */
  only(): T | undefined {
    if (this.exact.size + this.wildcards.length !== 1) return undefined;
    return this.wildcards[0]?.route ?? this.exact.values().next().value;
  }
}

export function topicMatches(pattern: string[], p: number, key: string[], k: number): boolean {
  if (p === pattern.length) return k === key.length;
  if (pattern[p] === '#') {
    for (let skip = k; skip <= key.length; skip++) if (topicMatches(pattern, p + 1, key, skip)) return true;
    return false;
  }
  if (k === key.length) return false;
  return (pattern[p] === '*' || pattern[p] === key[k]) && topicMatches(pattern, p + 1, key, k + 1);
}
