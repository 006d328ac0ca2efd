import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, SpecError, normalizeRun, runIdOf, type SpecLimits } from '../src/index.js';

const adam = {
  kind: 'baseline',
  task: { kind: 'quadratic' },
  optimizer: { name: 'adam', lr: 0.1 },
};

function specErrorOf(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('normalizeRun', () => {
  describe('when defaults are left out', () => {
    it("fills PyTorch's Adam defaults and the reference's rollout sizes", () => {
      expect(normalizeRun(adam)).toEqual({
        kind: 'baseline',
        task: { kind: 'quadratic', dim: 10 },
        optimizer: { name: 'adam', lr: 0.1, betas: [0.9, 0.999], eps: 1e-8 },
        steps: 100,
        nTests: 100,
        seed: 0,
      });
    });

    it('gives the same id as the spelled-out spec', () => {
      const spelled = {
        ...adam,
        task: { kind: 'quadratic', dim: 10 },
        optimizer: { eps: 1e-8, lr: 0.1, name: 'adam', betas: [0.9, 0.999] },
        seed: 0,
        steps: 100,
      };
      expect(runIdOf(normalizeRun(spelled), '1')).toBe(runIdOf(normalizeRun(adam), '1'));
    });

    it('trains MNIST optimizers preprocessed with outMul 0.1, as the reference does', () => {
      const run = normalizeRun({ kind: 'meta-train', task: { kind: 'mnist' } });
      expect(run).toMatchObject({
        learned: { hiddenSize: 20, preprocess: true, outMul: 0.1 },
        task: { dataset: 'mnist', hidden: [20], activation: 'sigmoid', batchSize: 128 },
        nTests: 20,
      });
    });
  });

  describe('when anything that changes results differs', () => {
    it.each([
      ['the learning rate', { optimizer: { name: 'adam', lr: 0.01 } }],
      ['the seed', { seed: 1 }],
      ['the steps', { steps: 200 }],
    ])('gives a different id for %s', (_what, change) => {
      const changed = runIdOf(normalizeRun({ ...adam, ...change }), '1');
      expect(changed).not.toBe(runIdOf(normalizeRun(adam), '1'));
    });

    it("keeps the reference's fresh validation out of the spec, so no id changed", () => {
      const train = { kind: 'meta-train', task: { kind: 'quadratic' } };
      const fresh = normalizeRun({ ...train, validation: 'fresh' });
      expect(fresh).not.toHaveProperty('validation');
      expect(runIdOf(fresh, '1')).toBe(runIdOf(normalizeRun(train), '1'));
      const fixed = normalizeRun({ ...train, validation: 'fixed' });
      expect(fixed).toMatchObject({ validation: 'fixed' });
      expect(runIdOf(fixed, '1')).not.toBe(runIdOf(fresh, '1'));
    });

    it('gives a different id under another numerics version', () => {
      expect(runIdOf(normalizeRun(adam), '2')).not.toBe(runIdOf(normalizeRun(adam), '1'));
    });
  });

  describe('when the input is malformed', () => {
    it('names the field that is wrong', () => {
      const error = specErrorOf(() =>
        normalizeRun({ ...adam, optimizer: { name: 'adam', lr: -1 } }),
      );
      expect(error.code).toBe('SPEC_INVALID');
      expect(error.issues[0]?.path).toBe('/optimizer/lr');
    });

    it('lists the allowed values when a name is unknown', () => {
      const error = specErrorOf(() =>
        normalizeRun({ ...adam, optimizer: { name: 'adamw', lr: 0.1 } }),
      );
      expect(error.message).toContain('must be one of "adam", "rmsprop", "sgd", "nag"');
    });

    it('refuses an unknown kind with its own code', () => {
      expect(specErrorOf(() => normalizeRun({ kind: 'dance' })).code).toBe('SPEC_UNKNOWN_KIND');
      expect(specErrorOf(() => normalizeRun(null)).code).toBe('SPEC_UNKNOWN_KIND');
    });

    it('refuses unknown fields rather than hashing them', () => {
      expect(specErrorOf(() => normalizeRun({ ...adam, colour: 'red' })).code).toBe('SPEC_INVALID');
    });

    it('refuses an explicit quadratic whose W is not square', () => {
      const task = { kind: 'quadratic', W: [[1, 2]], y: [1] };
      expect(specErrorOf(() => normalizeRun({ ...adam, task })).message).toMatch(/1×1/);
    });

    it('refuses an unroll that does not divide the steps', () => {
      const run = { kind: 'meta-train', task: { kind: 'quadratic' }, steps: 100, unroll: 30 };
      expect(specErrorOf(() => normalizeRun(run)).issues[0]?.path).toBe('/unroll');
    });
  });

  describe('when a size crosses a limit', () => {
    it('names the limit', () => {
      const error = specErrorOf(() => normalizeRun({ ...adam, steps: 1e6 }));
      expect(error.code).toBe('SPEC_LIMIT_EXCEEDED');
      expect(error.limit).toEqual({ name: 'maxSteps', max: 10_000 });
    });

    const tight: SpecLimits = {
      ...DEFAULT_LIMITS,
      maxLearnedHiddenSize: 8,
      maxRolloutsPerEpoch: 3,
      maxUnroll: 4,
      maxMetaBatch: 2,
      maxBatchSize: 16,
    };
    // 60 steps: both 4 and 5 divide them, so only the limit can refuse an unroll of 5.
    const train = {
      kind: 'meta-train',
      task: { kind: 'quadratic', dim: 2 },
      steps: 60,
      unroll: 2,
      rolloutsPerEpoch: 1,
      learned: { hiddenSize: 2 },
    };
    const mnist = (batchSize: number) => ({
      ...adam,
      task: { kind: 'mnist', hidden: [1], batchSize },
    });
    it.each<[keyof SpecLimits, string, (size: number) => unknown]>([
      [
        'maxLearnedHiddenSize',
        '/learned/hiddenSize',
        (n) => ({ ...train, learned: { hiddenSize: n } }),
      ],
      ['maxRolloutsPerEpoch', '/rolloutsPerEpoch', (n) => ({ ...train, rolloutsPerEpoch: n })],
      ['maxUnroll', '/unroll', (n) => ({ ...train, unroll: n })],
      ['maxMetaBatch', '/metaBatch', (n) => ({ ...train, metaBatch: n })],
      ['maxBatchSize', '/task/batchSize', mnist],
    ])('accepts %s itself and refuses one more, at %s', (name, path, specOf) => {
      const max = tight[name] as number;
      expect(() => normalizeRun(specOf(max), tight)).not.toThrow();
      const error = specErrorOf(() => normalizeRun(specOf(max + 1), tight));
      expect(error.code).toBe('SPEC_LIMIT_EXCEEDED');
      expect(error.limit).toEqual({ name, max });
      expect(error.issues[0]?.path).toBe(path);
    });

    it("names the path of an evaluation's meta-training", () => {
      const run = { kind: 'evaluate', task: { kind: 'quadratic' }, trained: { metaTrain: train } };
      const trainedOn = { ...run, trained: { metaTrain: { ...train, metaBatch: 3 } } };
      expect(() => normalizeRun(run, tight)).not.toThrow();
      const error = specErrorOf(() => normalizeRun(trainedOn, tight));
      expect(error.issues[0]?.path).toBe('/trained/metaTrain/metaBatch');
    });

    it("checks a checkpoint's LSTM size too", () => {
      const trained = { checkpoint: 'c'.repeat(64), learned: { hiddenSize: 9 } };
      const run = { kind: 'evaluate', task: { kind: 'quadratic' }, trained };
      const error = specErrorOf(() => normalizeRun(run, tight));
      expect(error.issues[0]?.path).toBe('/trained/learned/hiddenSize');
    });
  });

  describe('when the problems together hold too many floats', () => {
    // A quadratic of dimension d holds W and y: d·(d + 1) floats, 6 for d = 2.
    const quadratics = (nTests: number) => ({
      ...adam,
      task: { kind: 'quadratic', dim: 2 },
      nTests,
    });
    const tight: SpecLimits = { ...DEFAULT_LIMITS, maxProblemFloats: 30 };

    it('refuses 1000 quadratics of dimension 1000 by default, though each size is allowed', () => {
      const big = { ...adam, task: { kind: 'quadratic', dim: 1000 }, nTests: 1000 };
      const error = specErrorOf(() => normalizeRun(big));
      expect(error.limit).toEqual({ name: 'maxProblemFloats', max: 200_000_000 });
      expect(error.message).toMatch(/1000 × 1001000 floats/);
      expect(error.issues[0]?.path).toBe('/nTests');
    });

    it('accepts exactly the limit and refuses one problem more', () => {
      expect(() => normalizeRun(quadratics(5), tight)).not.toThrow();
      expect(specErrorOf(() => normalizeRun(quadratics(6), tight)).limit).toEqual({
        name: 'maxProblemFloats',
        max: 30,
      });
    });

    it("counts a meta-training's roll-out problems as well as its validation ones", () => {
      const train = { kind: 'meta-train', task: { kind: 'quadratic', dim: 2 }, steps: 20 };
      expect(() => normalizeRun({ ...train, nTests: 1, metaBatch: 5 }, tight)).not.toThrow();
      const error = specErrorOf(() => normalizeRun({ ...train, nTests: 1, metaBatch: 6 }, tight));
      expect(error.issues[0]?.path).toBe('/metaBatch');
    });

    it("counts an MNIST problem's weights and one minibatch of 28×28 images", () => {
      // 784·20 + 20 + 20·10 + 10 = 15,910 weights; 128 images of 784 pixels and 10 labels.
      const perProblem = 15_910 + 128 * 794;
      const limits = { ...DEFAULT_LIMITS, maxProblemFloats: 20 * perProblem };
      const mnist = (nTests: number) => ({ ...adam, task: { kind: 'mnist' }, nTests });
      expect(() => normalizeRun(mnist(20), limits)).not.toThrow();
      expect(specErrorOf(() => normalizeRun(mnist(21), limits)).code).toBe('SPEC_LIMIT_EXCEEDED');
      expect(() => normalizeRun({ ...adam, task: { kind: 'mnist' }, nTests: 1000 })).not.toThrow();
    });
  });

  describe('when an evaluation names a meta-training', () => {
    it("lets the meta-training inherit the evaluation's task", () => {
      const run = normalizeRun({
        kind: 'evaluate',
        task: { kind: 'mnist', hidden: [40] },
        trained: { metaTrain: { epochs: 2 } },
      });
      expect(run.kind === 'evaluate' && 'metaTrain' in run.trained).toBe(true);
      if (run.kind === 'evaluate' && 'metaTrain' in run.trained) {
        expect(run.trained.metaTrain.task).toEqual(run.task);
        expect(run.trained.metaTrain.epochs).toBe(2);
      }
    });
  });
});

describe('normalizeRun on its own output', () => {
  // The worker re-normalizes every payload and checks its hash: this must be a fixed point.
  it.each([
    [
      'a baseline',
      { kind: 'baseline', task: { kind: 'quadratic' }, optimizer: { name: 'nag', lr: 0.01 } },
    ],
    ['a meta-training', { kind: 'meta-train', task: { kind: 'mnist', hidden: [40] } }],
    [
      'an evaluation with its meta-training',
      {
        kind: 'evaluate',
        task: { kind: 'quadratic' },
        trained: { metaTrain: { epochs: 3 } },
      },
    ],
    [
      'an evaluation of a checkpoint',
      {
        kind: 'evaluate',
        task: { kind: 'mnist', activation: 'relu' },
        trained: { checkpoint: 'c'.repeat(64) },
      },
    ],
  ])('returns %s unchanged', (_what, input) => {
    const once = normalizeRun(input);
    expect(normalizeRun(structuredClone(once))).toEqual(once);
  });
});
