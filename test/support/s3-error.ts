/** An error as the S3 client throws it for an HTTP answer, e.g. `s3Error('NoSuchKey', 404)`. */
import { S3ServiceException } from '@aws-sdk/client-s3';

export function s3Error(name: string, httpStatusCode: number): S3ServiceException {
  return new S3ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: name });
}
