/**
 * The demo's failure switches, read from the order's customer id:
 * `fail-always…` fails every attempt (→ dead letter + email); `fail-times-N…` fails the first N attempts of
 * each message, then succeeds.
 */
export class DemoFailureError extends Error {
  override readonly name = 'DemoFailureError';
}

export function demoFailureFor(customerId: string, attempt: number): DemoFailureError | null {
  if (customerId.startsWith('fail-always')) {
    return new DemoFailureError(`demo switch: ${customerId} fails every attempt`);
  }
  const times = /^fail-times-(\d+)/.exec(customerId);
  if (times && attempt <= Number(times[1])) {
    return new DemoFailureError(`demo switch: ${customerId} fails attempt ${attempt} of ${times[1]}`);
  }
  return null;
}
