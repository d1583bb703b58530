/**
 * An IAM gate in front of the S3 stand-in: every request is decided as the role of whoever the harness
 * runs at the moment (a Lambda bundle, the training container) against that role's synthesized policies
 * and the bucket policy, before s3rver sees it. A refused request gets S3's own 403 AccessDenied, and
 * is kept for the test to name; a missing key is answered 404 only to a role that may list it, 403
 * otherwise, as S3 does. Requests are forwarded byte for byte, so their signatures still verify.
 */
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { missingKeyListRequest, s3Requests } from './aws-requests.js';
import type { Decision, TemplateAuthorizer } from './authorizer.js';

export interface S3Gate {
  url: string;
  /** The role (logical id) the next requests are made as; undefined lets nothing through. */
  principal: string | undefined;
  /** Whose policies decide (a test may swap in a template with a planted gap). */
  authorizer: TemplateAuthorizer;
  /** Refused requests since the last `takeDenials()`. */
  takeDenials(): Decision[];
  /**
   * The reads let through since the last `takeReads()`, one per request as S3 would bill it:
   * `get <key>` (GET or HEAD of an object) or `list <prefix>` (one page of a listing).
   */
  takeReads(): string[];
  close(): Promise<void>;
}

const accessDenied = (message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>${message.replace(/[<>&]/g, ' ')}</Message></Error>`;

export async function startS3Gate(targetUrl: string, authorizer: TemplateAuthorizer): Promise<S3Gate> {
  const target = new URL(targetUrl);
  let denials: Decision[] = [];
  let reads: string[] = [];
  const gate: Omit<S3Gate, 'url' | 'close'> = {
    principal: undefined,
    authorizer,
    takeDenials: () => {
      const taken = denials;
      denials = [];
      return taken;
    },
    takeReads: () => {
      const taken = reads;
      reads = [];
      return taken;
    },
  };
  const server = createServer(async (incoming, outgoing) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const line = { method: incoming.method ?? 'GET', url: incoming.url ?? '/', headers: incoming.headers };
    const refuse = (decision: Decision) => {
      denials.push(decision);
      outgoing.writeHead(403, { 'content-type': 'application/xml' });
      outgoing.end(
        line.method === 'HEAD'
          ? undefined
          : accessDenied(`rehearsal: ${decision.role} may not ${decision.action} on ${decision.resource}`),
      );
    };
    try {
      const role = gate.principal;
      if (role === undefined)
        throw new Error(`an S3 request arrived with no principal set: ${line.method} ${line.url}`);
      for (const request of s3Requests(line)) {
        const decision = await gate.authorizer.decide(role, request);
        if (decision.result !== 'Allowed') return refuse(decision);
      }
      const [first] = s3Requests(line);
      if (first?.action === 's3:GetObject') reads.push(`get ${first.resource.split('/').slice(1).join('/')}`);
      if (first?.action === 's3:ListBucket') reads.push(`list ${first.context?.['s3:prefix'] ?? ''}`);
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: line.method,
          path: line.url,
          headers: incoming.headers,
        },
        async (answer) => {
          const isObjectRead =
            (line.method === 'GET' || line.method === 'HEAD') &&
            s3Requests(line)[0]!.action === 's3:GetObject';
          if (answer.statusCode === 404 && isObjectRead) {
            const listing = await gate.authorizer.decide(
              role,
              missingKeyListRequest(s3Requests(line)[0]!.resource),
            );
            if (listing.result !== 'Allowed') {
              answer.resume();
              return refuse(listing);
            }
          }
          outgoing.writeHead(answer.statusCode ?? 500, answer.headers);
          answer.pipe(outgoing);
        },
      );
      forwarded.on('error', (error) => {
        outgoing.writeHead(502);
        outgoing.end(String(error));
      });
      forwarded.end(body);
    } catch (error) {
      denials.push({
        role: gate.principal ?? '(none)',
        action: '?',
        resource: line.url,
        result: 'SimulationError',
        detail: String(error),
      });
      outgoing.writeHead(500, { 'content-type': 'text/plain' });
      outgoing.end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(gate, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
