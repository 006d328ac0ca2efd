import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LIMITS,
  SpecError,
  normalizeRun,
  parseDataDirs,
  planSweep,
  type SpecLimits,
} from '../src/index.js';

const onIdx = (idxDir: string) => ({
  kind: 'baseline',
  task: { kind: 'mnist', dataset: { idxDir } },
  optimizer: { name: 'adam', lr: 0.1 },
});
const within = (...dataDirs: string[]): SpecLimits => ({ ...DEFAULT_LIMITS, dataDirs });

function refusal(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SpecError) return error;
    throw error;
  }
  throw new Error('expected a SpecError');
}

describe('an idxDir dataset', () => {
  describe('when no data directories are listed', () => {
    it('is refused, telling the operator which setting to set', () => {
      const error = refusal(() => normalizeRun(onIdx('/srv/data/mnist'), within()));
      expect(error.code).toBe('DATASET_NOT_ALLOWED');
      expect(error.message).toMatch(/METAOPT_DATA_DIRS/);
      expect(error.issues[0]?.path).toBe('/task/dataset/idxDir');
    });

    it('leaves the named datasets allowed', () => {
      const run = { ...onIdx('unused'), task: { kind: 'mnist', dataset: 'fashion-mnist' } };
      expect(() => normalizeRun(run, within())).not.toThrow();
    });
  });

  describe('when data directories are listed', () => {
    const limits = within('/srv/data', '/mnt/datasets');

    it.each(['/srv/data', '/srv/data/mnist', '/mnt/datasets/a/b', '/srv/data/x/../mnist'])(
      'accepts %s, inside one of them',
      (idxDir) => {
        expect(() => normalizeRun(onIdx(idxDir), limits)).not.toThrow();
      },
    );

    it.each([
      ['a directory elsewhere', '/etc'],
      ['a climb out with ..', '/srv/data/../../etc'],
      ['a sibling sharing the prefix', '/srv/database'],
      ['the parent', '/srv'],
      ['a relative path, which API and worker would resolve differently', 'srv/data/mnist'],
    ])('refuses %s', (_what, idxDir) => {
      const error = refusal(() => normalizeRun(onIdx(idxDir), limits));
      expect(error.code).toBe('DATASET_NOT_ALLOWED');
      expect(error.message).toMatch(/METAOPT_DATA_DIRS/);
    });

    it('names the sweep cell that is refused, and keeps the code', () => {
      const sweep = {
        base: onIdx('/srv/data/mnist'),
        grid: { 'task.dataset.idxDir': ['/srv/data/a', '/etc'] },
      };
      const error = refusal(() => planSweep(sweep, 'test', limits));
      expect(error.code).toBe('DATASET_NOT_ALLOWED');
      expect(error.issues[0]?.path).toBe('/runs/1/task/dataset/idxDir');
    });
  });

  describe('when no list is given at all, as in the CLI local mode', () => {
    it('accepts any directory: its user owns the files', () => {
      expect(() => normalizeRun(onIdx('/home/me/data'))).not.toThrow();
    });
  });
});

describe('parseDataDirs', () => {
  it('splits on commas, trims, and drops empty entries', () => {
    expect(parseDataDirs(' /srv/data , /mnt/x/,,')).toEqual(['/srv/data', '/mnt/x']);
    expect(parseDataDirs('')).toEqual([]);
  });

  it('refuses a relative directory at start-up, naming the setting', () => {
    expect(() => parseDataDirs('/srv/data,data')).toThrow(/METAOPT_DATA_DIRS.*data/);
  });
});
