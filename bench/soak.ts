/**
 * Leaks over a long meta-training run: the TF.js tensor count after every training roll-out,
 * and the process's memory after every epoch (its evaluation included), of an MNIST
 * meta-training (TF.js's path, not the host one small quadratics take). A leak of one tensor
 * per step would add thousands over the run; the figures to read are the tensor count's
 * spread and the RSS growth after the first epochs.
 *
 *   node --import tsx bench/soak.ts        # BENCH_SOAK_EPOCHS=25
 *
 * Writes bench/results/soak.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { loadNpmMnist } from '@metaopt/datasets';
import { initBackend, metaTrain, type MetaTrainConfig } from '@metaopt/l2l';

const EPOCHS = Number(process.env.BENCH_SOAK_EPOCHS ?? 25);

// Small enough for minutes on two cores, large enough (6,370 coordinates) for TF.js's path.
const CONFIG: MetaTrainConfig = {
  task: { kind: 'mnist', hidden: [8], activation: 'sigmoid', batchSize: 32 },
  learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
  metaLr: 0.01,
  epochs: EPOCHS,
  rolloutsPerEpoch: 2,
  steps: 40,
  unroll: 20,
  nTests: 4,
  seed: 0,
};

interface Sample {
  readonly epoch: number;
  readonly tensors: number;
  readonly rssMb: number;
  readonly heapMb: number;
}

const mb = (bytes: number) => Math.round((bytes / 2 ** 20) * 10) / 10;

async function main(): Promise<void> {
  const { name: backend } = await initBackend('wasm');
  const data = await loadNpmMnist();
  const samples: Sample[] = [];
  const rolloutTensors: number[] = [];
  const started = performance.now();

  await metaTrain(CONFIG, data, {
    onProgress: () => void rolloutTensors.push(tf.memory().numTensors),
    onEpoch: async (_state, metrics) => {
      const { rss, heapUsed } = process.memoryUsage();
      samples.push({
        epoch: metrics.epoch,
        tensors: tf.memory().numTensors,
        rssMb: mb(rss),
        heapMb: mb(heapUsed),
      });
    },
  });

  const summary = summarize(samples, rolloutTensors);
  const wallS = Math.round((performance.now() - started) / 100) / 10;
  const result = { date: new Date().toISOString(), backend, config: CONFIG, wallS, summary };
  console.table(samples.filter((_, i) => i % Math.ceil(samples.length / 10) === 0));
  console.log(JSON.stringify({ wallS, ...summary }, null, 2));
  mkdirSync(new URL('results/', import.meta.url), { recursive: true });
  writeFileSync(
    new URL('results/soak.json', import.meta.url),
    `${JSON.stringify({ ...result, samples }, null, 2)}\n`,
  );
}

/** Tensor counts over all roll-outs and epochs; RSS from the end of epoch 5 on (warmed up). */
function summarize(samples: readonly Sample[], rolloutTensors: readonly number[]) {
  const warm = samples.slice(Math.min(5, samples.length - 1));
  return {
    epochs: samples.length,
    rollouts: rolloutTensors.length,
    rolloutTensorsMin: Math.min(...rolloutTensors),
    rolloutTensorsMax: Math.max(...rolloutTensors),
    epochTensorsMin: Math.min(...samples.map((s) => s.tensors)),
    epochTensorsMax: Math.max(...samples.map((s) => s.tensors)),
    rssAfterWarmUpMb: warm[0]?.rssMb,
    rssLastMb: samples.at(-1)?.rssMb,
    rssMaxMb: Math.max(...samples.map((s) => s.rssMb)),
    heapAfterWarmUpMb: warm[0]?.heapMb,
    heapLastMb: samples.at(-1)?.heapMb,
  };
}

await main();
