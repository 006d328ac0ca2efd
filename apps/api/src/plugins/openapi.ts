/**
 * The OpenAPI document, generated from the same TypeBox schemas the routes validate with,
 * at /docs/json, with Swagger UI at /docs.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export async function registerOpenApi(app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'metaopt',
        description:
          'Meta-training learned optimizers (Andrychowicz et al., 2016) as jobs. Every run ' +
          'is addressed by the SHA-256 of its normalized spec.',
        version: '1',
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
}
