export type { LabeledImages, DatasetSplit } from './types.js';
