/**
 * `tf.tidy` and `tf.dispose` for our own typed containers: TF.js types them with an index
 * signature that interfaces lack, though at run time it walks any object or array.
 */
import * as tf from '@tensorflow/tfjs';

export function tidy<T>(fn: () => T): T {
  return tf.tidy(fn as () => tf.TensorContainer) as T;
}

export function dispose(container: unknown): void {
  tf.dispose(container as tf.TensorContainer);
}
