/**
 * AES-256-GCM sealing for one key ring, in a compact self-describing string format.
 *
 * Format (7 dot-separated parts, binary parts unpadded base64url):
 *
 * ```text
 * sb1.<ring>.<version>.<fingerprint>.<iv>.<tag>.<ciphertext>
 *  │    │       │          │          │     │      └ AES-256-GCM output (UTF-8 plaintext)
 *  │    │       │          │          │     └ 16-byte GCM tag
 *  │    │       │          │          └ 12-byte random IV, fresh for every seal
 *  │    │       │          └ 8-byte HMAC-SHA256(macKey, purpose ‖ accountId), truncated
 *  │    │       └ key version, decimal (1–999999, as in the config)
 *  │    └ `s` = secret ring, `c` = credential ring
 *  └ format tag; a future format gets a new tag, never a reinterpretation of this one
 * ```
 *
 * The GCM additional data is the header (`sb1.<ring>.<version>.<fingerprint>`) plus the
 * purpose and account id, so any edit to the header or the binding fails authentication.
 * The fingerprint is checked **before** decrypting, which is what lets a wrong account or
 * purpose surface as `secret_wrong_binding` instead of `secret_tampered`. It is keyed by a
 * per-version subkey, so it reveals nothing about the account id to anyone without the ring.
 * A flipped bit in the fingerprint itself is therefore reported as a wrong binding; a flipped
 * bit anywhere in the IV, tag or ciphertext is reported as tampering.
 *
 * @see NIST SP 800-38D (GCM) §5.2.1.1 and §8.2 for the 96-bit IV and 128-bit tag.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { ValidationError } from '../errors';
import { SecretMalformedError, SecretTamperedError, SecretWrongBindingError } from './errors';
import type { KeyRing, RingName, VersionKeys } from './key-ring';
import { isSecretPurpose, type SecretBinding } from './purposes';

/** The format tag of every value this module writes. */
export const SEALED_FORMAT = 'sb1';

/** 96 bits: GCM's native IV size; random IVs are safe for well under 2^32 seals per key. */
const IV_BYTES = 12;
/** 128 bits: the full GCM tag, never truncated. */
const TAG_BYTES = 16;
/** 64 bits: enough that an unrelated binding matches by chance with probability 2^-64. */
const FINGERPRINT_BYTES = 8;
/** Seven parts: format, ring, version, fingerprint, iv, tag, ciphertext. */
const PART_COUNT = 7;

const RING_CODE: Readonly<Record<RingName, string>> = { secret: 's', credential: 'c' };
const RING_BY_CODE: Readonly<Record<string, RingName>> = { s: 'secret', c: 'credential' };

/** The parts of a sealed string, decoded and size-checked. */
export interface ParsedSealed {
  readonly ring: RingName;
  readonly version: number;
  /** `sb1.<ring>.<version>.<fingerprint>`: the authenticated header. */
  readonly header: string;
  readonly fingerprint: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

function decodePart(name: string, text: string, bytes?: number): Buffer {
  // Canonical base64url only: Node's decoder skips junk and ignores trailing bits, which would
  // let two different strings decode to the same bytes.
  const decoded = Buffer.from(text, 'base64url');
  if (!/^[A-Za-z0-9_-]*$/.test(text) || decoded.toString('base64url') !== text) {
    throw new SecretMalformedError(`sealed value: ${name} is not canonical base64url`);
  }
  if (bytes !== undefined && decoded.length !== bytes) {
    throw new SecretMalformedError(
      `sealed value: ${name} is ${decoded.length} bytes, expected ${bytes}`,
    );
  }
  return decoded;
}

/** Parses without any key: throws SecretMalformedError for anything not in the sb1 format. */
export function parseSealed(sealed: unknown): ParsedSealed {
  if (typeof sealed !== 'string') {
    throw new SecretMalformedError(`sealed value: expected a string, got ${typeof sealed}`);
  }
  const parts = sealed.split('.');
  if (parts.length !== PART_COUNT || parts[0] !== SEALED_FORMAT) {
    throw new SecretMalformedError(
      `sealed value: expected ${PART_COUNT} parts starting with "${SEALED_FORMAT}"`,
    );
  }
  const [, ringCode, versionText, fp, iv, tag, body] = parts as [string, ...string[]];
  const ring = RING_BY_CODE[ringCode!];
  if (!ring) throw new SecretMalformedError('sealed value: ring must be "s" or "c"');
  if (!/^[1-9]\d{0,5}$/.test(versionText!)) {
    throw new SecretMalformedError('sealed value: version must be a number from 1 to 999999');
  }
  return {
    ring,
    version: Number(versionText),
    header: parts.slice(0, 4).join('.'),
    fingerprint: decodePart('fingerprint', fp!, FINGERPRINT_BYTES),
    iv: decodePart('iv', iv!, IV_BYTES),
    tag: decodePart('tag', tag!, TAG_BYTES),
    ciphertext: decodePart('ciphertext', body!),
  };
}

function assertBinding(binding: SecretBinding): void {
  if (typeof binding?.accountId !== 'string' || binding.accountId.length === 0) {
    throw new ValidationError('binding.accountId must be a non-empty string', 'accountId');
  }
  if (!isSecretPurpose(binding.purpose)) {
    throw new ValidationError('binding.purpose is not a known secret purpose', 'purpose');
  }
}

/** Length-prefixed so that no (purpose, accountId) pair can collide with another. */
function bindingBytes(binding: SecretBinding): Buffer {
  const purpose = Buffer.from(binding.purpose, 'utf8');
  const account = Buffer.from(binding.accountId, 'utf8');
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32BE(purpose.length, 0);
  lengths.writeUInt32BE(account.length, 4);
  return Buffer.concat([lengths, purpose, account]);
}

function fingerprintOf(keys: VersionKeys, binding: SecretBinding): Buffer {
  return createHmac('sha256', keys.mac)
    .update(bindingBytes(binding))
    .digest()
    .subarray(0, FINGERPRINT_BYTES);
}

function aadOf(header: string, binding: SecretBinding): Buffer {
  return Buffer.concat([Buffer.from(header, 'utf8'), bindingBytes(binding)]);
}

/** Seals and opens values under one ring. Use `createVault` to pick the ring by purpose. */
export interface SecretBox {
  readonly ring: KeyRing;
  /** Seals under the ring's current version with a fresh random IV. */
  seal(plaintext: string, binding: SecretBinding): string;
  /** Opens a value sealed under this ring for exactly this binding. */
  open(sealed: string, binding: SecretBinding): string;
}

/** Creates the box for one ring. Throws only typed SecretError / ValidationError subclasses. */
export function createSecretBox(ring: KeyRing): SecretBox {
  return {
    ring,
    seal(plaintext, binding) {
      assertBinding(binding);
      if (typeof plaintext !== 'string') {
        throw new ValidationError('plaintext must be a string', 'plaintext');
      }
      const keys = ring.keysFor(ring.current);
      const fingerprint = fingerprintOf(keys, binding).toString('base64url');
      const header = `${SEALED_FORMAT}.${RING_CODE[ring.name]}.${ring.current}.${fingerprint}`;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.enc, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aadOf(header, binding));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [header, iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed, binding) {
      assertBinding(binding);
      const parsed = parseSealed(sealed);
      if (parsed.ring !== ring.name) {
        throw new SecretWrongBindingError(
          `value was sealed under the ${parsed.ring} ring; ${binding.purpose} opens with the ${ring.name} ring`,
        );
      }
      const keys = ring.keysFor(parsed.version);
      if (!timingSafeEqual(parsed.fingerprint, fingerprintOf(keys, binding))) {
        throw new SecretWrongBindingError(
          `value was not sealed for this account with purpose ${binding.purpose}`,
        );
      }
      const decipher = createDecipheriv('aes-256-gcm', keys.enc, parsed.iv, {
        authTagLength: TAG_BYTES,
      });
      decipher.setAAD(aadOf(parsed.header, binding));
      decipher.setAuthTag(parsed.tag);
      try {
        return Buffer.concat([decipher.update(parsed.ciphertext), decipher.final()]).toString(
          'utf8',
        );
      } catch (err) {
        throw new SecretTamperedError(
          `${ring.name} ring v${parsed.version}: authentication failed; the value was altered`,
          { cause: err },
        );
      }
    },
  };
}
