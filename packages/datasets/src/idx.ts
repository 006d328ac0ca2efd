/**
 * A reader for the IDX format MNIST and its look-alikes ship in: a 4-byte magic number
 * (two zero bytes, a type code, the number of dimensions), one big-endian uint32 per
 * dimension, then the values in row-major order. Only unsigned bytes (type 0x08) are read:
 * that is what every MNIST-format image and label file uses.
 */
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';

import { DatasetError, DatasetErrorCode } from './errors.js';
import type { DatasetSplit, LabeledImages } from './types.js';

const gunzipAsync = promisify(gunzip);

const IDX_TYPE_UNSIGNED_BYTE = 0x08;
const GZIP_MAGIC = [0x1f, 0x8b] as const;

/** The four files of a split, by the names the MNIST distribution gave them. */
const IDX_FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** An IDX array of unsigned bytes: `data` is row-major with shape `dims`. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

function corrupt(file: string, problem: string, cause?: unknown): DatasetError {
  return new DatasetError(DatasetErrorCode.CORRUPT, `${file}: ${problem}`, { path: file, cause });
}

/**
 * Decodes one IDX byte array. `file` only names the source in errors. Rejects a wrong magic
 * number, an unsupported type, a header or body cut short, and bytes left over after the body
 * (a sign that two files were concatenated or the dimensions are wrong).
 */
export function parseIdx(bytes: Uint8Array, file: string): IdxArray {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw corrupt(file, 'not an IDX file (its magic number does not start with two zero bytes)');
  }
  const typeCode = bytes[2]!;
  if (typeCode !== IDX_TYPE_UNSIGNED_BYTE) {
    const hex = `0x${typeCode.toString(16).padStart(2, '0')}`;
    throw corrupt(file, `IDX type ${hex} is not supported, only unsigned bytes (0x08)`);
  }

  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (rank === 0 || bytes.length < headerBytes) {
    throw corrupt(file, `IDX header for ${rank} dimensions is cut short`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let axis = 0; axis < rank; axis += 1) dims.push(view.getUint32(4 + 4 * axis, false));

  const bodyBytes = dims.reduce((product, size) => product * size, 1);
  const actualBytes = bytes.length - headerBytes;
  if (actualBytes !== bodyBytes) {
    const shape = dims.join('×');
    const how = actualBytes < bodyBytes ? 'truncated' : 'followed by extra bytes';
    throw corrupt(file, `${how}: shape ${shape} needs ${bodyBytes} bytes, found ${actualBytes}`);
  }
  return { dims, data: bytes.subarray(headerBytes) };
}

/** Reads and decodes one IDX file, inflating it first when it starts with gzip's magic. */
export async function readIdxFile(file: string): Promise<IdxArray> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new DatasetError(DatasetErrorCode.NOT_FOUND, `${file}: no such file`, {
        path: file,
        cause: err,
      });
    }
    throw corrupt(file, `cannot be read (${code ?? 'unknown error'})`, err);
  }

  // Sniffing the bytes rather than trusting the `.gz` suffix: files get gunzipped in place
  // and keep their name, or get compressed and lose it.
  if (bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1]) {
    try {
      bytes = await gunzipAsync(bytes);
    } catch (err) {
      throw corrupt(file, 'gzip data is damaged', err);
    }
  }
  return parseIdx(bytes, file);
}

/** 256 entries so scaling a 47-million-pixel file is a table look-up, not a division each. */
const PIXEL_SCALE = Float32Array.from({ length: 256 }, (_, value) => value / 255);

/**
 * Joins an image file (`[count, rows, cols]`) and a label file (`[count]`) into labeled
 * images with pixels in 0..1. `classCount` is left for the caller, which sees both splits.
 */
function toLabeledImages(
  images: IdxArray,
  labels: IdxArray,
  files: { images: string; labels: string },
): Omit<LabeledImages, 'classCount'> {
  if (images.dims.length !== 3) {
    throw corrupt(
      files.images,
      `expected 3 dimensions (count, rows, cols), found ${images.dims.length}`,
    );
  }
  if (labels.dims.length !== 1) {
    throw corrupt(files.labels, `expected 1 dimension (count), found ${labels.dims.length}`);
  }
  const [count, rows, cols] = images.dims as [number, number, number];
  if (count === 0 || rows === 0 || cols === 0) {
    throw corrupt(files.images, `holds no pixels (shape ${count}×${rows}×${cols})`);
  }
  if (labels.dims[0] !== count) {
    throw corrupt(
      files.labels,
      `has ${labels.dims[0]} labels but ${files.images} has ${count} images`,
    );
  }

  const pixels = new Float32Array(images.data.length);
  for (let i = 0; i < pixels.length; i += 1) pixels[i] = PIXEL_SCALE[images.data[i]!]!;
  return {
    count,
    pixelsPerImage: rows * cols,
    images: pixels,
    labels: Uint8Array.from(labels.data),
  };
}

/** The first of `name`, `name.gz` and their dotted spellings (`train-images.idx3-ubyte`). */
async function findIdxFile(dir: string, name: string): Promise<string> {
  const dotted = name.replace('-idx', '.idx');
  const candidates = [name, `${name}.gz`, dotted, `${dotted}.gz`];
  for (const candidate of candidates) {
    const file = join(dir, candidate);
    const found = await stat(file).then(
      (info) => info.isFile(),
      () => false,
    );
    if (found) return file;
  }
  throw new DatasetError(
    DatasetErrorCode.NOT_FOUND,
    `${dir}: no ${name} file (looked for ${candidates.join(', ')})`,
    { path: join(dir, name) },
  );
}

async function assertDirectory(dir: string): Promise<void> {
  const isDirectory = await stat(dir).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new DatasetError(DatasetErrorCode.NOT_FOUND, `${dir}: no such directory`, { path: dir });
  }
}

async function loadIdxPair(dir: string, imagesName: string, labelsName: string) {
  const files = {
    images: await findIdxFile(dir, imagesName),
    labels: await findIdxFile(dir, labelsName),
  };
  const [images, labels] = await Promise.all([
    readIdxFile(files.images),
    readIdxFile(files.labels),
  ]);
  return { files, set: toLabeledImages(images, labels, files) };
}

export interface LoadIdxDirectoryOptions {
  /** The split's `name`; defaults to the directory's base name. */
  readonly name?: string;
}

/**
 * Loads an MNIST-format directory: `train` from the `train-*` files, `test` from the `t10k-*`
 * files, each plain or gzipped. `classCount` is one more than the largest label in either
 * split, so both splits agree on it even when one lacks the last class.
 */
export async function loadIdxDirectory(
  dir: string,
  options: LoadIdxDirectoryOptions = {},
): Promise<DatasetSplit> {
  const root = resolve(dir);
  await assertDirectory(root);

  const [train, test] = await Promise.all([
    loadIdxPair(root, IDX_FILES.trainImages, IDX_FILES.trainLabels),
    loadIdxPair(root, IDX_FILES.testImages, IDX_FILES.testLabels),
  ]);

  if (train.set.pixelsPerImage !== test.set.pixelsPerImage) {
    const sizes = `${train.set.pixelsPerImage} vs ${test.set.pixelsPerImage} pixels per image`;
    throw corrupt(test.files.images, `image size differs from ${train.files.images} (${sizes})`);
  }

  const classCount = Math.max(maxLabel(train.set.labels), maxLabel(test.set.labels)) + 1;
  return {
    name: options.name ?? basename(root),
    train: { ...train.set, classCount },
    test: { ...test.set, classCount },
  };
}

function maxLabel(labels: Uint8Array): number {
  let max = 0;
  for (const label of labels) if (label > max) max = label;
  return max;
}
