/**
 * The MNIST classifier of the paper (section 3.2) as a pure function of flat parameters: an
 * MLP with log-softmax output and mean negative log-likelihood, weights laid out (in, out)
 * so that a layer is x·W + b. The flat order mat_0, bias_0, (mat_1, bias_1, …), final_mat,
 * final_bias, each row-major, fixes which coordinate of θ is which weight.
 */
import * as tf from '@tensorflow/tfjs';

import { matMul, matMulOfData } from '../backend/kernels.js';

export type Activation = 'sigmoid' | 'relu';

export interface MlpParam {
  readonly name: string;
  readonly shape: readonly [number, number] | readonly [number];
  /** First coordinate of this parameter in θ. */
  readonly offset: number;
  readonly size: number;
  readonly isBias: boolean;
}

export interface MlpLayout {
  /** Layer widths: input, hidden…, classes. */
  readonly sizes: readonly number[];
  readonly params: readonly MlpParam[];
  readonly nCoords: number;
}

export function mlpLayout(
  inputSize: number,
  hidden: readonly number[],
  classes: number,
): MlpLayout {
  const sizes = [inputSize, ...hidden, classes];
  const params: MlpParam[] = [];
  let offset = 0;
  for (let layer = 0; layer + 1 < sizes.length; layer += 1) {
    const [fanIn, fanOut] = [sizes[layer]!, sizes[layer + 1]!];
    const suffix = layer + 2 === sizes.length ? 'final_' : '';
    const index = suffix ? '' : `_${layer}`;
    params.push({
      name: `${suffix}mat${index}`,
      shape: [fanIn, fanOut],
      offset,
      size: fanIn * fanOut,
      isBias: false,
    });
    offset += fanIn * fanOut;
    params.push({
      name: `${suffix}bias${index}`,
      shape: [fanOut],
      offset,
      size: fanOut,
      isBias: true,
    });
    offset += fanOut;
  }
  return { sizes, params, nCoords: offset };
}

/**
 * theta [P, n], images [P, B, in], oneHot [P, B, classes] → mean NLL per problem [P].
 */
export function mlpLoss(
  layout: MlpLayout,
  activation: Activation,
  theta: tf.Tensor2D,
  images: tf.Tensor3D,
  oneHot: tf.Tensor3D,
): tf.Tensor1D {
  return tf.tidy(() => {
    const problems = theta.shape[0];
    const pieces = tf.split(
      theta,
      layout.params.map((p) => p.size),
      1,
    );
    let a = images;
    for (let layer = 0; layer * 2 < pieces.length; layer += 1) {
      const [fanIn, fanOut] = [layout.sizes[layer]!, layout.sizes[layer + 1]!];
      const mat = tf.reshape(pieces[layer * 2]!, [problems, fanIn, fanOut]) as tf.Tensor3D;
      const bias = tf.reshape(pieces[layer * 2 + 1]!, [problems, 1, fanOut]);
      const product = layer === 0 ? matMulOfData(a, mat) : matMul(a, mat);
      const z = tf.add(product, bias) as tf.Tensor3D;
      const isLast = layer * 2 + 2 === pieces.length;
      a = isLast ? z : activation === 'relu' ? tf.relu(z) : tf.sigmoid(z);
    }
    const logProbs = tf.logSoftmax(a, -1);
    return tf.neg(tf.mean(tf.sum(tf.mul(logProbs, oneHot), 2), 1)) as tf.Tensor1D;
  });
}
