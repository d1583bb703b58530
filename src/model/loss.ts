/**
 * The training loss: mean absolute error over the targets that exist.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * sum(|y - ŷ| · mask) / max(sum(mask), 1), with `mask` 1 where a target exists and 0 where its candles
 * are missing. A masked target may hold anything, NaN included: it is replaced by 0 before the
 * difference, so it contributes nothing to the loss and exactly zero gradient (NaN · 0 would be NaN).
 */
export function maskedL1(yTrue: tf.Tensor, yPred: tf.Tensor, mask: tf.Tensor): tf.Scalar {
  return tf.tidy(() => {
    const weights = tf.cast(mask, 'float32');
    const present = tf.greater(weights, 0);
    const target = tf.where(present, yTrue, tf.zerosLike(yTrue));
    const absoluteErrors = tf.mul(tf.abs(tf.sub(target, yPred)), weights);
    return tf.div(tf.sum(absoluteErrors), tf.maximum(tf.sum(weights), 1)) as tf.Scalar;
  });
}
