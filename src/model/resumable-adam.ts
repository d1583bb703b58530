/**
 * Adam whose learning rate can be lowered in place (reduce-on-plateau keeps the moment estimates) and
 * whose whole state can be read out and put back, so a training run resumed from a checkpoint takes
 * exactly the steps the uninterrupted run would have taken.
 *
 * Where the backend has the fused Adam kernels (WebGPU: kernels/webgpu/adam.ts), a step updates each
 * variable in three passes (first moment, second moment, the weight) instead of tfjs's fifteen
 * elementwise kernels, all on the device. The state is the same tensors either way (tfjs's moment
 * variables and bias-correction powers), so capture and restore do not care which path ran.
 */
import * as tf from '@tensorflow/tfjs';

/** Adam's state after `iterations` steps; moments in the order of the variables passed to minimize. */
export interface AdamState {
  iterations: number;
  /** beta1^(t+1) and beta2^(t+1) as the optimizer holds them (float32 running products). */
  accBeta1: number;
  accBeta2: number;
  /** One shape per variable; both moment lists follow it. */
  shapes: number[][];
  firstMoments: Float32Array[];
  secondMoments: Float32Array[];
}

/** moment · decay + g · (1 - decay), or g² in place of g when `squared`. */
export const ADAM_MOMENT_KERNEL = 'Alpha15AdamMoment';
/** value - learningRate · m̂ / (sqrt(v̂) + epsilon), bias-corrected by the accBeta inputs. */
export const ADAM_STEP_KERNEL = 'Alpha15AdamStep';

/** The bias-correction powers tfjs keeps in private fields of AdamOptimizer. */
interface BiasCorrectionPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/** AdamOptimizer's private moment lists, created on the first step as applyGradients does. */
interface AdamMoments {
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
}

export class ResumableAdam extends tf.AdamOptimizer {
  get rate(): number {
    return this.learningRate;
  }
  set rate(value: number) {
    this.learningRate = value;
  }

  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    if (tf.getKernel(ADAM_STEP_KERNEL, tf.getBackend()) === undefined) {
      super.applyGradients(variableGradients);
      return;
    }
    const gradients = Array.isArray(variableGradients)
      ? variableGradients
      : Object.entries(variableGradients).map(([name, tensor]) => ({ name, tensor }));
    const moments = this as unknown as AdamMoments;
    const powers = this.biasCorrectionPowers();
    const run = (kernel: string, inputs: tf.NamedTensorMap, attrs: tf.NamedAttrMap): tf.Tensor =>
      tf.engine().runKernel(kernel, inputs, attrs);
    tf.tidy(() => {
      gradients.forEach(({ name, tensor: gradient }, at) => {
        const value = tf.engine().registeredVariables[name]!;
        const momentOf = (list: AdamMoments['accumulatedFirstMoment'], suffix: string) =>
          (list[at] ??= {
            originalName: `${name}/${suffix}`,
            variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
          }).variable;
        const firstMoment = momentOf(moments.accumulatedFirstMoment, 'm');
        const secondMoment = momentOf(moments.accumulatedSecondMoment, 'v');
        const newFirst = run(
          ADAM_MOMENT_KERNEL,
          { moment: firstMoment, gradient },
          { decay: this.beta1, squared: false },
        );
        const newSecond = run(
          ADAM_MOMENT_KERNEL,
          { moment: secondMoment, gradient },
          { decay: this.beta2, squared: true },
        );
        const newValue = run(
          ADAM_STEP_KERNEL,
          {
            value,
            firstMoment: newFirst,
            secondMoment: newSecond,
            accBeta1: powers.accBeta1,
            accBeta2: powers.accBeta2,
          },
          { learningRate: this.learningRate, epsilon: this.epsilon },
        );
        firstMoment.assign(newFirst);
        secondMoment.assign(newSecond);
        value.assign(newValue);
      });
      powers.accBeta1.assign(tf.mul(powers.accBeta1, this.beta1));
      powers.accBeta2.assign(tf.mul(powers.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }

  async captureState(): Promise<AdamState> {
    // [iterations, first moments..., second moments...], tfjs's own (Keras-compatible) layout
    const [iterations, ...moments] = await this.getWeights();
    // data(), not dataSync(): a GPU backend reads only asynchronously
    const iterationCount = (await iterations!.tensor.data())[0]!;
    iterations!.tensor.dispose();
    const values = await Promise.all(
      moments.map(async (moment) => ((await moment.tensor.data()) as Float32Array).slice()),
    );
    const powers = this.biasCorrectionPowers();
    return {
      iterations: iterationCount,
      accBeta1: (await powers.accBeta1.data())[0]!,
      accBeta2: (await powers.accBeta2.data())[0]!,
      shapes: moments.slice(0, values.length / 2).map((moment) => [...moment.tensor.shape]),
      firstMoments: values.slice(0, values.length / 2),
      secondMoments: values.slice(values.length / 2),
    };
  }

  /** Puts a captured state back; minimize must be given the same variables in the same order. */
  async restoreState(state: AdamState): Promise<void> {
    const { shapes } = state;
    const moments = [...state.firstMoments, ...state.secondMoments];
    const named = [
      { name: 'iter', tensor: tf.scalar(state.iterations, 'int32') },
      ...moments.map((values, at) => ({
        name: `${at < shapes.length ? 'm' : 'v'}${at % shapes.length}`,
        tensor: tf.tensor(values, shapes[at % shapes.length]),
      })),
    ];
    await this.setWeights(named);
    tf.dispose(named.map((entry) => entry.tensor));
    // setWeights recomputes beta^(t+1) with pow(), which is not bit-identical to the running product
    // the uninterrupted optimizer holds; the captured values are, so the resumed steps match exactly.
    const powers = this.biasCorrectionPowers();
    tf.tidy(() => {
      powers.accBeta1.assign(tf.scalar(state.accBeta1));
      powers.accBeta2.assign(tf.scalar(state.accBeta2));
    });
  }

  private biasCorrectionPowers(): BiasCorrectionPowers {
    return this as unknown as BiasCorrectionPowers;
  }
}
