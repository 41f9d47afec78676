import type { InFlightRow } from '../outbox/outbox-claims';
import { InFlightRows } from './in-flight-rows';

const rows = (...ids: string[]): InFlightRow[] =>
  ids.map((id) => ({
    id,
    messageId: `m${id}`,
    exchange: 'x',
    routingKey: 'k',
    partitionKey: null,
    attempts: 0,
  }));

describe('InFlightRows', () => {
  it('counts the rows awaiting answers across claims and names the unanswered ones', () => {
    const inFlight = new InFlightRows();
    const first = inFlight.add(rows('1', '2', '3'));
    const second = inFlight.add(rows('4', '5'));
    expect(inFlight.size).toBe(5);

    inFlight.answered(first, 1);
    inFlight.answered(second, 0);
    expect(inFlight.size).toBe(3);
    expect(inFlight.ids().sort()).toEqual(['1', '3', '5']);
  });

  it('counts an answer once, and forgets a claim once every row of it is answered', () => {
    const inFlight = new InFlightRows();
    const claim = inFlight.add(rows('1', '2'));
    inFlight.answered(claim, 0);
    inFlight.answered(claim, 0);
    expect(inFlight.size).toBe(1);
    inFlight.answered(claim, 1);
    expect(inFlight.size).toBe(0);
    expect(inFlight.ids()).toEqual([]);
    expect(inFlight.add(rows()).open).toBe(0);
    expect(inFlight.size).toBe(0);
  });
});
