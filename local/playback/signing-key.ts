/**
 * The local CloudFront key pair: generated once per state folder (never committed: .marquee/ is
 * git-ignored), like the key pair an operator creates for AWS. Its id mimics CloudFront's public-key
 * ids (`K` and upper-case alphanumerics) so the same secret format and checks apply.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface LocalSigningKey {
  keyPairId: string;
  /** PKCS#8 PEM. */
  privateKeyPem: string;
  publicKey: KeyObject;
}

/** The key pair kept in `dir/signing-key.pem`, created (RSA 2048, as CloudFront requires) on first use. */
export function localSigningKey(dir: string): LocalSigningKey {
  const file = path.join(dir, 'signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const privateKeyPem = readFileSync(file, 'utf8');
  const publicKey = createPublicKey(createPrivateKey(privateKeyPem));
  const fingerprint = createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' }));
  return { keyPairId: `K${fingerprint.digest('hex').slice(0, 13).toUpperCase()}`, privateKeyPem, publicKey };
}
