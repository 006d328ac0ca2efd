// Prisma CLI configuration. Run the CLI through `scripts/prisma.ts`, which picks a schema
// engine that works offline (see the comment at its top).
//
// DATABASE_URL is read directly rather than through Prisma's `env()`, which throws when the
// variable is unset, even for `prisma generate`, which needs no database.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  datasource: { url: process.env.DATABASE_URL },
});
