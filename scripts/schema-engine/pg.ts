/**
 * PostgreSQL for the wasm schema engine: adapters from `@prisma/adapter-pg`, with the defects
 * of adapter-pg 7.10.1 that break Migrate worked around here and only here.
 *
 * 1. adapter-pg builds its shadow pool as `{ ...config, database }`; when `config` holds a
 *    `connectionString`, pg lets it win over `database`, so the "shadow" pool silently points at
 *    the main database. We give every pool its own URL instead.
 * 2. adapter-pg drops the temporary shadow database before closing the pool still connected to
 *    it, so the drop fails. We close first, then `DROP DATABASE … WITH (FORCE)`.
 * 3. The engine reads PostgreSQL's internal `"char"` columns (OID 18, e.g.
 *    `pg_constraint.contype`), which adapter-pg refuses to type. We let adapter-pg see them as
 *    `text`, then report them to the engine as the single characters it asks for: reporting
 *    plain text fails as soon as a table has a CHECK constraint.
 * 4. adapter-pg's `executeScript` splits a migration on every `;`, comments and string literals
 *    included. We send the script whole, as one simple query, like the native engine.
 *
 * 3 and 4 reach into adapter-pg's query path (`performIO`), which is why `@prisma/adapter-pg`
 * must stay at the version named in README.md until these are rechecked.
 */
import { randomUUID } from 'node:crypto';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  ColumnTypeEnum,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlQueryable,
} from '@prisma/driver-adapter-utils';
import pg from 'pg';

const CHAR_OID = 18;
const TEXT_OID = 25;

/** adapter-pg's private query step: runs one query and returns pg's raw result. */
type PerformIO = (query: SqlQuery) => Promise<pg.QueryResult<unknown[]>>;

/** `"char"` columns of each result, keyed by its rows array, which queryRaw passes through. */
const charColumnsOf = new WeakMap<unknown[][], number[]>();

function readCharColumns<Q extends SqlQueryable>(queryable: Q): Q {
  const internal = queryable as unknown as { performIO?: PerformIO };
  if (typeof internal.performIO !== 'function') {
    throw new Error(
      '@prisma/adapter-pg changed its internals; see scripts/schema-engine/README.md',
    );
  }
  const performIO = internal.performIO.bind(queryable);
  internal.performIO = async (query) => {
    const result = await performIO(query);
    // A whole script (see 4) answers with one result per statement: nothing to type there.
    if (Array.isArray(result)) return result;

    const charColumns: number[] = [];
    result.fields.forEach((field, i) => {
      if (field.dataTypeID !== CHAR_OID) return;
      field.dataTypeID = TEXT_OID;
      charColumns.push(i);
    });
    if (charColumns.length > 0) charColumnsOf.set(result.rows, charColumns);
    return result;
  };

  const queryRaw = queryable.queryRaw.bind(queryable);
  queryable.queryRaw = async (query) => {
    const resultSet = await queryRaw(query);
    for (const i of charColumnsOf.get(resultSet.rows) ?? []) {
      resultSet.columnTypes[i] = ColumnTypeEnum.Character;
    }
    return resultSet;
  };
  return queryable;
}

function patched(adapter: SqlDriverAdapter): SqlDriverAdapter {
  readCharColumns(adapter);
  const startTransaction = adapter.startTransaction.bind(adapter);
  adapter.startTransaction = async (isolationLevel) =>
    readCharColumns(await startTransaction(isolationLevel));

  // A query without parameters goes out as one simple-protocol message, statements and all.
  adapter.executeScript = async (script) => {
    await adapter.executeRaw({ sql: script, args: [], argTypes: [] });
  };
  return adapter;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}

export function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  return name === '' ? 'postgres' : name;
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Runs one statement on a short-lived connection. */
export async function runOnce(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

async function connect(url: string): Promise<SqlDriverAdapter> {
  // `?schema=` is Prisma's URL parameter for the PostgreSQL schema; pg ignores it.
  const schema = new URL(url).searchParams.get('schema') ?? undefined;
  const factory = new PrismaPg({ connectionString: url, max: 4 }, { schema });
  return patched(await factory.connect());
}

/**
 * The factory the wasm engine drives. A configured `shadowDatabaseUrl` is used as is; otherwise
 * each shadow connection gets a fresh database beside the main one, dropped on dispose.
 */
export function createAdapterFactory(
  url: string,
  shadowDatabaseUrl?: string,
): SqlMigrationAwareDriverAdapterFactory {
  return {
    provider: 'postgres',
    adapterName: '@prisma/adapter-pg',
    connect: () => connect(url),
    async connectToShadowDb(): Promise<SqlDriverAdapter> {
      if (shadowDatabaseUrl !== undefined) return connect(shadowDatabaseUrl);

      const name = `prisma_migrate_shadow_db_${randomUUID()}`;
      await runOnce(url, `CREATE DATABASE ${quoteIdent(name)}`);
      const shadow = await connect(withDatabase(url, name));
      const closePool = shadow.dispose.bind(shadow);
      shadow.dispose = async () => {
        await closePool();
        await runOnce(url, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
      };
      return shadow;
    },
  };
}
