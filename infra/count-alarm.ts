/**
 * The alarm on a count one of our Lambdas emits as a custom metric (the Alpha15 namespace, its service
 * dimension): it fires at the first one in a period and notifies once per breach; a period without the
 * metric is fine.
 */
import type { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../src/contracts/metrics.js';

export interface CountAlarmProps {
  description: string;
  metricName: string;
  /** The Powertools service name of the emitting Lambda (its `service` dimension). */
  service: string;
  period: Duration;
}

export function countAlarm(scope: Construct, id: string, props: CountAlarmProps): cloudwatch.Alarm {
  return new cloudwatch.Alarm(scope, id, {
    alarmDescription: props.description,
    metric: new cloudwatch.Metric({
      namespace: METRICS_NAMESPACE,
      metricName: props.metricName,
      dimensionsMap: { service: props.service },
      statistic: 'Sum',
      period: props.period,
    }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
}
