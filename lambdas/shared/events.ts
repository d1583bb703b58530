/**
 * Schemas of the EventBridge events the handlers receive. Only the fields we use are required;
 * everything else AWS sends passes through untouched.
 */
import { z } from 'zod';
import { Alpha15Error } from '../../src/errors.js';

export class UnexpectedEventError extends Alpha15Error {
  readonly code = 'UNEXPECTED_EVENT';
}

const isoTime = z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'an ISO-8601 time');

/** `Scheduled Event` of an EventBridge schedule rule; `time` is the scheduled minute. */
export const scheduledEventSchema = z.looseObject({
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  time: isoTime,
});
export type ScheduledEvent = z.infer<typeof scheduledEventSchema>;

/** S3 `Object Created` delivered through EventBridge (bucket with eventBridgeEnabled). */
export const objectCreatedEventSchema = z.looseObject({
  'detail-type': z.literal('Object Created'),
  source: z.literal('aws.s3'),
  time: isoTime,
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().min(3) }),
    // keys arrive URL-encoded in S3 event notifications
    object: z.looseObject({
      key: z
        .string()
        .min(1)
        .transform((key) => decodeURIComponent(key.replace(/\+/g, ' '))),
    }),
  }),
});
export type ObjectCreatedEvent = z.infer<typeof objectCreatedEventSchema>;

export const TRAINING_JOB_FINAL_STATES = ['Completed', 'Failed', 'Stopped'] as const;

/** `SageMaker Training Job State Change`: the detail is the DescribeTrainingJob shape. */
export const trainingJobStateChangeSchema = z.looseObject({
  'detail-type': z.literal('SageMaker Training Job State Change'),
  source: z.literal('aws.sagemaker'),
  time: isoTime,
  detail: z.looseObject({
    TrainingJobName: z.string().min(1),
    TrainingJobStatus: z.enum(['InProgress', 'Completed', 'Failed', 'Stopping', 'Stopped']),
    FailureReason: z.string().optional(),
    HyperParameters: z.record(z.string(), z.string()).optional(),
  }),
});
export type TrainingJobStateChange = z.infer<typeof trainingJobStateChangeSchema>;

/** `SageMaker HyperParameter Tuning Job State Change`: the best trial is looked up with DescribeHyperParameterTuningJob. */
export const tuningJobStateChangeSchema = z.looseObject({
  'detail-type': z.literal('SageMaker HyperParameter Tuning Job State Change'),
  source: z.literal('aws.sagemaker'),
  time: isoTime,
  detail: z.looseObject({
    HyperParameterTuningJobName: z.string().min(1),
    HyperParameterTuningJobStatus: z.enum([
      'Completed',
      'InProgress',
      'Failed',
      'Stopped',
      'Stopping',
      'Deleting',
      'DeleteFailed',
    ]),
  }),
});
export type TuningJobStateChange = z.infer<typeof tuningJobStateChangeSchema>;

export function parseEvent<Schema extends z.ZodType>(
  schema: Schema,
  event: unknown,
  what: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UnexpectedEventError(
      `not ${what}: ${issue.path.join('.') || '(root)'} ${issue.message}`,
      'check the EventBridge rule that targets this function',
    );
  }
  return parsed.data;
}
