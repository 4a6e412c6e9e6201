/**
 * Typed failures of the secret vault. Every class carries a stable `code`; messages name the
 * ring, version or purpose involved and **never** contain plaintext, ciphertext or key bytes.
 */
import { SecretError } from '../errors';

/** The sealed string is not in the `sb1` format (wrong prefix, part count, encoding or size). */
export class SecretMalformedError extends SecretError {
  constructor(message: string, options?: ErrorOptions) {
    super('secret_malformed', message, options);
  }
}

/** Authentication failed: the ciphertext, tag, IV or header was changed after sealing. */
export class SecretTamperedError extends SecretError {
  constructor(message: string, options?: ErrorOptions) {
    super('secret_tampered', message, options);
  }
}

/**
 * The value is intact but was sealed for another account or purpose (or under the other ring):
 * the caller asked for the wrong thing, nobody edited the bytes.
 */
export class SecretWrongBindingError extends SecretError {
  constructor(message: string, options?: ErrorOptions) {
    super('secret_wrong_binding', message, options);
  }
}

/** The value names a key version this process's ring does not hold. */
export class KeyVersionUnknownError extends SecretError {
  constructor(
    readonly ring: string,
    readonly version: number,
    options?: ErrorOptions,
  ) {
    super('key_version_unknown', `${ring} ring holds no key version ${version}`, options);
  }
}

/** The value names a key version below the ring's `minVersion`: retired, refused on purpose. */
export class KeyVersionRetiredError extends SecretError {
  constructor(
    readonly ring: string,
    readonly version: number,
    readonly minVersion: number,
    options?: ErrorOptions,
  ) {
    super(
      'key_version_retired',
      `${ring} ring version ${version} is retired (minimum version is ${minVersion})`,
      options,
    );
  }
}
