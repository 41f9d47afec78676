import type { Writable } from 'node:stream';

const coalesced = new WeakSet<Writable>();

/**
 * amqplib writes every frame with its own `socket.write`, so a batch of 500 publishes or 50 acks costs
 * 500 or 50 write system calls, each running the loopback TCP path on this CPU. Corking the socket at
 * the first write of a tick and uncorking on the next tick hands the kernel one `writev` per tick
 * instead (ADR 0204). Back-pressure is unchanged: `write` still returns false past the high-water mark.
 */
export function coalesceSocketWrites(socket: Writable): void {
  if (coalesced.has(socket)) return;
  coalesced.add(socket);
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: Writable, ...args: unknown[]): boolean {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Writable['write'];
}
