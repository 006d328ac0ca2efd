import type { DatasetSplit } from '@metaopt/datasets';

import { invalidConfig } from '../errors.js';
import { mnistTask } from './mnist.js';
import { quadraticTask } from './quadratic.js';
import type { Task, TaskConfig } from './types.js';

/** Makes a task from its settings; `data` is required for (and only used by) mnist. */
export function prepareTask(config: TaskConfig, data?: DatasetSplit): Task {
  switch (config.kind) {
    case 'quadratic':
      return quadraticTask(config);
    case 'mnist':
      return mnistTask(config, data);
    default:
      throw invalidConfig(`unknown task kind ${String((config as { kind?: unknown }).kind)}`);
  }
}
