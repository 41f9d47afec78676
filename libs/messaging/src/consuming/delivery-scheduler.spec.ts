import { DeliveryScheduler } from './delivery-scheduler';
import { IsolationGate } from './isolation-gate';

/** A unit of work the test finishes by hand; records when it started. */
class Job {
  started = false;
  private finish!: () => void;
  readonly work = () => {
    this.started = true;
    this.log.push(this.name);
    return new Promise<void>((resolve) => (this.finish = resolve));
  };
  constructor(
    readonly name: string,
    private readonly log: string[],
  ) {}
  done(): Promise<void> {
    this.finish();
    return flush();
  }
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('DeliveryScheduler', () => {
  let log: string[];
  const job = (name: string) => new Job(name, log);
  beforeEach(() => (log = []));

  it('runs different keys of one queue side by side, one key strictly in delivery order', async () => {
    const scheduler = new DeliveryScheduler(undefined, new IsolationGate());
    const [a1, b1, a2, a3, b2] = ['a1', 'b1', 'a2', 'a3', 'b2'].map(job);
    for (const [j, key] of [
      [a1, 'a'],
      [b1, 'b'],
      [a2, 'a'],
      [a3, 'a'],
      [b2, 'b'],
    ] as const)
      void scheduler.schedule({ queue: 'p0', key, alone: false }, j.work);
    await flush();
    expect(log).toEqual(['a1', 'b1']);
    await b1.done();
    expect(log).toEqual(['a1', 'b1', 'b2']);
    await a1.done();
    expect(log).toEqual(['a1', 'b1', 'b2', 'a2']);
    await a2.done();
    await a3.done();
    await b2.done();
    expect(log).toEqual(['a1', 'b1', 'b2', 'a2', 'a3']);
    expect(scheduler.keysInFlight).toBe(0);
  });

  it('keeps keys of different queues apart and lets messages without a key wait for nothing', async () => {
    const scheduler = new DeliveryScheduler(undefined, new IsolationGate());
    const [p0, p1, none] = ['p0-a', 'p1-a', 'none'].map(job);
    void scheduler.schedule({ queue: 'p0', key: 'a', alone: false }, p0.work);
    void scheduler.schedule({ queue: 'p1', key: 'a', alone: false }, p1.work);
    void scheduler.schedule({ queue: 'p0', alone: false }, none.work);
    await flush();
    expect(log).toEqual(['p0-a', 'p1-a', 'none']);
  });

  it('with concurrency 1 runs one delivery of a queue at a time, in order', async () => {
    const scheduler = new DeliveryScheduler(1, new IsolationGate());
    const [a1, b1, c1] = ['a1', 'b1', 'c1'].map(job);
    void scheduler.schedule({ queue: 'p0', key: 'a', alone: false }, a1.work);
    void scheduler.schedule({ queue: 'p0', key: 'b', alone: false }, b1.work);
    void scheduler.schedule({ queue: 'p0', key: 'c', alone: false }, c1.work);
    await flush();
    expect(log).toEqual(['a1']);
    await a1.done();
    expect(log).toEqual(['a1', 'b1']);
    await b1.done();
    expect(log).toEqual(['a1', 'b1', 'c1']);
  });

  it('keeps going after a failed delivery', async () => {
    const scheduler = new DeliveryScheduler(undefined, new IsolationGate());
    const failed = scheduler.schedule({ queue: 'p0', key: 'a', alone: false }, () =>
      Promise.reject(new Error('boom')),
    );
    const next = job('a2');
    void scheduler.schedule({ queue: 'p0', key: 'a', alone: false }, next.work);
    await expect(failed).resolves.toBeUndefined();
    await flush();
    expect(log).toEqual(['a2']);
  });

  it('rejects a concurrency that could never run anything', () => {
    expect(() => new DeliveryScheduler(0)).toThrow(/concurrency/);
  });
});

describe('IsolationGate', () => {
  let log: string[];
  const job = (name: string) => new Job(name, log);
  beforeEach(() => (log = []));

  it('runs a suspect alone: after the deliveries before it, before the ones after it', async () => {
    const gate = new IsolationGate();
    const a = new DeliveryScheduler(undefined, gate);
    const b = new DeliveryScheduler(undefined, gate);
    const [x1, x2, suspect, y1, y2] = ['x1', 'x2', 'suspect', 'y1', 'y2'].map(job);
    void a.schedule({ queue: 'q', alone: false }, x1.work);
    void b.schedule({ queue: 'r', alone: false }, x2.work);
    void a.schedule({ queue: 'q', alone: true }, suspect.work);
    void a.schedule({ queue: 'q', alone: false }, y1.work);
    void b.schedule({ queue: 'r', alone: false }, y2.work);
    await flush();
    expect(log).toEqual(['x1', 'x2']);
    await x1.done();
    expect(log).toEqual(['x1', 'x2']);
    await x2.done();
    expect(log).toEqual(['x1', 'x2', 'suspect']);
    expect(gate.running).toBe(1);
    await suspect.done();
    expect(log).toEqual(['x1', 'x2', 'suspect', 'y1', 'y2']);
    expect(gate.running).toBe(2);
  });

  it('runs two suspects one after the other', async () => {
    const gate = new IsolationGate();
    const scheduler = new DeliveryScheduler(undefined, gate);
    const [s1, s2] = ['s1', 's2'].map(job);
    void scheduler.schedule({ queue: 'q', alone: true }, s1.work);
    void scheduler.schedule({ queue: 'q', alone: true }, s2.work);
    await flush();
    expect(log).toEqual(['s1']);
    await s1.done();
    expect(log).toEqual(['s1', 's2']);
    await s2.done();
    expect(gate.running).toBe(0);
  });
});
