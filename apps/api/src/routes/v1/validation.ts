import type { FastifySchemaCompiler } from 'fastify';

/**
 * Run and sweep bodies are validated by @metaopt/spec, which the worker uses too, and which
 * names the failing field for each run kind; Ajv on the same union would only say that no
 * branch of it matched. The schema stays on the route for the OpenAPI document.
 */
export const passThroughBody: FastifySchemaCompiler<unknown> = () => (value) => ({ value });
