/**
 * A stand-in for Prisma's native schema engine, for machines that cannot download it.
 *
 * The Prisma CLI runs `$PRISMA_SCHEMA_ENGINE_BINARY` in two ways, and this program answers both:
 * - `--datasource <json> cli <command>`: one-shot `can-connect-to-database` and
 *   `create-database`, reported by exit status and tracing JSON on stderr (database.ts);
 * - `[--datamodels <file>]… --datasource <json>`: a JSON-RPC session on stdin/stdout (rpc.ts),
 *   forwarded to `@prisma/schema-engine-wasm` (the same engine compiled to wasm) through
 *   `@prisma/adapter-pg` (pg.ts).
 *
 * Only `scripts/prisma.ts` points the CLI here, and only when asked to or when no native
 * engine is available (see there). The protocol is Prisma-internal: `prisma` and
 * `@prisma/schema-engine-wasm` are pinned exactly in package.json; see README.md beside this
 * file before upgrading either.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { canConnectToDatabase, createDatabase } from './database.js';
import { installPanicRegistry, isWasmPanic, logLine, toRpcErrorData } from './errors.js';
import { createAdapterFactory } from './pg.js';
import { serve } from './rpc.js';
import { startWasmEngine, wasmEngineVersion } from './wasm.js';

interface Datasource {
  url?: string;
  shadowDatabaseUrl?: string;
}

const { values: options, positionals } = parseArgs({
  options: {
    datamodels: { type: 'string', multiple: true },
    datasource: { type: 'string' },
    'enabled-preview-features': { type: 'string' },
    'extension-types': { type: 'string' },
    version: { type: 'boolean', short: 'V' },
  },
  allowPositionals: true,
});
const datasource = JSON.parse(options.datasource ?? '{}') as Datasource;

function requireUrl(): string {
  if (datasource.url) return datasource.url;
  throw new Error('The datasource has no url: set DATABASE_URL (prisma.config.ts reads it).');
}

async function runCliCommand(command: string | undefined): Promise<void> {
  // The CLI skips the first stderr line before looking for the ERROR entry.
  logLine('INFO', { message: `schema-engine-wasm shim: cli ${command}` });
  try {
    if (command === 'can-connect-to-database') await canConnectToDatabase(requireUrl());
    else if (command === 'create-database') await createDatabase(requireUrl());
    else throw new Error(`unsupported command: cli ${command}`);
  } catch (e) {
    const { message, error_code } = toRpcErrorData(e);
    logLine('ERROR', { message, ...(error_code ? { error_code } : {}) });
    process.exitCode = 1;
  }
}

async function datamodels(): Promise<[string, string][] | undefined> {
  const paths = options.datamodels ?? [];
  if (paths.length === 0) return undefined;
  return Promise.all(
    paths.map(async (p): Promise<[string, string]> => [p, await readFile(p, 'utf8')]),
  );
}

function startSession(): void {
  installPanicRegistry();
  process.on('uncaughtException', (e) => {
    // A panic inside a spawned engine task surfaces here rather than in a request.
    logLine('ERROR', { message: toRpcErrorData(e).message, is_panic: isWasmPanic(e) });
    process.exit(isWasmPanic(e) ? 101 : 1);
  });

  const log = (line: string) => process.stderr.write(line.endsWith('\n') ? line : `${line}\n`);
  const engine = (async () => {
    const factory = createAdapterFactory(requireUrl(), datasource.shadowDatabaseUrl);
    return startWasmEngine(await datamodels(), factory, log);
  })();
  serve({ engine, url: datasource.url });
}

if (options.version) {
  process.stdout.write(`schema-engine-wasm ${await wasmEngineVersion()}\n`);
} else if (positionals[0] === 'cli') {
  await runCliCommand(positionals[1]);
} else {
  startSession();
}
