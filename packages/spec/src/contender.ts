import type { RunSpec } from './types.js';

/**
 * The name a run competes under in a comparison: a baseline by its optimizer, an evaluated
 * learned optimizer as `lstm`. Meta-training runs produce optimizers; they do not compete.
 */
export function contenderOf(spec: RunSpec): string | null {
  switch (spec.kind) {
    case 'baseline':
      return spec.optimizer.name;
    case 'evaluate':
      return 'lstm';
    case 'meta-train':
      return null;
  }
}
