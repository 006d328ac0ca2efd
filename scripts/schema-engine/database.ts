/**
 * The engine commands the wasm engine does not have, done directly with pg: checking that a
 * database can be reached and creating it. `prisma migrate deploy` runs both as one-shot
 * `cli can-connect-to-database` / `cli create-database` calls and creates a missing database
 * when the first answers P1003. Error codes and messages follow the Prisma error reference.
 */
import { EngineError } from './errors.js';
import { databaseOf, quoteIdent, runOnce, withDatabase } from './pg.js';

function serverOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || '5432'}`;
}

/** Maps a pg connection error onto Prisma's P1xxx codes; other errors keep their message. */
function engineErrorOf(e: unknown, url: string): EngineError {
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  const database = databaseOf(url);
  const server = serverOf(url);

  switch (code) {
    case '3D000':
      return new EngineError(
        'P1003',
        `Database \`${database}\` does not exist on the database server at \`${server}\`.`,
        { database_name: database, database_host: server },
      );
    case '42P04':
      return new EngineError(
        'P1009',
        `Database \`${database}\` already exists on the database server at \`${server}\``,
      );
    case '28000':
    case '28P01':
      return new EngineError(
        'P1000',
        `Authentication failed against database server at \`${server}\`: ${message}`,
      );
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ETIMEDOUT':
      return new EngineError('P1001', `Can't reach database server at \`${server}\``);
    default:
      return new EngineError(undefined, message);
  }
}

export async function canConnectToDatabase(url: string): Promise<void> {
  try {
    await runOnce(url, 'SELECT 1');
  } catch (e) {
    throw engineErrorOf(e, url);
  }
}

/**
 * Creates the database named in `url` from a maintenance database on the same server
 * (`postgres`, or `template1` where `postgres` was dropped). Returns the database's name.
 */
export async function createDatabase(url: string): Promise<string> {
  const name = databaseOf(url);
  const create = `CREATE DATABASE ${quoteIdent(name)}`;
  try {
    try {
      await runOnce(withDatabase(url, 'postgres'), create);
    } catch (e) {
      if ((e as { code?: unknown }).code !== '3D000') throw e;
      await runOnce(withDatabase(url, 'template1'), create);
    }
  } catch (e) {
    throw engineErrorOf(e, url);
  }
  return name;
}
