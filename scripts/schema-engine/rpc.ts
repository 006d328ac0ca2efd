/**
 * The engine's JSON-RPC 2.0 session: one JSON document per line on stdin (requests from the
 * CLI, and the CLI's answers to our `print` requests), one per line on stdout. The session ends
 * when the CLI closes stdin.
 */
import { createInterface } from 'node:readline';
import { createDatabase } from './database.js';
import { EngineError, isWasmPanic, toRpcErrorData } from './errors.js';
import type { WasmSchemaEngine } from './wasm.js';

type Id = number | string;
type Params = Record<string, unknown> | undefined;

interface Message {
  id?: Id;
  method?: string;
  params?: Params;
  result?: unknown;
  error?: unknown;
}

// Methods whose request and response are the same in the native and the wasm engine.
const PASS_THROUGH = [
  'applyMigrations',
  'dbExecute',
  'devDiagnostic',
  'diagnoseMigrationHistory',
  'ensureConnectionValidity',
  'evaluateDataLoss',
  'introspect',
  'introspectSql',
  'markMigrationApplied',
  'markMigrationRolledBack',
  'reset',
  'schemaPush',
] as const satisfies readonly (keyof WasmSchemaEngine)[];

type Handler = (params: Params) => Promise<unknown>;

function send(message: object): void {
  process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
}

export interface SessionOptions {
  engine: Promise<WasmSchemaEngine>;
  /** The datasource URL given on the command line, for `createDatabase` by schema. */
  url: string | undefined;
}

export function serve({ engine: starting, url }: SessionOptions): void {
  const inFlight = new Set<Promise<void>>();
  const printsAwaitingAck = new Map<Id, () => void>();
  let nextPrintId = 1;

  // The native engine hands diff output to the CLI with a `print` request instead of in the
  // response, and the CLI prints only what arrives that way.
  const print = (content: string) =>
    new Promise<void>((resolve) => {
      const id = `print-${nextPrintId++}`;
      printsAwaitingAck.set(id, resolve);
      send({ id, method: 'print', params: { content: content.replace(/\n$/, '') } });
    });

  const handlers = async (): Promise<Record<string, Handler>> => {
    const engine = await starting;
    const call =
      (method: (typeof PASS_THROUGH)[number]): Handler =>
      (params) =>
        // Called as a method: wasm-bindgen methods lose their instance when detached.
        (engine[method] as unknown as (p: Params) => Promise<unknown>).call(engine, params);

    return {
      ...Object.fromEntries(PASS_THROUGH.map((m) => [m, call(m)])),
      getDatabaseVersion: (params) => engine.version(params as never),
      debugPanic: async () => engine.debugPanic(),
      diff: async (params) => {
        const { exitCode, stdout } = await engine.diff(params as never);
        if (stdout) await print(stdout);
        return { exitCode, stdout: null };
      },
      createDatabase: async (params) => {
        const datasource = params?.['datasource'] as { tag: string; url?: string } | undefined;
        const target = datasource?.tag === 'ConnectionString' ? datasource.url : url;
        if (target === undefined) throw new EngineError(undefined, 'no datasource url to create');
        return { databaseName: await createDatabase(target) };
      },
      createMigration: async () => {
        throw new EngineError(
          undefined,
          'The wasm schema engine cannot create migrations. Write the next one with ' +
            '`prisma migrate diff --from-migrations prisma/migrations ' +
            '--to-schema prisma/schema.prisma --script`; see scripts/schema-engine/README.md.',
        );
      },
    };
  };
  const ready = handlers();
  ready.catch(() => {}); // a failed start is reported to each request instead

  const answer = async (request: Message & { id: Id; method: string }) => {
    try {
      const handler = (await ready)[request.method];
      if (handler === undefined) {
        send({
          id: request.id,
          error: { code: -32601, message: `Method not found: ${request.method}` },
        });
        return;
      }
      const result = await handler(request.params);
      send({ id: request.id, result: result ?? null });
    } catch (e) {
      send({
        id: request.id,
        error: {
          code: 4466,
          message: 'An error happened. Check the data field for details.',
          data: toRpcErrorData(e),
        },
      });
      // A panic leaves the wasm instance unusable; the native engine exits 101 likewise.
      if (isWasmPanic(e)) process.exit(101);
    }
  };

  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    const message = JSON.parse(line) as Message;

    if (message.method === undefined) {
      const acknowledge = message.id === undefined ? undefined : printsAwaitingAck.get(message.id);
      printsAwaitingAck.delete(message.id as Id);
      acknowledge?.();
      return;
    }
    if (message.id === undefined) return; // a notification: nothing to answer

    const pending = answer(message as Message & { id: Id; method: string });
    inFlight.add(pending);
    void pending.finally(() => inFlight.delete(pending));
  });
  lines.on('close', () => {
    // Pools to PostgreSQL keep the event loop alive; leave once the last answer is out.
    void Promise.allSettled(inFlight).then(() => process.exit(0));
  });
}
