import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { CheckpointSigner } from '../../application/ports/notary.js';
import { sha256Hex } from '../shared/event-chain.js';

/**
 * Ed25519 over the checkpoint text. The key is the operator's (`LOCKER_AUDIT_SIGNING_KEY`, PEM)
 * or generated once into the data folder, readable by the service only.
 */
export const ed25519Signer = (options: { pem?: string | undefined; file: string }): CheckpointSigner => {
  const privateKey = loadOrCreate(options);
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('LOCKER_AUDIT_SIGNING_KEY: expected an Ed25519 private key (PEM)');
  const publicKeyPem = createPublicKey(privateKey).export({ type: 'spki', format: 'pem' }).toString();
  return {
    // Short and stable: which key signed, so a rotation can be told apart in an auditor's archive.
    keyId: sha256Hex(publicKeyPem).slice(0, 16),
    publicKeyPem,
    sign: (text) => sign(null, Buffer.from(text), privateKey).toString('base64'),
  };
};

const loadOrCreate = (options: { pem?: string | undefined; file: string }): KeyObject => {
  if (options.pem) return createPrivateKey(options.pem);
  try {
    return createPrivateKey(readFileSync(options.file, 'utf8'));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    const { privateKey } = generateKeyPairSync('ed25519');
    try {
      writeFileSync(options.file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
      return privateKey;
    } catch (race) {
      // Another process (the CLI beside the server) wrote it first: theirs is the key.
      if ((race as NodeJS.ErrnoException).code === 'EEXIST') return createPrivateKey(readFileSync(options.file, 'utf8'));
      throw race;
    }
  }
};
