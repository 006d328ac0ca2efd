/**
 * Images with one label each, as the numerics consume them: `images` is row-major
 * `[count, pixelsPerImage]` with values in 0..1, `labels[i]` is the class of image i.
 */
export interface LabeledImages {
  readonly count: number;
  readonly pixelsPerImage: number;
  readonly classCount: number;
  readonly images: Float32Array;
  readonly labels: Uint8Array;
}

/**
 * The reference's split: meta-training problems draw their minibatches from `train`, the
 * evaluation (test) problems from `test`, so a learned optimizer is scored on digits it
 * never saw while it was trained.
 */
export interface DatasetSplit {
  readonly name: string;
  readonly train: LabeledImages;
  readonly test: LabeledImages;
}
