/**
 * The signing function's key source against the local Secrets Manager emulator over real HTTP:
 * one read per cache period, a rotated key picked up after it, and a missing or malformed secret
 * reported as a DependencyError (a deployment fault, never the caller's) without echoing the key.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SigningKeySecret } from '#adapters/media/signing-key-secret.ts';
import { DependencyError } from '#domain/errors.ts';
import {
  type RunningSecretsManager,
  secretArnOf,
  startSecretsManager,
} from '#local/emulators/secrets-manager.ts';

const pem = () =>
  generateKeyPairSync('rsa', { modulusLength: 2048 })
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
const first = { keyPairId: 'KFIRSTKEY00001', privateKey: pem() };
const next = { keyPairId: 'KNEXTKEY000002', privateKey: pem() };

describe('signing key secret', () => {
  let secrets: RunningSecretsManager;
  const values: Record<string, string> = {
    playback: JSON.stringify(first),
    garbled: JSON.stringify({ keyPairId: 'KFIRSTKEY00001', privateKey: 'not a key' }),
  };
  const previous = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;

  beforeAll(async () => {
    secrets = await startSecretsManager(values);
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? 'local',
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? 'local',
    });
  });
  afterAll(async () => {
    await secrets?.close();
    if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = previous;
  });

  it('reuses the key it read until the cache period ends, then reads the rotated one', async () => {
    let nowMs = 1_000_000;
    const source = new SigningKeySecret(secretArnOf('playback'), 300, () => nowMs);
    expect(await source.current()).toEqual(first);
    values.playback = JSON.stringify(next);
    nowMs += 299_000;
    expect(await source.current()).toEqual(first);
    nowMs += 1_000;
    expect(await source.current()).toEqual(next);
  });

  it('shares one read between concurrent requests of a container', async () => {
    const source = new SigningKeySecret('playback', 300);
    const keys = await Promise.all([source.current(), source.current(), source.current()]);
    expect(new Set(keys).size).toBe(1);
  });

  it('reports a missing secret and a malformed one as DependencyError naming the problem, not the key', async () => {
    const missing = new SigningKeySecret('no-such-secret', 300).current();
    await expect(missing).rejects.toBeInstanceOf(DependencyError);
    await expect(missing).rejects.toThrow('could not be read');
    const garbled = new SigningKeySecret('garbled', 300).current();
    await expect(garbled).rejects.toBeInstanceOf(DependencyError);
    await expect(garbled).rejects.toThrow(/privateKey must be a PEM private key/);
    await expect(garbled).rejects.not.toThrow(/not a key/);
  });
});
