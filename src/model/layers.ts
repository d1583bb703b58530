/**
 * Custom layers of the ResNet1D, registered with tfjs serialization so a saved model.json loads back
 * (`tf.loadLayersModel` looks classes up by `className`).
 */
import * as tf from '@tensorflow/tfjs';
import { paddedChannels, residualAdd } from './residual-add.js';
import { silu } from './silu.js';

export interface ChannelZeroPadArgs {
  name?: string;
  /** Zero channels appended after the existing ones. */
  extraChannels: number;
}

/**
 * Appends zero channels to a [batch, time, channels] tensor: the parameter-free identity of a residual
 * block whose filter count doubles (a 1x1 projection would add weights the research's model lacks).
 * Models built now pad inside ResidualAdd; this stays so that models saved before it load.
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

/**
 * A residual block's sum, [main, identity] → main + identity, the identity's channels zero-padded up to
 * the main branch's first when the block widens: the parameter-free identity (a 1x1 projection would add
 * weights the research's model lacks). One op (residual-add.ts), which on WebGPU is one pass where a
 * ChannelZeroPad and an Add layer took two; the same numbers as that pair everywhere else.
 */
export class ResidualAdd extends tf.layers.Layer {
  static readonly className = 'Alpha15ResidualAdd';

  constructor(args: { name?: string } = {}) {
    super(args.name === undefined ? {} : { name: args.name });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [main, identity] = inputShape as [tf.Shape, tf.Shape];
    // checks the pair now, at model building, rather than at the first batch
    paddedChannels(
      main.map((size) => size ?? -1),
      identity.map((size) => size ?? -1),
    );
    return main;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const [main, identity] = inputs as [tf.Tensor, tf.Tensor];
    return tf.tidy(() => residualAdd(main, identity));
  }
}

tf.serialization.registerClass(ResidualAdd);

/**
 * SiLU (x · sigmoid(x)), the ResNet1D's activation, as one op (silu.ts) where the backend has a kernel
 * for it. It computes what tf.layers.activation({ activation: 'swish' }) does, which models saved before
 * it still use.
 */
export class SiLU extends tf.layers.Layer {
  static readonly className = 'Alpha15SiLU';

  constructor(args: { name?: string } = {}) {
    super(args.name === undefined ? {} : { name: args.name });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => silu(Array.isArray(inputs) ? inputs[0]! : inputs));
  }
}

tf.serialization.registerClass(SiLU);

type Initializer = ReturnType<typeof tf.initializers.zeros>;

export interface FusedConv1DArgs {
  name?: string;
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  /** Only used when the layer is built fresh; a loaded model's weights replace it. */
  kernelInitializer?: Initializer;
}

/**
 * A 1-D conv with its bias fused into the conv kernel (tf.fused.conv2d on a height-1 image): XNNPACK
 * adds the bias while it writes the output, where tf.layers.conv1d runs the conv and then a separate
 * bias add over the whole output. Same weights (`<name>/kernel` [k, Cin, F], `<name>/bias` [F]) and the
 * same numbers.
 */
export class FusedConv1D extends tf.layers.Layer {
  static readonly className = 'Alpha15FusedConv1D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  private readonly kernelInitializer: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: FusedConv1DArgs) {
    super(args.name === undefined ? {} : { name: args.name });
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'same';
    this.kernelInitializer = args.kernelInitializer ?? tf.initializers.glorotUniform({});
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = (inputShape as tf.Shape)[2]!;
    this.kernel = this.addWeight(
      'kernel',
      [this.kernelSize, channels, this.filters],
      'float32',
      this.kernelInitializer,
    );
    this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape): tf.Shape {
    const [batch, time, ,] = inputShape as [number | null, number | null, number];
    if (time === null) return [batch, null, this.filters];
    const span = this.padding === 'same' ? time : time - this.kernelSize + 1;
    return [batch, Math.ceil(span / this.strides), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [batch, time, channels] = x.shape as [number, number, number];
      const output = tf.fused.conv2d({
        x: tf.reshape(x, [batch, 1, time, channels]) as tf.Tensor4D,
        filter: tf.reshape(this.kernel!.read(), [1, this.kernelSize, channels, this.filters]) as tf.Tensor4D,
        strides: [1, this.strides],
        pad: this.padding,
        bias: this.bias!.read(),
      });
      return tf.reshape(output, [batch, output.shape[2], this.filters]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
    };
  }
}

tf.serialization.registerClass(FusedConv1D);
