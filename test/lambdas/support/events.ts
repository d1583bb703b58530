/** EventBridge events as AWS delivers them, for the handlers' schemas. */
export function scheduledEvent(time: string) {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: [],
    detail: {},
  };
}

export function objectCreatedEvent(bucket: string, key: string, time = '2026-11-24T18:30:00Z') {
  return {
    version: '0',
    id: 'e-2',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account: '123456789012',
    time,
    region: 'eu-west-1',
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size: 100 },
      reason: 'PutObject',
    },
  };
}

export function trainingJobStateChange(
  jobName: string,
  status: 'Completed' | 'Failed' | 'Stopped',
  failureReason?: string,
) {
  return {
    version: '0',
    id: 'e-3',
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: '123456789012',
    time: '2026-11-24T20:00:00Z',
    region: 'eu-west-1',
    resources: [`arn:aws:sagemaker:eu-west-1:123456789012:training-job/${jobName}`],
    detail: {
      TrainingJobName: jobName,
      TrainingJobStatus: status,
      SecondaryStatus: status,
      ...(failureReason ? { FailureReason: failureReason } : {}),
      HyperParameters: { jobName },
    },
  };
}

/** The parts of a Lambda context the Powertools middlewares read. */
export const lambdaContext = {
  functionName: 'test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:test',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/test',
  logStreamName: 's',
  callbackWaitsForEmptyEventLoop: true,
  getRemainingTimeInMillis: () => 30_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
};
