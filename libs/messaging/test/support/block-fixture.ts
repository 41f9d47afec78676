/*
 * Not re-exported from ./index: the chaos harness and the benchmarks import that index outside Jest,
 * where there are no beforeAll/afterAll hooks to register.
 */

/**
 * A stand-in for an object a `beforeAll` creates later: every property read is forwarded to
 * `current()` (methods bound to it), so a describe block can hand the object out at once and its
 * tests use it as if it were the object itself. Reading it before it exists throws, naming `what`.
 * `own` answers its properties itself (in place of the object's).
 */
export function lateBound<T extends object>(
  what: string,
  current: () => T | undefined,
  own: Partial<T> = {},
): T {
  const target = (): T => {
    const value = current();
    if (value === undefined) throw new Error(`${what} used before its beforeAll ran`);
    return value;
  };
  return new Proxy({} as T, {
    get(_stand, property) {
      if (Object.hasOwn(own, property)) return Reflect.get(own, property);
      const object = target();
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/**
 * Something a describe block opens in `beforeAll` and closes in `afterAll` (when it was opened), by
 * `close` or else its own `close()`; handed out at once through `lateBound`. Hooks run in the order they
 * are declared, so declare it where its opening belongs among the block's other `beforeAll`s.
 */
export function useOpened<T extends { close(): Promise<unknown> }>(what: string, open: () => Promise<T>): T;
export function useOpened<T extends object>(
  what: string,
  open: () => Promise<T>,
  close: (opened: T) => Promise<unknown>,
): T;
export function useOpened<T extends object>(
  what: string,
  open: () => Promise<T>,
  close = (opened: T) => (opened as unknown as { close(): Promise<unknown> }).close(),
): T {
  let opened: T | undefined;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(async () => {
    if (opened) await close(opened);
  });
  return lateBound(what, () => opened);
}
