/**
 * Loads `@prisma/schema-engine-wasm` by hand. Its entry module imports the `.wasm` file as an
 * ES module, which Node 20 refuses without `--experimental-wasm-modules`; instantiating the
 * bytes against the package's own JS glue is the same thing without the flag.
 */
import { readFile } from 'node:fs/promises';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as glue from '@prisma/schema-engine-wasm/schema_engine_bg';

export type WasmSchemaEngine = glue.SchemaEngine;

// The part of the WebAssembly API used here: TypeScript types it only in lib.dom.
interface WebAssemblyApi {
  instantiate(
    bytes: Uint8Array,
    imports: object,
  ): Promise<{ instance: { exports: Record<string, unknown> } }>;
}
const { WebAssembly } = globalThis as unknown as { WebAssembly: WebAssemblyApi };

let loaded: Promise<void> | undefined;
let errorRegistry: { consumeError(id: number): { error: unknown } | undefined } | undefined;

function load(): Promise<void> {
  loaded ??= (async () => {
    const glueUrl = import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(new URL('schema_engine_bg.wasm', glueUrl));
    const { instance } = await WebAssembly.instantiate(bytes, { './schema_engine_bg.js': glue });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as () => void)();
  })();
  return loaded;
}

export async function wasmEngineVersion(): Promise<string> {
  await load();
  return glue.version();
}

/**
 * @param datamodels `[path, content]` of each schema file, as the native engine reads them.
 * @param log receives the engine's tracing output, one JSON document per call.
 */
export async function startWasmEngine(
  datamodels: [string, string][] | undefined,
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  log: (line: string) => void,
): Promise<WasmSchemaEngine> {
  await load();
  const bound = bindMigrationAwareSqlAdapterFactory(adapterFactory);
  errorRegistry = bound.errorRegistry;
  return glue.SchemaEngine.new({ datamodels }, log, bound);
}

/**
 * The engine reports a JavaScript error thrown inside the adapter only as
 * "External error id#N"; this puts the error's own message in its place.
 */
export function explainExternalErrors(message: string): string {
  return message.replace(/External error id#(\d+)/g, (text, id: string) => {
    const error = errorRegistry?.consumeError(Number(id))?.error;
    return error === undefined
      ? text
      : `${text}: ${error instanceof Error ? error.message : String(error)}`;
  });
}
