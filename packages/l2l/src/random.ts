/**
 * The one source of randomness of the numerics: xoroshiro128+ from pure-rand, whose whole
 * state is four int32s, so a checkpoint can store it and a resumed run draws the same numbers.
 * Everything random (LSTM initial weights, problems, minibatches) is drawn here in JS and then
 * uploaded, so the draws do not depend on the TensorFlow.js backend.
 */
import { type RandomGenerator, unsafeUniformIntDistribution, xoroshiro128plus } from 'pure-rand';

import { invalidConfig } from './errors.js';

const TWO_POW_32 = 2 ** 32;

export class Random {
  private constructor(private readonly rng: RandomGenerator) {}

  /** Any safe integer seed; both 32-bit halves count, mixed so that nearby seeds diverge. */
  static fromSeed(seed: number): Random {
    if (!Number.isSafeInteger(seed)) throw invalidConfig(`seed must be a safe integer: ${seed}`);
    const lo = seed >>> 0;
    const hi = Math.floor(seed / TWO_POW_32) >>> 0;
    const words = [mix32(lo, 1), mix32(hi, 2), mix32(lo ^ 0x5bd1e995, hi + 3), mix32(hi, lo + 4)];
    // xoroshiro's one forbidden state is all zeros.
    if (!words.some((w) => w !== 0)) words[0] = 1;
    return new Random(xoroshiro128plus.fromState(words));
  }

  static fromState(state: readonly number[]): Random {
    return new Random(xoroshiro128plus.fromState(state));
  }

  /** Four int32s; `Random.fromState` continues the same sequence. */
  state(): number[] {
    return [...this.rng.getState()];
  }

  uint32(): number {
    return this.rng.unsafeNext() >>> 0;
  }

  /** Uniform in [0, n), unbiased. */
  int(n: number): number {
    return unsafeUniformIntDistribution(0, n - 1, this.rng);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.uint32() >>> 5;
    const lo = this.uint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Fills `out` with `scale`·N(0, 1) by Box–Muller, using both values of each pair. */
  fillNormal(out: Float32Array, scale = 1, from = 0, to = out.length): void {
    for (let i = from; i < to; i += 2) {
      const radius = Math.sqrt(-2 * Math.log(1 - this.uniform())) * scale;
      const angle = 2 * Math.PI * this.uniform();
      out[i] = radius * Math.cos(angle);
      if (i + 1 < to) out[i + 1] = radius * Math.sin(angle);
    }
  }

  /** Fills `out` with values uniform in [low, high). */
  fillUniform(out: Float32Array, low: number, high: number): void {
    for (let i = 0; i < out.length; i += 1) out[i] = low + (high - low) * this.uniform();
  }
}

/** Seeds of `count` independent problems: the first `count` draws of `Random.fromSeed(seed)`. */
export function problemSeeds(seed: number, count: number): number[] {
  const random = Random.fromSeed(seed);
  return Array.from({ length: count }, () => random.uint32());
}

/** A murmur3-style finalizer of (x, salt): spreads every input bit over the output word. */
function mix32(x: number, salt: number): number {
  let h = Math.imul(x ^ Math.imul(salt, 0x9e3779b9), 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
