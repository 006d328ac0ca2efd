import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { planSweep } from '../src/index.js';

const examplesDir = new URL('../../../examples/', import.meta.url);
const examples = readdirSync(examplesDir).filter((name) => name.endsWith('.json'));

describe('the shipped examples', () => {
  it('exist', () => {
    expect(examples).toContain('quadratic-paper.json');
  });

  it.each(examples)('%s plans into runs', (name) => {
    const sweep = JSON.parse(readFileSync(new URL(name, examplesDir), 'utf8'));
    const plan = planSweep(sweep, 'test');
    expect(plan.runs.length).toBeGreaterThan(0);
  });

  it('quadratic-paper sweeps each baseline over the paper grid and trains one LSTM', () => {
    const sweep = JSON.parse(readFileSync(new URL('quadratic-paper.json', examplesDir), 'utf8'));
    const kinds = planSweep(sweep, 'test').runs.map((run) => run.spec.kind);
    expect(kinds.filter((kind) => kind === 'baseline')).toHaveLength(44);
    expect(kinds.filter((kind) => kind === 'meta-train')).toHaveLength(1);
    expect(kinds.filter((kind) => kind === 'evaluate')).toHaveLength(1);
  });
});
