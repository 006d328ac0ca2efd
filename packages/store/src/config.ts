/**
 * Where the store looks when nothing says otherwise: the local PostgreSQL of a development
 * machine, with its own database (`npm run db:migrate` creates it). Apps use this as their
 * DATABASE_URL default so that the demo runs with no configuration. It is exported on its own
 * (`@metaopt/store/config`) so that scripts can read it without loading the Prisma client.
 */
export const DEFAULT_DATABASE_URL = 'postgresql://root@127.0.0.1:5432/metaopt';
