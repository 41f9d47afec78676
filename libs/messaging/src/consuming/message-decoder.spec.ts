import type { ConsumeMessage } from 'amqplib';
import { decodeMessage } from './message-decoder';

const message = (properties: Partial<ConsumeMessage['properties']>, body = '{"a":1}'): ConsumeMessage =>
  ({ content: Buffer.from(body), fields: {}, properties: { headers: {}, ...properties } }) as ConsumeMessage;

describe('decodeMessage content type', () => {
  it.each(['application/json', 'application/json; charset=utf-8', 'application/vnd.orders+json', undefined])(
    'accepts %s',
    async (contentType) => {
      await expect(decodeMessage(message({ messageId: 'm', contentType }), 1024)).resolves.toEqual({
        messageId: 'm',
        payload: { a: 1 },
      });
    },
  );

  it.each(['text/plain', 'application/xml', 'application/octet-stream'])(
    'refuses %s as unsupported-content-type',
    async (contentType) => {
      await expect(decodeMessage(message({ messageId: 'm', contentType }), 1024)).rejects.toMatchObject({
        reason: 'unsupported-content-type',
      });
    },
  );
});
