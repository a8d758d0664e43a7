/**
 * Local playback delivery, as `npm start` runs it: the state folder's key pair, the Secrets Manager
 * emulator holding its private half in the format the AWS secret uses, and the signed-URL server
 * trusting its public half. Returns the environment the signing function reads.
 */
import path from 'node:path';
import { PLAYBACK_ENV } from '#adapters/media/playback-config.ts';
import { secretArnOf, startSecretsManager } from '../emulators/secrets-manager.ts';
import { startPlaybackServer } from './server.ts';
import { localSigningKey } from './signing-key.ts';

/** Name of the local secret (in AWS the stack creates the secret and passes its ARN). */
export const LOCAL_SIGNING_KEY_SECRET = 'marquee-local-playback-signing-key';

export interface LocalPlayback {
  /** The playback server's URL (the CDN's, in AWS). */
  url: string;
  /** PLAYBACK_BASE_URL, PLAYBACK_SIGNING_KEY_SECRET and AWS_ENDPOINT_URL_SECRETS_MANAGER (serving every secret). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalPlayback(options: {
  stateDir: string;
  /** Endpoint of the S3 emulator. */
  s3: string;
  /** Physical name of the bucket served. */
  bucket: string;
  /** Other local secrets the same Secrets Manager emulator serves, by name. */
  otherSecrets?: Record<string, string>;
}): Promise<LocalPlayback> {
  const key = localSigningKey(path.join(options.stateDir, 'playback'));
  const secrets = await startSecretsManager({
    ...options.otherSecrets,
    [LOCAL_SIGNING_KEY_SECRET]: JSON.stringify({ keyPairId: key.keyPairId, privateKey: key.privateKeyPem }),
  });
  const server = await startPlaybackServer({
    s3: options.s3,
    bucket: options.bucket,
    trustedKeys: new Map([[key.keyPairId, key.publicKey]]),
  }).catch(async (error) => {
    await secrets.close();
    throw error;
  });
  return {
    url: server.url,
    env: {
      [PLAYBACK_ENV.baseUrl]: server.url,
      [PLAYBACK_ENV.signingKeySecret]: secretArnOf(LOCAL_SIGNING_KEY_SECRET),
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    },
    close: async () => {
      await server.close();
      await secrets.close();
    },
  };
}
