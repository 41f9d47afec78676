import { ClaimCursor } from './claim-cursor';

describe('ClaimCursor', () => {
  let clock = 0;
  const cursor = () => new ClaimCursor(1000, () => clock);

  /** A cursor whose first claim, from the start, came back full up to `id`. */
  const afterFullClaim = (id: string) => {
    const c = cursor();
    c.next();
    c.claimed(id, true);
    return c;
  };

  beforeEach(() => (clock = 0));

  it('continues after the last claimed id while claims come back full', () => {
    const c = cursor();
    expect(c.next()).toBe('0');
    c.claimed('2000', true);
    expect(c.next()).toBe('2000');
    c.claimed('4000', true);
    expect(c.next()).toBe('4000');
  });

  it('starts over after a short claim', () => {
    const c = afterFullClaim('2000');
    c.next();
    c.claimed('2500', false);
    expect(c.next()).toBe('0');
  });

  it('starts over once the pass is older than maxPassMs, counted from its first full claim', () => {
    const c = afterFullClaim('2000');
    clock = 999;
    expect(c.next()).toBe('2000');
    c.claimed('4000', true);
    clock = 1000;
    expect(c.next()).toBe('0');
    c.claimed('2000', true);
    clock = 1500;
    expect(c.next()).toBe('2000');
  });

  it('a restart during a claim wins over that claim', () => {
    const c = afterFullClaim('2000');
    expect(c.next()).toBe('2000');
    c.restart();
    c.claimed('4000', true);
    expect(c.next()).toBe('0');
  });
});
