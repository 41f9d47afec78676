import { hostname } from 'node:os';
import { defaultRelayOwnerId, RELAY_OWNER_PATTERN } from './relay-owner-id';

jest.mock('node:os', () => ({ hostname: jest.fn() }));
const mockedHostname = hostname as jest.MockedFunction<typeof hostname>;

describe('defaultRelayOwnerId', () => {
  it('names the service, host, pid and a random part', () => {
    mockedHostname.mockReturnValue('worker-7');
    const owner = defaultRelayOwnerId('orders');
    expect(owner).toMatch(new RegExp(`^orders@worker-7:${process.pid}:[0-9a-f]{6}$`));
    expect(defaultRelayOwnerId('orders')).not.toBe(owner);
  });

  it('shortens a long host name to fit locked_by, keeping the pid and the random part', () => {
    mockedHostname.mockReturnValue(`orders-api-${'x'.repeat(80)}.eu-west-1.compute.internal`);
    const owner = defaultRelayOwnerId('orders');
    expect(owner).toMatch(RELAY_OWNER_PATTERN);
    expect(owner).toHaveLength(64);
    expect(owner).toMatch(new RegExp(`^orders@orders-api-x+:${process.pid}:[0-9a-f]{6}$`));
  });

  it('fits an over-long service name too, by its tail', () => {
    mockedHostname.mockReturnValue('host');
    expect(defaultRelayOwnerId('s'.repeat(90))).toMatch(RELAY_OWNER_PATTERN);
  });
});
