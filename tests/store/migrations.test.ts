import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { inject } from 'vitest';
import { runPrisma } from '../../scripts/prisma.js';

describe('prisma/migrations', () => {
  // Replaying the migrations into a shadow database also exercises the offline schema engine
  // (scripts/schema-engine) end to end when that is the one in use.
  it('add up to exactly prisma/schema.prisma', async () => {
    const databaseUrl = inject('databaseUrl');
    const { code, output } = await runPrisma(
      [
        'migrate',
        'diff',
        '--from-migrations',
        'prisma/migrations',
        '--to-schema',
        'prisma/schema.prisma',
        '--exit-code',
      ],
      { env: { DATABASE_URL: databaseUrl }, quiet: true },
    );
    expect(output).not.toMatch(/Error/);
    // --exit-code: 0 no difference, 2 a difference (a schema change without its migration).
    expect(code).toBe(0);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const { rows } = await client.query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'prisma_migrate_shadow_db_%'",
    );
    await client.end();
    expect(rows).toEqual([]);
  });
});
