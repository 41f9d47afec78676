/** A payload whose serialized JSON exceeds `outbox.maxPayloadBytes`: refused before anything is written. */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly reason = 'payload-too-large';

  constructor(
    readonly messageId: string,
    readonly sizeBytes: number,
    readonly limitBytes: number,
  ) {
    super(`Outbox payload of message ${messageId} is ${sizeBytes} bytes; the limit is ${limitBytes}`);
  }
}

/** A payload `JSON.stringify` cannot represent (undefined, a function, a cycle, a BigInt). */
export class PayloadNotSerializableError extends Error {
  override readonly name = 'PayloadNotSerializableError';
  readonly reason = 'payload-not-serializable';

  constructor(
    readonly messageId: string,
    detail: string,
  ) {
    super(`Outbox payload of message ${messageId} is not JSON-serialisable: ${detail}`);
  }
}
