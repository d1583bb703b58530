/**
 * Custom layers of the ResNet1D, registered with tfjs serialization so a saved model.json loads back
 * (`tf.loadLayersModel` looks classes up by `className`).
 */
import * as tf from '@tensorflow/tfjs';

export interface ChannelZeroPadArgs {
  name?: string;
  /** Zero channels appended after the existing ones. */
  extraChannels: number;
}

/**
 * Appends zero channels to a [batch, time, channels] tensor: the parameter-free identity of a residual
 * block whose filter count doubles (a 1x1 projection would add weights the research's model lacks).
 */
export class ChannelZeroPad extends tf.layers.Layer {
  static readonly className = 'Alpha15ChannelZeroPad';
  readonly extraChannels: number;

  constructor(args: ChannelZeroPadArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.extraChannels = args.extraChannels;
  }

  override computeOutputShape(inputShape: tf.Shape): tf.Shape {
    const [batch, time, channels] = inputShape as [number | null, number | null, number];
    return [batch, time, channels + this.extraChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0]! : inputs;
    return tf.pad(x, [
      [0, 0],
      [0, 0],
      [0, this.extraChannels],
    ]);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), extraChannels: this.extraChannels };
  }
}

tf.serialization.registerClass(ChannelZeroPad);
