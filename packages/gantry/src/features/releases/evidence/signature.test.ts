import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { describePublicKey, verifyDigestSignature } from './signature.js';

const DIGEST = `sha256:${'4f'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'a0'.repeat(32)}`;

const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const ed = generateKeyPairSync('ed25519');
const otherEc = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });

const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();

/** What `cosign sign-blob` prints for a blob holding exactly `message`. */
function cosignSignature(message: string, privateKey: KeyObject): string {
  const algorithm = privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  return sign(algorithm, Buffer.from(message), privateKey).toString('base64');
}

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('digest signatures', () => {
  it('verifies an ECDSA P-256 signature over the digest', () => {
    const evidence = verifyDigestSignature({
      digest: DIGEST,
      signature: `${cosignSignature(DIGEST, ec.privateKey)}\n`,
      publicKeyPem: pem(ec.publicKey),
    });
    expect(evidence).toEqual({
      kind: 'signature',
      verified: true,
      algorithm: 'ecdsa-p256',
      keyFingerprint: describePublicKey(pem(ec.publicKey)).keyFingerprint,
    });
    expect(evidence.keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
  });

  it('verifies an Ed25519 signature over the digest', () => {
    expect(
      verifyDigestSignature({
        digest: DIGEST,
        signature: cosignSignature(DIGEST, ed.privateKey),
        publicKeyPem: pem(ed.publicKey),
      }),
    ).toMatchObject({ verified: true, algorithm: 'ed25519' });
  });

  it('refuses a signature over another digest', () => {
    const fingerprint = describePublicKey(pem(ec.publicKey)).keyFingerprint;
    const error = rejection(() =>
      verifyDigestSignature({
        digest: OTHER_DIGEST,
        signature: cosignSignature(DIGEST, ec.privateKey),
        publicKeyPem: pem(ec.publicKey),
      }),
    );
    expect(error.message).toBe(
      `signature: the signature does not match digest ${OTHER_DIGEST} with key ${fingerprint} (ecdsa-p256); ` +
        "check that the release's digest was signed with this key pair, and sign exactly the digest string with no " +
        'trailing newline: printf \'%s\' "$DIGEST" > digest.txt && cosign sign-blob --key cosign.key digest.txt',
    );
  });

  it('refuses a signature made with another key', () => {
    for (const [signer, verifier] of [
      [otherEc.privateKey, ec.publicKey],
      [generateKeyPairSync('ed25519').privateKey, ed.publicKey],
    ] as const) {
      const error = rejection(() =>
        verifyDigestSignature({
          digest: DIGEST,
          signature: cosignSignature(DIGEST, signer),
          publicKeyPem: pem(verifier),
        }),
      );
      expect(error.message).toMatch(/^signature: the signature does not match digest sha256:4f4f/);
    }
  });

  it('says when the signed blob had a trailing newline', () => {
    const error = rejection(() =>
      verifyDigestSignature({
        digest: DIGEST,
        signature: cosignSignature(`${DIGEST}\n`, ec.privateKey),
        publicKeyPem: pem(ec.publicKey),
      }),
    );
    expect(error.message).toMatch(
      /^signature: the signature covers the digest followed by a newline \(signed with echo\?\)/,
    );
  });

  it('refuses an RSA key and other curves, saying what the key is', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const advice =
      'Gantry verifies ECDSA P-256 and Ed25519 signatures — create a key pair with `cosign generate-key-pair`';
    expect(rejection(() => describePublicKey(pem(rsa.publicKey))).message).toBe(
      `signature: the public key is an RSA key (2048 bits); ${advice}`,
    );
    expect(
      rejection(() =>
        verifyDigestSignature({
          digest: DIGEST,
          signature: sign('sha256', Buffer.from(DIGEST), rsa.privateKey).toString('base64'),
          publicKeyPem: pem(rsa.publicKey),
        }),
      ).message,
    ).toBe(`signature: the public key is an RSA key (2048 bits); ${advice}`);
    const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    expect(rejection(() => describePublicKey(pem(p384.publicKey))).message).toBe(
      `signature: the public key is an EC key on curve secp384r1; ${advice}`,
    );
  });

  it('refuses a private key, a key that is not PEM and a broken PEM without echoing them', () => {
    const privatePem = ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const error = rejection(() => describePublicKey(privatePem));
    expect(error.message).toBe(
      'signature: the key given as public key is a private key; give the public key (cosign.pub) and keep the private key out of Gantry',
    );
    expect(JSON.stringify(error.details ?? null)).not.toContain('PRIVATE');
    expect(rejection(() => describePublicKey('ssh-ed25519 AAAAC3Nza… ci@example')).message).toBe(
      'signature: the public key is not PEM; expected a PEM public key (-----BEGIN PUBLIC KEY-----) for ECDSA P-256 ' +
        'or Ed25519, such as cosign.pub from `cosign generate-key-pair`',
    );
    expect(
      rejection(() => describePublicKey('-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----\n'))
        .message,
    ).toMatch(/^signature: the public key could not be read; expected a PEM public key/);
  });

  it('refuses a signature that is not base64 or not DER', () => {
    const base = { digest: DIGEST, publicKeyPem: pem(ec.publicKey) };
    expect(rejection(() => verifyDigestSignature({ ...base, signature: 'not base64!' })).message).toBe(
      'signature: the signature is not base64; give the signature as `cosign sign-blob` prints it',
    );
    expect(rejection(() => verifyDigestSignature({ ...base, signature: '' })).message).toBe(
      'signature: the signature is empty; give the base64 signature cosign wrote',
    );
    expect(
      rejection(() => verifyDigestSignature({ ...base, signature: '{"base64Signature":"MEUC"}' })).message,
    ).toBe(
      'signature: the signature is JSON (a cosign bundle?); give only the base64 signature (its base64Signature field)',
    );
    const raw = sign('sha256', Buffer.from(DIGEST), { key: ec.privateKey, dsaEncoding: 'ieee-p1363' });
    expect(
      rejection(() => verifyDigestSignature({ ...base, signature: raw.toString('base64') })).message,
    ).toBe(
      'signature: the signature is not an ASN.1 DER ECDSA signature (it looks like a raw r‖s signature); ' +
        '`cosign sign-blob` writes DER — sign with cosign, or encode the signature as DER',
    );
    const short = verifyDigestSignature.bind(null, {
      digest: DIGEST,
      publicKeyPem: pem(ed.publicKey),
      signature: Buffer.alloc(10).toString('base64'),
    });
    expect(rejection(short).message).toMatch(/^signature: an Ed25519 signature is 64 bytes, this one is 10;/);
  });

  it('refuses a digest that is not an image digest', () => {
    const base = { signature: cosignSignature(DIGEST, ec.privateKey), publicKeyPem: pem(ec.publicKey) };
    for (const digest of ['latest', 'sha256:abc', `sha256:${'G'.repeat(64)}`, `${DIGEST}\n`]) {
      expect(rejection(() => verifyDigestSignature({ ...base, digest })).message).toMatch(
        /^signature: the digest ".*" is not an image digest such as sha256:<64 hex digits>$/s,
      );
    }
  });

  it('describes a trusted key by algorithm and fingerprint', () => {
    const description = describePublicKey(pem(ed.publicKey));
    expect(description.algorithm).toBe('ed25519');
    expect(description.keyFingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(describePublicKey(`\n  ${pem(ed.publicKey)}  \n`)).toEqual(description);
    expect(describePublicKey(pem(otherEc.publicKey)).keyFingerprint).not.toBe(
      describePublicKey(pem(ec.publicKey)).keyFingerprint,
    );
  });
});
