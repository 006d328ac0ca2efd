import { describe, expect, it } from 'vitest';
import { sampleSteps } from '../src/downsample.js';

describe('sampleSteps', () => {
  describe('when there are no more steps than maxPoints', () => {
    it('keeps every step', () => {
      expect(sampleSteps(4, 4)).toEqual([0, 1, 2, 3]);
      expect(sampleSteps(3)).toEqual([0, 1, 2]);
      expect(sampleSteps(0, 2)).toEqual([]);
    });
  });

  describe('when there are more steps than maxPoints', () => {
    it('picks evenly spaced steps, first and last included', () => {
      // spacing (5 - 1) / (4 - 1) = 4/3: round(0, 1.33, 2.67, 4) = 0, 1, 3, 4
      expect(sampleSteps(5, 4)).toEqual([0, 1, 3, 4]);
      expect(sampleSteps(1000, 2)).toEqual([0, 999]);
    });

    it('returns exactly maxPoints distinct ascending steps for every size', () => {
      for (let steps = 2; steps <= 300; steps += 1) {
        for (const maxPoints of [2, 3, 5, 17, 100, 299]) {
          const picked = sampleSteps(steps, maxPoints);
          expect(picked).toHaveLength(Math.min(steps, maxPoints));
          expect(picked[0]).toBe(0);
          expect(picked.at(-1)).toBe(steps - 1);
          expect(picked.every((s, i) => i === 0 || s > picked[i - 1]!)).toBe(true);
        }
      }
    });
  });

  it.each([1, 0, -3, 2.5, Number.NaN])('refuses maxPoints %s', (maxPoints) => {
    expect(() => sampleSteps(10, maxPoints)).toThrow(
      expect.objectContaining({ code: 'STORE_INVALID_INPUT' }),
    );
  });
});
