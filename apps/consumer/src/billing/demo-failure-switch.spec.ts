import { demoFailureFor } from './demo-failure-switch';

describe('demo failure switches', () => {
  it('fail-always fails every attempt', () => {
    for (const attempt of [1, 2, 10]) expect(demoFailureFor('fail-always-eve', attempt)).not.toBeNull();
  });

  it('fail-times-N fails the first N attempts only', () => {
    expect(demoFailureFor('fail-times-2-dave', 1)).not.toBeNull();
    expect(demoFailureFor('fail-times-2-dave', 2)).not.toBeNull();
    expect(demoFailureFor('fail-times-2-dave', 3)).toBeNull();
  });

  it('leaves ordinary customers alone', () => {
    expect(demoFailureFor('alice', 1)).toBeNull();
    expect(demoFailureFor('failing-but-not-a-switch', 1)).toBeNull();
  });
});
