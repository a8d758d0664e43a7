/**
 * Just enough of Secrets Manager for the local platform: GetSecretValue (awsJson1_1 on the wire) of
 * the secrets it is started with, found by name or by the ARN `secretArnOf` gives. The handlers'
 * SDK client reaches it through AWS_ENDPOINT_URL_SECRETS_MANAGER, as other clients reach their
 * emulators; every other operation answers UnknownOperationException.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../loopback.ts';

export interface RunningSecretsManager {
  endpoint: string;
  close(): Promise<void>;
}

/** The ARN the local account gives a secret named `name`. */
export const secretArnOf = (name: string): string =>
  `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;

function reply(response: ServerResponse, status: number, body: Record<string, unknown>): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSecretsManager(secrets: Record<string, string>): Promise<RunningSecretsManager> {
  const createdDate = Date.now() / 1000;
  const server = createServer(async (request, response) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    if (request.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
      reply(response, 400, { __type: 'UnknownOperationException', message: `${target || 'no target'}` });
      return;
    }
    let secretId = '';
    try {
      secretId = String((JSON.parse(await readBody(request)) as { SecretId?: unknown }).SecretId ?? '');
    } catch {
      reply(response, 400, { __type: 'SerializationException', message: 'the body is not JSON' });
      return;
    }
    const name = secretId.startsWith('arn:') ? secretId.slice(secretArnOf('').length) : secretId;
    if (!(name in secrets)) {
      reply(response, 400, {
        __type: 'ResourceNotFoundException',
        message: "Secrets Manager can't find the specified secret.",
      });
      return;
    }
    reply(response, 200, {
      ARN: secretArnOf(name),
      Name: name,
      SecretString: secrets[name],
      VersionId: 'local',
      VersionStages: ['AWSCURRENT'],
      CreatedDate: createdDate,
    });
  });
  const listening = await listenOnLoopback(server);
  return { endpoint: listening.url, close: listening.close };
}
