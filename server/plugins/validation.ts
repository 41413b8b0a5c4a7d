import { AjvCompiler } from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifySchema } from 'fastify';

/**
 * Fastify's default validator coerces types everywhere, so `{"text": 42}` would be accepted as the text
 * "42". Query strings and path parameters are always strings and need that coercion (`?since=12`), but a
 * JSON body says what it means: there, a wrong type is a 400 that names the field.
 */
export function registerValidation(app: FastifyInstance): void {
  const build = AjvCompiler();
  const lenient = build({}, { customOptions: { coerceTypes: 'array', useDefaults: true, removeAdditional: true, allErrors: false } });
  const strict = build({}, { customOptions: { coerceTypes: false, useDefaults: true, removeAdditional: true, allErrors: false } });
  app.setValidatorCompiler((route: { schema: FastifySchema; method: string; url: string; httpPart?: string }) =>
    route.httpPart === 'body' ? strict(route) : lenient(route),
  );
}
