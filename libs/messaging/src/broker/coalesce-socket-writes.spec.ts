import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import { coalesceSocketWrites } from './coalesce-socket-writes';

/** A stream whose every underlying `write`/`writev` call is recorded as the list of chunks it got. */
function recordingStream(options: { highWaterMark?: number; completeLater?: boolean } = {}) {
  const calls: string[][] = [];
  const complete = (callback: () => void) => (options.completeLater ? setImmediate(callback) : callback());
  const stream = new Writable({
    highWaterMark: options.highWaterMark,
    write(chunk: Buffer, _encoding, callback) {
      calls.push([chunk.toString()]);
      complete(callback);
    },
    writev(chunks, callback) {
      calls.push(chunks.map(({ chunk }) => (chunk as Buffer).toString()));
      complete(callback);
    },
  });
  return { stream, calls };
}

const nextTick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('coalesceSocketWrites', () => {
  it('hands the writes of one synchronous block to the stream as one writev, in order', async () => {
    const { stream, calls } = recordingStream();
    coalesceSocketWrites(stream);

    ['a', 'b', 'c', 'd', 'e'].forEach((chunk) => stream.write(chunk));
    expect(calls).toEqual([]);
    await nextTick();

    expect(calls).toEqual([['a', 'b', 'c', 'd', 'e']]);
  });

  it('makes one underlying call per tick for writes made in two ticks', async () => {
    const { stream, calls } = recordingStream();
    coalesceSocketWrites(stream);

    stream.write('a');
    stream.write('b');
    await nextTick();
    stream.write('c');
    stream.write('d');
    await nextTick();

    expect(calls).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('keeps back-pressure: write returns false past the high-water mark and drain follows the uncork', async () => {
    const { stream, calls } = recordingStream({ highWaterMark: 16, completeLater: true });
    coalesceSocketWrites(stream);
    const callsAtDrain: string[][][] = [];
    stream.on('drain', () => callsAtDrain.push([...calls]));
    const chunks = ['aaaaaaaa', 'bbbbbbbb', 'cccccccc', 'dddddddd'];

    const accepted = chunks.map((chunk) => stream.write(chunk));
    expect(accepted).toEqual([true, false, false, false]);
    expect(calls).toEqual([]);
    await once(stream, 'drain');

    expect(callsAtDrain).toEqual([[chunks]]);
  });

  it('wraps a stream only once when applied twice: one cork and one underlying call per tick, no data repeated', async () => {
    const { stream, calls } = recordingStream();
    coalesceSocketWrites(stream);
    coalesceSocketWrites(stream);
    const cork = jest.spyOn(stream, 'cork');

    ['a', 'b', 'c'].forEach((chunk) => stream.write(chunk));
    await nextTick();
    ['d', 'e'].forEach((chunk) => stream.write(chunk));
    await nextTick();

    expect(calls).toEqual([
      ['a', 'b', 'c'],
      ['d', 'e'],
    ]);
    expect(cork).toHaveBeenCalledTimes(2);
  });

  describe('on a loopback TCP connection', () => {
    let server: Server | undefined;
    let client: Socket | undefined;
    const accepted: Socket[] = [];

    afterEach(async () => {
      client?.destroy();
      accepted.splice(0).forEach((socket) => socket.destroy());
      if (server?.listening) await new Promise((resolve) => server!.close(resolve));
      server = client = undefined;
    });

    it('delivers every byte of 100 small writes intact and in order, in one writev', async () => {
      const received: Buffer[] = [];
      let serverSawEnd!: () => void;
      const ended = new Promise<void>((resolve) => (serverSawEnd = resolve));
      server = createServer((socket) => {
        accepted.push(socket);
        socket.on('data', (data: Buffer) => received.push(data));
        socket.on('end', serverSawEnd);
      });
      server.listen(0, '127.0.0.1');
      await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      client = connect(port, '127.0.0.1');
      await once(client, 'connect');
      coalesceSocketWrites(client);
      const writev = jest.spyOn(client as unknown as { _writev: (chunks: unknown[]) => void }, '_writev');
      const frames = Array.from({ length: 100 }, (_, index) => `frame-${String(index).padStart(3, '0')};`);

      frames.forEach((frame) => client!.write(frame));
      await nextTick();
      client.end();
      await ended;

      expect(Buffer.concat(received).toString()).toBe(frames.join(''));
      expect(writev).toHaveBeenCalledTimes(1);
      expect(writev.mock.calls[0][0]).toHaveLength(100);
    });
  });
});
