/**
 * Adam whose learning rate can be lowered in place (reduce-on-plateau keeps the moment estimates) and
 * whose whole state can be read out and put back, so a training run resumed from a checkpoint takes
 * exactly the steps the uninterrupted run would have taken.
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

/** The bias-correction powers tfjs keeps in private fields of AdamOptimizer. */
interface BiasCorrectionPowers {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

export class ResumableAdam extends tf.AdamOptimizer {
  get rate(): number {
    return this.learningRate;
  }
  set rate(value: number) {
    this.learningRate = value;
  }

  async captureState(): Promise<AdamState> {
    // [iterations, first moments..., second moments...], tfjs's own (Keras-compatible) layout
    const [iterations, ...moments] = await this.getWeights();
    // async reads: WebGPU in Node cannot read synchronously
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
