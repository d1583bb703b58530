/**
 * A local stand-in for the AWS services the Lambdas call over the JSON protocol (SageMaker speaks
 * `x-amz-json-1.1`: POST /, the operation in `X-Amz-Target`). It records every call
 * with its body and answers from a small script; the SDK clients reach it through the standard
 * `AWS_ENDPOINT_URL_<SERVICE>` variables, as the deployed code reaches AWS.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  /** `SageMaker.CreateTrainingJob`, `SageMaker.ListTrainingJobs`, ... */
  target: string;
  body: Record<string, unknown>;
  authorization: string | undefined;
}

export interface AwsJsonEndpoint {
  url: string;
  calls: RecordedCall[];
  /**
   * Answers by target; an answer with a `__type` is an AWS error (HTTP 400, as SageMaker sends
   * `ResourceLimitExceeded`), and a target without one answers 400 UnknownOperationException.
   */
  answers: Map<string, (body: Record<string, unknown>) => unknown>;
  close(): Promise<void>;
}

export async function startAwsJsonEndpoint(): Promise<AwsJsonEndpoint> {
  const endpoint: Omit<AwsJsonEndpoint, 'url' | 'close'> = { calls: [], answers: new Map() };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '');
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    endpoint.calls.push({ target, body, authorization: request.headers.authorization });
    const answer = endpoint.answers.get(target);
    const answered = answer
      ? answer(body)
      : { __type: 'UnknownOperationException', message: `no stand-in answer for ${target}` };
    const status = typeof (answered as { __type?: unknown } | null)?.__type === 'string' ? 400 : 200;
    const json = answered;
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
    response.end(JSON.stringify(json));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
