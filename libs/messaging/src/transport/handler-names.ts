import type { ModulesContainer } from '@nestjs/core';
import type { MsPattern } from '@nestjs/microservices';
import { PATTERN_HANDLER_METADATA, PATTERN_METADATA } from '@nestjs/microservices/constants';
import { PatternHandler } from '@nestjs/microservices/enums/pattern-handler.enum';
import { transformPatternToRoute } from '@nestjs/microservices/utils/transform-pattern.utils';

/**
 * `Class.method` of the handler(s) registered for a pattern. Nest hands a transport only the wrapped
 * callback, so start-up errors find the names in the controllers' metadata.
 */
export function describeHandler(
  modules: ModulesContainer,
  pattern: unknown,
  kind: 'event' | 'message',
): string {
  const route = transformPatternToRoute(pattern as MsPattern);
  const wanted = kind === 'event' ? PatternHandler.EVENT : PatternHandler.MESSAGE;
  const found: string[] = [];
  for (const module of modules.values()) {
    for (const wrapper of module.controllers.values()) {
      const prototype = (wrapper.metatype as { prototype?: object } | undefined)?.prototype;
      if (!prototype) continue;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const method = Object.getOwnPropertyDescriptor(prototype, name)?.value as object | undefined;
        if (typeof method !== 'function') continue;
        const patterns = Reflect.getMetadata(PATTERN_METADATA, method) as unknown[] | undefined;
        if (Reflect.getMetadata(PATTERN_HANDLER_METADATA, method) !== wanted || !patterns) continue;
        if (patterns.some((p) => transformPatternToRoute(p as MsPattern) === route))
          found.push(`${wrapper.name}.${name}`);
      }
    }
  }
  const where = found.length > 0 ? found.join(', ') : 'a handler';
  return `${where} (${kind === 'event' ? '@EventPattern' : '@MessagePattern'} ${JSON.stringify(pattern)})`;
}
