/**
 * `node --import tsx scripts/prisma.ts <prisma args…>` runs the real Prisma CLI with a schema
 * engine that works on this machine.
 *
 * Every Prisma CLI command, `generate` included, first makes sure the native schema engine is
 * present and downloads it if not, which fails on machines without internet. Which engine to
 * use is configured by METAOPT_PRISMA_ENGINE:
 *
 * - `native`: the CLI as shipped: it finds or downloads its native engine itself.
 * - `wasm`: the CLI drives scripts/schema-engine/, a small program that speaks the native
 *   engine's protocol and forwards to `@prisma/schema-engine-wasm` over PostgreSQL. Needs no
 *   download; cannot create migrations (see scripts/schema-engine/README.md).
 * - `auto` (default): the native engine when Prisma already has it (in `@prisma/engines` or
 *   Prisma's download cache, and it runs), else the wasm one. It never downloads.
 *
 * A PRISMA_SCHEMA_ENGINE_BINARY set by the caller is always respected. The choice is logged on
 * stderr. Run as a command, this reads `.env` first, as the apps do (set variables win).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** The repository's `.env`, if there is one; variables already set keep their values. */
export function loadDotEnv(): void {
  const path = fileURLToPath(new URL('../.env', import.meta.url));
  if (existsSync(path)) process.loadEnvFile(path);
}

export type EngineSetting = 'native' | 'wasm' | 'auto';

export interface EngineChoice {
  /** What PRISMA_SCHEMA_ENGINE_BINARY should be for the CLI; undefined leaves it alone. */
  readonly binary: string | undefined;
  readonly description: string;
}

const SETTINGS: readonly EngineSetting[] = ['native', 'wasm', 'auto'];
const WASM_SHIM = fileURLToPath(new URL('schema-engine/bin.mjs', import.meta.url));

// Resolved from the prisma package, so that these are the engines *it* would use.
const requireFromPrisma = createRequire(
  createRequire(import.meta.url).resolve('prisma/package.json'),
);
const PRISMA_CLI = join(
  dirname(requireFromPrisma.resolve('prisma/package.json')),
  'build/index.js',
);

export function parseEngineSetting(value: string | undefined): EngineSetting {
  const setting = value === undefined || value === '' ? 'auto' : value;
  if ((SETTINGS as readonly string[]).includes(setting)) return setting as EngineSetting;
  throw new Error(`METAOPT_PRISMA_ENGINE must be one of ${SETTINGS.join(', ')}; got ${value}`);
}

function isEngineBinaryName(name: string): boolean {
  return name.startsWith('schema-engine') && !/\.(gz|sha256|tmp\d*)$/.test(name);
}

/** Where Prisma keeps native schema engines it already has, for its own engines version. */
function nativeCandidates(
  enginesVersion: string,
  enginesPath: string,
  cacheHome: string,
): string[] {
  const candidates: string[] = [];
  const inPackage = existsSync(enginesPath) ? readdirSync(enginesPath) : [];
  candidates.push(...inPackage.filter(isEngineBinaryName).map((f) => join(enginesPath, f)));

  // One folder per platform, e.g. debian-openssl-3.0.x; runsAsVersion finds the one for here.
  const cached = join(cacheHome, 'prisma', 'master', enginesVersion);
  const targets = existsSync(cached) ? readdirSync(cached, { withFileTypes: true }) : [];
  for (const target of targets.filter((entry) => entry.isDirectory())) {
    const dir = join(cached, target.name);
    candidates.push(
      ...readdirSync(dir)
        .filter(isEngineBinaryName)
        .map((f) => join(dir, f)),
    );
  }
  return candidates;
}

/** A candidate counts only if it runs here and is the version this CLI expects. */
function runsAsVersion(binary: string, enginesVersion: string): boolean {
  try {
    const out = execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return out.includes(enginesVersion);
  } catch {
    return false;
  }
}

export function chooseEngine(
  setting: EngineSetting,
  env: { PRISMA_SCHEMA_ENGINE_BINARY?: string; XDG_CACHE_HOME?: string },
): EngineChoice {
  if (env.PRISMA_SCHEMA_ENGINE_BINARY) {
    return { binary: undefined, description: 'PRISMA_SCHEMA_ENGINE_BINARY as set by the caller' };
  }
  if (setting === 'native') return { binary: undefined, description: 'native (Prisma finds it)' };
  if (setting === 'wasm') return { binary: WASM_SHIM, description: 'wasm (METAOPT_PRISMA_ENGINE)' };

  const engines = requireFromPrisma('@prisma/engines') as {
    enginesVersion: string;
    getEnginesPath(): string;
  };
  const cacheHome = env.XDG_CACHE_HOME || join(homedir(), '.cache');
  const native = nativeCandidates(engines.enginesVersion, engines.getEnginesPath(), cacheHome).find(
    (binary) => runsAsVersion(binary, engines.enginesVersion),
  );
  if (native !== undefined) return { binary: native, description: `native (${native})` };
  return {
    binary: WASM_SHIM,
    description:
      `wasm (no native engine ${engines.enginesVersion.slice(0, 8)} available; ` +
      'METAOPT_PRISMA_ENGINE=native lets Prisma download it)',
  };
}

export interface PrismaRun {
  readonly code: number;
  /** stdout and stderr interleaved; empty unless `quiet`. */
  readonly output: string;
}

/**
 * Runs the Prisma CLI with `args` under `env` (merged over process.env).
 * `quiet` captures its output instead of printing it.
 */
export function runPrisma(
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; quiet?: boolean } = {},
): Promise<PrismaRun> {
  const env = { ...process.env, ...options.env };
  const choice = chooseEngine(parseEngineSetting(env.METAOPT_PRISMA_ENGINE), env);
  if (choice.binary !== undefined) env.PRISMA_SCHEMA_ENGINE_BINARY = choice.binary;
  const note = `prisma: schema engine ${choice.description}\n`;

  const child = spawn(process.execPath, [PRISMA_CLI, ...args], {
    env,
    stdio: options.quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
  });
  const chunks: string[] = [note];
  if (!options.quiet) process.stderr.write(note);
  child.stdout?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));

  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 : 1), output: options.quiet ? chunks.join('') : '' }),
    );
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  loadDotEnv();
  try {
    const { code } = await runPrisma(process.argv.slice(2));
    process.exitCode = code;
  } catch (e) {
    process.stderr.write(`prisma: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
