/** Writes small MNIST-format directories for the tests, in the layout the reader expects. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** IDX bytes of unsigned-byte values with shape `dims` (type 0x08, big-endian sizes). */
export function encodeIdx(dims: readonly number[], values: ArrayLike<number>): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((size, axis) => view.setUint32(4 + 4 * axis, size, false));
  const bytes = new Uint8Array(header.length + values.length);
  bytes.set(header);
  bytes.set(Uint8Array.from(values), header.length);
  return bytes;
}

export interface TinySet {
  readonly rows: number;
  readonly cols: number;
  /** One array of `rows * cols` raw bytes per image. */
  readonly images: readonly (readonly number[])[];
  readonly labels: readonly number[];
}

/** Image `i` of a tiny set: every pixel derived from `i`, so images are told apart by value. */
export function tinySet(count: number, rows = 2, cols = 3, classes = 10): TinySet {
  const images = Array.from({ length: count }, (_, i) =>
    Array.from({ length: rows * cols }, (_, p) => (i * 37 + p * 11) % 256),
  );
  return { rows, cols, images, labels: images.map((_, i) => i % classes) };
}

export async function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `metaopt-datasets-${prefix}-`));
}

/** Writes a set as `<prefix>-images-idx3-ubyte` and `<prefix>-labels-idx1-ubyte`. */
export async function writeSet(
  dir: string,
  prefix: 'train' | 't10k',
  set: TinySet,
  options: { gzip?: boolean } = {},
): Promise<{ images: string; labels: string }> {
  const suffix = options.gzip ? '.gz' : '';
  const pack = (bytes: Uint8Array) => (options.gzip ? gzipSync(bytes) : bytes);
  const files = {
    images: join(dir, `${prefix}-images-idx3-ubyte${suffix}`),
    labels: join(dir, `${prefix}-labels-idx1-ubyte${suffix}`),
  };
  const pixels = set.images.flat();
  await writeFile(files.images, pack(encodeIdx([set.images.length, set.rows, set.cols], pixels)));
  await writeFile(files.labels, pack(encodeIdx([set.labels.length], set.labels)));
  return files;
}
