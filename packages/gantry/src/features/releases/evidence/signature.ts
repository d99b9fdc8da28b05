// Signatures over a release's image digest, as `cosign sign-blob` writes them:
// base64 of an ASN.1 DER ECDSA P-256 signature with SHA-256 (cosign's default
// key pair), or of an Ed25519 signature, over the exact bytes of the digest
// string ("sha256:…", no trailing newline). Keys are PEM public keys
// (cosign.pub). Keys are never echoed in messages; a key is named by its
// fingerprint, the first 16 hex digits of the SHA-256 of its DER SPKI.

import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { ValidationError } from '../../../shared/errors.js';

export type SignatureAlgorithm = 'ecdsa-p256' | 'ed25519';

export interface SignatureEvidence {
  kind: 'signature';
  verified: true;
  algorithm: SignatureAlgorithm;
  keyFingerprint: string;
}

export interface PublicKeyDescription {
  algorithm: SignatureAlgorithm;
  keyFingerprint: string;
}

export interface DigestSignature {
  /** The image digest as the release records it, e.g. "sha256:ab12…". */
  digest: string;
  /** Base64, as `cosign sign-blob` prints it or writes it with --output-signature. */
  signature: string;
  /** The PEM public key the pipeline trusts (cosign.pub). */
  publicKeyPem: string;
}

const KEY_EXPECTED =
  'a PEM public key (-----BEGIN PUBLIC KEY-----) for ECDSA P-256 or Ed25519, such as cosign.pub from `cosign generate-key-pair`';

const SIGN_HINT =
  'sign exactly the digest string with no trailing newline: printf \'%s\' "$DIGEST" > digest.txt && cosign sign-blob --key cosign.key digest.txt';

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const DIGEST_LENGTHS: Record<string, number> = { sha256: 64, sha512: 128 };

function fail(problem: string, details?: object): ValidationError {
  return new ValidationError(`signature: ${problem}`, details);
}

/** The algorithm and fingerprint of a trusted public key, checked when a pipeline is applied. */
export function describePublicKey(publicKeyPem: string): PublicKeyDescription {
  const { algorithm, keyFingerprint } = readPublicKey(publicKeyPem);
  return { algorithm, keyFingerprint };
}

/** Verify `signature` over the bytes of `digest` with the public key; throw saying why it does not verify. */
export function verifyDigestSignature({
  digest,
  signature,
  publicKeyPem,
}: DigestSignature): SignatureEvidence {
  checkDigest(digest);
  const key = readPublicKey(publicKeyPem);
  const bytes = decodeSignature(signature);

  if (key.algorithm === 'ed25519' && bytes.length !== 64) {
    throw fail(
      `an Ed25519 signature is 64 bytes, this one is ${bytes.length}; give the signature cosign wrote with the matching Ed25519 key`,
    );
  }
  if (key.algorithm === 'ecdsa-p256' && bytes[0] !== 0x30) {
    const raw = bytes.length === 64 ? ' (it looks like a raw r‖s signature)' : '';
    throw fail(
      `the signature is not an ASN.1 DER ECDSA signature${raw}; \`cosign sign-blob\` writes DER — sign with cosign, or encode the signature as DER`,
    );
  }

  if (matches(digest, bytes, key)) {
    return {
      kind: 'signature',
      verified: true,
      algorithm: key.algorithm,
      keyFingerprint: key.keyFingerprint,
    };
  }
  if (matches(`${digest}\n`, bytes, key)) {
    throw fail(`the signature covers the digest followed by a newline (signed with echo?); ${SIGN_HINT}`, {
      keyFingerprint: key.keyFingerprint,
    });
  }
  throw fail(
    `the signature does not match digest ${digest} with key ${key.keyFingerprint} (${key.algorithm}); ` +
      `check that the release's digest was signed with this key pair, and ${SIGN_HINT}`,
    { keyFingerprint: key.keyFingerprint, algorithm: key.algorithm },
  );
}

function checkDigest(digest: unknown): asserts digest is string {
  const shown = typeof digest === 'string' ? JSON.stringify(digest.slice(0, 80)) : typeof digest;
  const problem = `the digest ${shown} is not an image digest such as sha256:<64 hex digits>`;
  if (typeof digest !== 'string' || !DIGEST.test(digest)) throw fail(problem);
  const [algorithm = '', encoded = ''] = digest.split(':', 2);
  const length = DIGEST_LENGTHS[algorithm];
  if (length !== undefined && !new RegExp(`^[a-f0-9]{${length}}$`).test(encoded)) throw fail(problem);
}

interface ReadKey extends PublicKeyDescription {
  key: KeyObject;
}

function readPublicKey(pem: unknown): ReadKey {
  if (typeof pem !== 'string' || pem.trim() === '') {
    throw fail(`the public key is empty; expected ${KEY_EXPECTED}`);
  }
  const text = pem.trim();
  if (/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(text)) {
    throw fail(
      `the key given as public key is a private key; give the public key (cosign.pub) and keep the private key out of Gantry`,
    );
  }
  if (!text.includes('-----BEGIN ')) throw fail(`the public key is not PEM; expected ${KEY_EXPECTED}`);

  let key: KeyObject;
  try {
    key = createPublicKey({ key: text, format: 'pem' });
  } catch {
    throw fail(`the public key could not be read; expected ${KEY_EXPECTED}`);
  }

  const algorithm = algorithmOf(key);
  const spki = key.export({ type: 'spki', format: 'der' });
  const keyFingerprint = createHash('sha256').update(spki).digest('hex').slice(0, 16);
  return { key, algorithm, keyFingerprint };
}

function algorithmOf(key: KeyObject): SignatureAlgorithm {
  const type = key.asymmetricKeyType;
  if (type === 'ed25519') return 'ed25519';
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (type === 'ec' && curve === 'prime256v1') return 'ecdsa-p256';

  let found: string;
  if (type === 'ec') found = `an EC key on curve ${curve ?? 'unknown'}`;
  else if (type === 'rsa' || type === 'rsa-pss') {
    const bits = key.asymmetricKeyDetails?.modulusLength;
    found = `an ${type === 'rsa' ? 'RSA' : 'RSA-PSS'} key${bits ? ` (${bits} bits)` : ''}`;
  } else found = type ? `a ${type.toUpperCase()} key` : 'a key of unknown type';
  throw fail(
    `the public key is ${found}; Gantry verifies ECDSA P-256 and Ed25519 signatures — create a key pair with \`cosign generate-key-pair\``,
    { keyType: type, curve },
  );
}

function decodeSignature(signature: unknown): Buffer {
  if (typeof signature !== 'string') {
    throw fail('the signature is missing; give the base64 signature cosign wrote');
  }
  const text = signature.replace(/\s+/g, '');
  if (text === '') throw fail('the signature is empty; give the base64 signature cosign wrote');
  if (text.startsWith('{')) {
    throw fail(
      'the signature is JSON (a cosign bundle?); give only the base64 signature (its base64Signature field)',
    );
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw fail('the signature is not base64; give the signature as `cosign sign-blob` prints it');
  }
  return Buffer.from(text, 'base64');
}

function matches(message: string, signature: Buffer, key: ReadKey): boolean {
  const data = Buffer.from(message, 'utf8');
  try {
    return key.algorithm === 'ed25519'
      ? verify(null, data, key.key, signature)
      : verify('sha256', data, { key: key.key, dsaEncoding: 'der' }, signature);
  } catch {
    return false;
  }
}
