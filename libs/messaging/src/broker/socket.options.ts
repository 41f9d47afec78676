/** How the library's broker (AMQP) and Redis connections write to their sockets. */
export interface SocketOptions {
  /**
   * Cork each socket at the first write of an event-loop tick and uncork it on the next, so a tick's
   * frames and commands leave in one `writev` instead of one system call each (ADR 0204). Saves CPU
   * per message under load; off by default because it patches `write` on sockets the library does
   * not own (amqplib's and ioredis's). @default false
   */
  coalesceWrites: boolean;
}

export const SOCKET_DEFAULTS: SocketOptions = {
  coalesceWrites: false,
};
