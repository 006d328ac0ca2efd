/**
 * Runs one workload in this (fresh) process and prints one JSON line: the wall and CPU
 * seconds of each repetition, the first one cold, and the process's peak RSS. CPU seconds
 * are the figure to trust on a shared machine, where wall time includes waiting for a core.
 * Usage: node --import tsx bench/child.ts <workload> <repetitions> [backend]
 */
import { type BackendChoice, initBackend } from '@metaopt/l2l';

import { WORKLOADS } from './workloads.js';

const [name = '', repsArg = '3', backend = 'wasm'] = process.argv.slice(2);
const workload = WORKLOADS[name];
if (!workload) throw new Error(`unknown workload ${name}`);

const info = await initBackend(backend as BackendChoice);
await workload.setUp?.();
const seconds: number[] = [];
const cpuSeconds: number[] = [];
for (let rep = 0; rep < Number(repsArg); rep += 1) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  await workload.run();
  seconds.push((performance.now() - start) / 1000);
  const used = process.cpuUsage(cpu);
  cpuSeconds.push((used.user + used.system) / 1e6);
}
const peakRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(
  `${JSON.stringify({ name, backend: info.name, seconds, cpuSeconds, peakRssMb })}\n`,
);
