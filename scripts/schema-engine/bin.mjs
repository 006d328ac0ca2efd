#!/usr/bin/env node
// The executable the Prisma CLI spawns as its schema engine (PRISMA_SCHEMA_ENGINE_BINARY, set by
// scripts/prisma.ts). It must be a file the CLI can execute directly, so it is plain JavaScript
// that registers tsx and hands over to main.ts.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
