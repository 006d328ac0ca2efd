import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planComparison, planSweep } from '../src/index.js';

const examplesDir = new URL('../../../examples/', import.meta.url);
const all = readdirSync(examplesDir).filter((name) => name.endsWith('.json'));
const comparisons = all.filter((name) => name.endsWith('.comparison.json'));
const examples = all.filter((name) => !comparisons.includes(name));
const read = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(name, examplesDir), 'utf8'));

describe('the shipped examples', () => {
  it('exist', () => {
    expect(examples).toContain('quadratic-paper.json');
  });

  it.each(examples)('%s plans into runs', (name) => {
    const sweep = JSON.parse(readFileSync(new URL(name, examplesDir), 'utf8'));
    const plan = planSweep(sweep, 'test');
    expect(plan.runs.length).toBeGreaterThan(0);
  });

  it.each(comparisons)('%s plans into a comparison', (name) => {
    const plan = planComparison(read(name), 'test');
    expect(plan.layout.panels.length).toBeGreaterThan(0);
  });

  it('the MNIST comparisons share one meta-training, whatever they evaluate on', () => {
    const mnist = comparisons.filter((name) => name.includes('mnist'));
    expect(mnist).toHaveLength(5);
    const trainers = new Set(
      mnist.map((name) => planComparison(read(name), 't').layout.trainers[0]!.runId),
    );
    expect(trainers.size).toBe(1);
  });

  it('quadratic-paper sweeps each baseline over the paper grid and trains one LSTM', () => {
    const sweep = JSON.parse(readFileSync(new URL('quadratic-paper.json', examplesDir), 'utf8'));
    const kinds = planSweep(sweep, 'test').runs.map((run) => run.spec.kind);
    expect(kinds.filter((kind) => kind === 'baseline')).toHaveLength(44);
    expect(kinds.filter((kind) => kind === 'meta-train')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'evaluate')).toHaveLength(1);
  });
});
