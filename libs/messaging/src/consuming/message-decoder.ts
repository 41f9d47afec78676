import type { ConsumeMessage } from 'amqplib';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  MalformedJsonError,
  MissingMessageIdError,
  OversizedMessageError,
  SchemaValidationError,
  UnsupportedContentTypeError,
} from './consume-errors';
import type { SchemaClass } from './reliable-subscription.options';

export interface DecodedMessage {
  messageId: string;
  payload: unknown;
}

/**
 * Checks a delivery before any handler sees it; every refusal is an `UnprocessableMessageError`
 * whose reason lands in `dead_letter.reason`. Size first: an oversized body is never parsed.
 */
export async function decodeMessage(
  message: ConsumeMessage,
  maxBytes: number,
  schema?: SchemaClass,
): Promise<DecodedMessage> {
  if (message.content.length > maxBytes) throw new OversizedMessageError(message.content.length, maxBytes);
  const messageId: unknown = message.properties.messageId;
  if (typeof messageId !== 'string' || messageId.length === 0) throw new MissingMessageIdError();
  const contentType: unknown = message.properties.contentType;
  // Absent is accepted (hand-made messages often omit it); a declared non-JSON type is never guessed at.
  if (typeof contentType === 'string' && !isJson(contentType))
    throw new UnsupportedContentTypeError(contentType);
  let json: unknown;
  try {
    json = JSON.parse(message.content.toString('utf8'));
  } catch (error) {
    throw new MalformedJsonError(error instanceof Error ? error.message : String(error));
  }
  return { messageId, payload: schema ? await validated(schema, json) : json };
}

/** `application/json`, `application/*+json`, with or without parameters such as `charset`. */
function isJson(contentType: string): boolean {
  const type = contentType.split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Validates parsed JSON against a DTO class; refusals are `SchemaValidationError` (`schema-invalid`). */
export async function validated(schema: SchemaClass, json: unknown): Promise<object> {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new SchemaValidationError(`expected a JSON object for ${schema.name}`);
  }
  const instance = plainToInstance(schema, json);
  const errors = await validate(instance, { forbidUnknownValues: true });
  if (errors.length > 0) {
    const detail = errors
      .map((e) => `${e.property}: ${Object.values(e.constraints ?? { invalid: 'invalid' }).join(', ')}`)
      .join('; ');
    throw new SchemaValidationError(`${schema.name} invalid: ${detail}`);
  }
  return instance;
}
