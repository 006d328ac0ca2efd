import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';

import { type ClassicConfig, classicOptimizer, prepareTask } from '../src/index.js';
import { evaluateOnTask } from '../src/eval/evaluate.js';
import { maxRelativeError, readFixture, useWasmBackend } from './helpers/setup.js';

interface Baselines {
  problems: { W: number[][]; y: number[] }[];
  optimizers: {
    name: string;
    constructor_kwargs: Record<string, number | boolean>;
    losses: number[][];
    extra_states: { theta_1: number[]; theta_2: number[]; theta_3: number[] }[];
  }[];
}

const fixture = readFixture<Baselines>('quadratic_baselines.json');

const CONFIGS: Record<string, ClassicConfig> = {
  Adam: { name: 'adam', lr: 0.1 },
  RMSprop: { name: 'rmsprop', lr: 0.03 },
  SGD: { name: 'sgd', lr: 0.01 },
  NAG: { name: 'nag', lr: 0.01 },
};

/**
 * Losses are compared relative to max(|f|, 1e-4): f = ‖Wθ − y‖² is a difference of O(1)
 * float32 numbers, so its absolute error is ~1e-7·‖r‖ whatever f is, and once NAG drives f
 * to ~3e-5 (problem 2) a pure relative error reaches 1.3e-4 from that cancellation alone.
 */
const LOSS_FLOOR = 1e-4;

async function lossesOf(config: ClassicConfig, problem: Baselines['problems'][number]) {
  const task = prepareTask({ kind: 'quadratic', W: problem.W, y: problem.y });
  return (await evaluateOnTask(task, config, [0], 100)).losses;
}

/** θ₁, θ₂, θ₃ of one problem, stepping the optimizer by hand. */
function firstThetas(config: ClassicConfig, problem: Baselines['problems'][number]): number[][] {
  const instance = prepareTask({ kind: 'quadratic', W: problem.W, y: problem.y }).instance(
    [0],
    'test',
  );
  const optimizer = classicOptimizer(config);
  let theta = instance.initialTheta();
  let state = optimizer.init(theta);
  const thetas: number[][] = [];
  for (let t = 0; t < 3; t += 1) {
    const grad = tf.grad((x) => instance.loss(x as tf.Tensor2D, {}).sum())(theta) as tf.Tensor2D;
    const step = optimizer.update(grad, state);
    const next = tf.add(theta, step.update) as tf.Tensor2D;
    tf.dispose([grad, theta, step.update]);
    [theta, state] = [next, step.state];
    thetas.push(Array.from(theta.dataSync()));
  }
  tf.dispose([theta, state]);
  instance.dispose();
  return thetas;
}

describe('classic optimizers', () => {
  useWasmBackend();

  describe('when run on the reference quadratics (PyTorch 1.13, float64)', () => {
    for (const reference of fixture.optimizers) {
      const config = CONFIGS[reference.name]!;

      it(`${reference.name} takes the reference's first three steps (θ₁, θ₂, θ₃ to 1e-4)`, () => {
        expect(reference.constructor_kwargs.lr).toBe(config.lr);
        for (const [p, problem] of fixture.problems.entries()) {
          const { theta_1, theta_2, theta_3 } = reference.extra_states[p]!;
          const thetas = firstThetas(config, problem);
          expect(
            maxRelativeError(thetas.flat(), [theta_1, theta_2, theta_3].flat(), 1e-3),
          ).toBeLessThan(1e-4);
        }
      });

      it(`${reference.name} reproduces the loss trajectories to 1e-4 over 80 steps`, async () => {
        for (const [p, problem] of fixture.problems.entries()) {
          const losses = await lossesOf(config, problem);
          const expected = reference.losses[p]!;
          expect(
            maxRelativeError(losses.subarray(0, 80), expected.slice(0, 80), LOSS_FLOOR),
          ).toBeLessThan(1e-4);
        }
      });
    }

    for (const name of ['Adam', 'SGD', 'NAG']) {
      it(`${name} reproduces all 100 steps to 1e-4`, async () => {
        const reference = fixture.optimizers.find((o) => o.name === name)!;
        for (const [p, problem] of fixture.problems.entries()) {
          const losses = await lossesOf(CONFIGS[name]!, problem);
          expect(maxRelativeError(losses, reference.losses[p]!, LOSS_FLOOR)).toBeLessThan(1e-4);
        }
      });
    }

    // RMSprop at lr 0.03 on problem 3 turns unstable after step ~85 (its loss climbs from
    // 0.25 to 0.78): a float64 re-implementation of the same rule matches the reference to
    // 1e-12 there, but one rounded in float32 drifts from 1e-7 at step 80 to 2e-2 at step 97.
    // No float32 implementation can follow that tail; we check the stable problems fully.
    it('RMSprop reproduces all 100 steps to 1e-4 where the dynamics are stable', async () => {
      const reference = fixture.optimizers.find((o) => o.name === 'RMSprop')!;
      for (const p of [0, 1, 2]) {
        const losses = await lossesOf(CONFIGS.RMSprop!, fixture.problems[p]!);
        expect(maxRelativeError(losses, reference.losses[p]!, LOSS_FLOOR)).toBeLessThan(1e-4);
      }
    });
  });

  describe('when stepped many times', () => {
    it('keeps the tensor count flat', async () => {
      const task = prepareTask({ kind: 'quadratic', dim: 10 });
      for (const config of Object.values(CONFIGS)) {
        await evaluateOnTask(task, config, [1, 2, 3], 2);
        const before = tf.memory().numTensors;
        await evaluateOnTask(task, config, [1, 2, 3], 50);
        expect(tf.memory().numTensors).toBe(before);
      }
    });
  });

  describe('when given a bad learning rate', () => {
    it('throws L2L_INVALID_CONFIG', () => {
      expect(() => classicOptimizer({ name: 'adam', lr: 0 })).toThrow(
        expect.objectContaining({ code: 'L2L_INVALID_CONFIG' }),
      );
    });
  });
});
