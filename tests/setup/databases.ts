/**
 * Test databases on one PostgreSQL server. Each test run migrates one template database, which
 * nobody connects to, and copies it: once for the database all files share, and again for any
 * file that wants one of its own (`ownDatabase`). A copy takes milliseconds; a migration takes
 * seconds. Every database of the run starts with the run's prefix and goes at teardown.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

function databaseOf(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

async function onServer<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Creates `name` as a copy of the database at `templateUrl`, on the same server. */
export async function copyDatabase(
  templateUrl: string,
  name: string,
  via: string,
): Promise<string> {
  // PostgreSQL refuses to copy a database while anyone is connected to it: connect elsewhere.
  await onServer(via, (client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${databaseOf(templateUrl)}"`),
  );
  return withDatabase(templateUrl, name);
}

/** Drops every database whose name starts with `prefix`, connections or not. */
export async function dropDatabases(serverUrl: string, prefix: string): Promise<void> {
  await onServer(serverUrl, async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [prefix],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
  });
}

/**
 * A migrated database for one test file alone, for tests that need to know everything in it
 * (an empty listing, a count). Dropped with the run's other databases.
 */
export async function ownDatabase(): Promise<string> {
  const shared = inject('databaseUrl');
  const name = `${databaseOf(shared)}_${randomBytes(4).toString('hex')}`;
  return copyDatabase(inject('databaseTemplateUrl'), name, shared);
}
