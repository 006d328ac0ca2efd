/**
 * stop_gradient for TF.js, which has none. `detach(x)` is a new tensor on the same data with
 * no tape node linking it to x, so backpropagation treats it as a constant and, unlike a
 * customGrad with a zero gradient, never even visits the graph that produced x.
 */
import * as tf from '@tensorflow/tfjs';

/** The same values as x [any shape], cut from the gradient tape; share x's data (no copy). */
export function detach<T extends tf.Tensor>(x: T): T {
  const backend = tf.backend();
  // incRef keeps the shared data alive until both tensors are disposed: this is how the
  // backends' own Identity kernels alias a tensor. The engine call records no tape node.
  backend.incRef(x.dataId);
  const { dataId, shape, dtype } = x;
  return tf.engine().makeTensorFromTensorInfo({ dataId, shape, dtype }, backend) as T;
}
