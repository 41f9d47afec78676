import { outgoingMessageOf } from '@app/messaging/testing';
import { benchMessageProperties, benchRowHeaders } from './bench-message';

describe('bench messages', () => {
  it('gives the raw baselines the properties the relay publishes for a bench outbox row', () => {
    const createdAt = new Date('2026-12-07T02:00:00.500Z');
    const messageId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const relayed = outgoingMessageOf({
      id: '1',
      messageId,
      exchange: 'relay',
      routingKey: 'test.event',
      partitionKey: null,
      payload: Buffer.from('{}'),
      headers: benchRowHeaders(messageId),
      attempts: 0,
      createdAt,
    });
    expect(benchMessageProperties(messageId, createdAt)).toEqual(relayed.properties);
  });
});
