import {
  CUSTOM_ROUTE_ARGS_METADATA,
  EXCEPTION_FILTERS_METADATA,
  GUARDS_METADATA,
  INTERCEPTORS_METADATA,
  PIPES_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants';
import type { ModulesContainer } from '@nestjs/core';
import type { MessageHandler, MsPattern } from '@nestjs/microservices';
import {
  PATTERN_HANDLER_METADATA,
  PATTERN_METADATA,
  TRANSPORT_METADATA,
} from '@nestjs/microservices/constants';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum';
import { RpcParamtype } from '@nestjs/microservices/enums/rpc-paramtype.enum';
import { transformPatternToRoute } from '@nestjs/microservices/utils/transform-pattern.utils';

type Method = (...args: unknown[]) => unknown;

/**
 * The handler method itself, called with the arguments Nest's RPC context would give it, for a handler
 * that declares no guards, interceptors, pipes, filters or custom parameter decorators: there Nest's
 * proxy adds three async frames per delivery and changes nothing else (ADR 0204 made the same cut for
 * `@ReliableSubscribe`). Undefined whenever the two could differ; the caller then keeps Nest's proxy.
 */
export function directHandler(
  modules: ModulesContainer,
  pattern: string,
  callback: MessageHandler,
  transportId: symbol,
): MessageHandler | undefined {
  if (callback.next) return undefined;
  const found = handlersOf(modules, pattern, transportId);
  if (found.length !== 1) return undefined;
  const { instance, method, name } = found[0];
  const holders = [method, instance.constructor];
  const enhanced = [GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA, EXCEPTION_FILTERS_METADATA].some(
    (key) => holders.some((holder) => ((Reflect.getMetadata(key, holder) as unknown[]) ?? []).length > 0),
  );
  if (enhanced) return undefined;
  const params = (Reflect.getMetadata(ROUTE_ARGS_METADATA, instance.constructor, name) ?? {}) as Record<
    string,
    { index: number; data?: unknown; pipes?: unknown[] }
  >;
  const slots: Array<(payload: unknown, ctx: unknown) => unknown> = [];
  for (const [key, param] of Object.entries(params)) {
    const type = Number(key.split(':')[0]);
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA) || (param.pipes ?? []).length > 0) return undefined;
    if (type === Number(RpcParamtype.CONTEXT)) slots[param.index] = (_payload, ctx) => ctx;
    else if (type === Number(RpcParamtype.PAYLOAD) && param.data === undefined) slots[param.index] = (p) => p;
    else return undefined;
  }
  if (slots.length === 0) return (payload, ctx) => Promise.resolve(method.call(instance, payload, ctx));
  return (payload, ctx) =>
    Promise.resolve(
      method.apply(
        instance,
        slots.map((slot) => slot?.(payload, ctx)),
      ),
    );
}

function handlersOf(
  modules: ModulesContainer,
  pattern: string,
  transportId: symbol,
): Array<{ instance: object; method: Method; name: string }> {
  const found: Array<{ instance: object; method: Method; name: string }> = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const instance = wrapper.instance as object | undefined;
      if (!instance || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as Method | undefined;
        if (typeof method !== 'function') continue;
        const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as MsPattern[] | undefined;
        if (Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== PatternHandler.EVENT || !patterns)
          continue;
        const transport: unknown = Reflect.getMetadata(TRANSPORT_METADATA, method);
        if (transport !== undefined && transport !== transportId) continue;
        if (patterns.some((p) => transformPatternToRoute(p) === pattern))
          found.push({ instance, method, name });
      }
    }
  }
  return found;
}
