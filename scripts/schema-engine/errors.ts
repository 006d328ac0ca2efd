/**
 * Errors and log lines in the shapes the Prisma CLI reads from the native schema engine:
 * JSON-RPC error objects carrying `{ is_panic, message, error_code?, meta? }`, and tracing-style
 * JSON lines on stderr, of which the CLI picks `level: 'ERROR'` entries with an `error_code`.
 */
import { explainExternalErrors } from './wasm.js';

/** A user-facing engine error with a Prisma code (e.g. P1001, P3005). */
export class EngineError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
    readonly meta: unknown = null,
  ) {
    super(message);
  }
}

export interface RpcErrorData {
  is_panic: boolean;
  message: string;
  error_code?: string;
  meta?: unknown;
}

let panicMessage: string | undefined;

/** The wasm engine reports a Rust panic's message here before it traps. */
export function installPanicRegistry(): void {
  Object.assign(globalThis, {
    PRISMA_WASM_PANIC_REGISTRY: {
      set_message(message: string) {
        panicMessage = message;
      },
    },
  });
}

/** A Rust panic traps the wasm instance with a WebAssembly.RuntimeError. */
export function isWasmPanic(e: unknown): boolean {
  return e instanceof Error && e.name === 'RuntimeError';
}

/**
 * The wasm engine appends a span trace ("   0: schema_engine_wasm::…") to its messages; the
 * native engine does not, and the CLI prints messages verbatim.
 */
function withoutSpanTrace(message: string): string {
  const at = message.search(/^\s*0: /m);
  return (at === -1 ? message : message.slice(0, at)).trimEnd();
}

export function toRpcErrorData(e: unknown): RpcErrorData {
  if (isWasmPanic(e)) {
    return { is_panic: true, message: panicMessage ?? String(e) };
  }
  if (e instanceof EngineError) {
    return { is_panic: false, message: e.message, error_code: e.code, meta: e.meta };
  }
  const error = e instanceof Error ? e : new Error(String(e));
  const code = (error as { code?: unknown }).code;
  return {
    is_panic: false,
    message: explainExternalErrors(withoutSpanTrace(error.message)),
    ...(typeof code === 'string' && /^P\d{4}$/.test(code) ? { error_code: code } : {}),
  };
}

/** One tracing-style line on stderr, as the native engine writes them. */
export function logLine(level: 'INFO' | 'ERROR', fields: Record<string, unknown>): void {
  const line = {
    timestamp: new Date().toISOString(),
    level,
    fields,
    target: 'schema_engine::logger',
  };
  process.stderr.write(`${JSON.stringify(line)}\n`);
}
