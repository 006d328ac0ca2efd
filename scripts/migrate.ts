/**
 * `npm run db:migrate`: applies prisma/migrations to DATABASE_URL with the real
 * `prisma migrate deploy`, which first creates the database if it does not exist.
 * DATABASE_URL comes from the environment or `.env`, else the store's local default
 * (packages/store/src/config.ts).
 *
 * The schema engine is chosen by scripts/prisma.ts (METAOPT_PRISMA_ENGINE); the integration
 * tests' global setup migrates each test database through `migrate()` below.
 */
import { pathToFileURL } from 'node:url';
import { DEFAULT_DATABASE_URL } from '@metaopt/store/config';
import { loadDotEnv, runPrisma } from './prisma.js';

export class MigrateError extends Error {
  override readonly name = 'MigrateError';

  constructor(
    message: string,
    /** What Prisma printed, when it ran quietly. */
    readonly output: string,
  ) {
    super(message);
  }
}

function redacted(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  if (url.password) url.password = '***';
  return url.toString();
}

/**
 * Applies every pending migration to `databaseUrl`.
 * `quiet` keeps Prisma's output for the error instead of printing it.
 */
export async function migrate(options: { databaseUrl: string; quiet?: boolean }): Promise<void> {
  const { code, output } = await runPrisma(['migrate', 'deploy'], {
    env: { DATABASE_URL: options.databaseUrl },
    quiet: options.quiet,
  });
  if (code !== 0) {
    const detail = options.quiet ? `:\n${output}` : '';
    throw new MigrateError(
      `prisma migrate deploy failed (exit ${code}) for ${redacted(options.databaseUrl)}${detail}`,
      output,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  loadDotEnv();
  try {
    await migrate({ databaseUrl: process.env.DATABASE_URL || DEFAULT_DATABASE_URL });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
