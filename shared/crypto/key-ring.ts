/**
 * Key rings: the versioned AES keys from `Config.secretKeys` / `Config.credentialKeys`, turned
 * into per-version subkeys. Raw ring keys are never used directly: HKDF-SHA256 derives one
 * subkey for AES-256-GCM and one for the binding fingerprint (HMAC), with the ring name in the
 * `info`, so no key ever serves two algorithms or two rings.
 *
 * @see RFC 5869 (HKDF)
 */
import { createSecretKey, hkdfSync, type KeyObject } from 'node:crypto';
import { FatalWorkerError } from '../errors';
import type { KeyRingConfig } from '../config';
import { KeyVersionRetiredError, KeyVersionUnknownError } from './errors';

/** The two rings. TOTP material and sign-in credentials never share one (see vault.ts). */
export type RingName = 'secret' | 'credential';

/** AES-256 needs exactly 32 bytes of key. */
const KEY_BYTES = 32;

/** The subkeys of one ring version. */
export interface VersionKeys {
  readonly version: number;
  /** AES-256-GCM key. */
  readonly enc: KeyObject;
  /** HMAC-SHA256 key for the binding fingerprint. */
  readonly mac: KeyObject;
}

/** One ring, ready to seal (under `current`) and open (any held version ≥ `minVersion`). */
export interface KeyRing {
  readonly name: RingName;
  readonly current: number;
  readonly minVersion: number;
  /** Versions held, ascending. */
  readonly versions: readonly number[];
  /** Subkeys for `version`; throws KeyVersionRetiredError or KeyVersionUnknownError. */
  keysFor(version: number): VersionKeys;
}

function derive(ikm: Buffer, ring: RingName, version: number, use: 'enc' | 'mac'): KeyObject {
  const info = `li2fa/sb1/${ring}/v${version}/${use}`;
  return createSecretKey(Buffer.from(hkdfSync('sha256', ikm, Buffer.alloc(0), info, KEY_BYTES)));
}

/**
 * Builds a ring from configuration. A ring that cannot seal (wrong key size, current version
 * missing or retired) makes the process unfit to run: FatalWorkerError `key_ring_invalid`.
 */
export function createKeyRing(name: RingName, config: KeyRingConfig): KeyRing {
  const byVersion = new Map<number, VersionKeys>();
  for (const [version, key] of config.keys) {
    if (!Number.isInteger(version) || version < 1) {
      throw new FatalWorkerError('key_ring_invalid', `${name} ring: version ${version} is not ≥ 1`);
    }
    if (key.length !== KEY_BYTES) {
      throw new FatalWorkerError(
        'key_ring_invalid',
        `${name} ring: version ${version} key is ${key.length} bytes, expected ${KEY_BYTES}`,
      );
    }
    byVersion.set(version, {
      version,
      enc: derive(key, name, version, 'enc'),
      mac: derive(key, name, version, 'mac'),
    });
  }
  if (!byVersion.has(config.current)) {
    throw new FatalWorkerError(
      'key_ring_invalid',
      `${name} ring: current version ${config.current} is not in the ring`,
    );
  }
  if (config.current < config.minVersion) {
    throw new FatalWorkerError(
      'key_ring_invalid',
      `${name} ring: current version ${config.current} is below minVersion ${config.minVersion}`,
    );
  }
  const versions = Object.freeze([...byVersion.keys()].sort((a, b) => a - b));
  return Object.freeze({
    name,
    current: config.current,
    minVersion: config.minVersion,
    versions,
    keysFor(version: number): VersionKeys {
      if (version < config.minVersion) {
        throw new KeyVersionRetiredError(name, version, config.minVersion);
      }
      const keys = byVersion.get(version);
      if (!keys) throw new KeyVersionUnknownError(name, version);
      return keys;
    },
  });
}
