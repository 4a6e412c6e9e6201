/**
 * The vault: two secret boxes, one per ring, chosen by the value's purpose. This is the API the
 * rest of the fleet uses; nothing else should need the rings directly.
 */
import type { Config } from '../config';
import { SecretWrongBindingError } from './errors';
import { createKeyRing, type RingName } from './key-ring';
import { PURPOSE_RING, isSecretPurpose, type SecretBinding } from './purposes';
import { createSecretBox, parseSealed, type SecretBox } from './secret-box';
import { ValidationError } from '../errors';

/** Where a sealed value came from, read from its header without any key. */
export interface SealedInfo {
  readonly ring: RingName;
  readonly version: number;
}

/** Seals and opens account secrets. Every method throws typed errors only (see errors.ts). */
export interface Vault {
  /** Seals under the current version of the purpose's ring. Two seals of one plaintext differ. */
  seal(plaintext: string, binding: SecretBinding): string;
  /** Opens a value; the binding must match the one it was sealed with. */
  open(sealed: string, binding: SecretBinding): string;
  /** Whether the value's key version differs from its ring's current version. */
  needsReseal(sealed: string): boolean;
  /**
   * Opens and seals again under the current version. A value that is already current is
   * returned unchanged (after checking it opens), so re-running a rotation writes nothing.
   */
  reseal(sealed: string, binding: SecretBinding): string;
  /** The key version named in the header (throws SecretMalformedError on garbage). */
  versionOf(sealed: string): number;
  /** Ring and version named in the header. */
  inspect(sealed: string): SealedInfo;
  /** The current version of each ring. */
  readonly currentVersions: Readonly<Record<RingName, number>>;
}

/** Builds the vault from the two configured rings. Invalid rings throw FatalWorkerError. */
export function createVault(config: Pick<Config, 'secretKeys' | 'credentialKeys'>): Vault {
  const boxes: Readonly<Record<RingName, SecretBox>> = {
    secret: createSecretBox(createKeyRing('secret', config.secretKeys)),
    credential: createSecretBox(createKeyRing('credential', config.credentialKeys)),
  };
  const boxFor = (binding: SecretBinding): SecretBox => {
    if (!isSecretPurpose(binding?.purpose)) {
      throw new ValidationError('binding.purpose is not a known secret purpose', 'purpose');
    }
    return boxes[PURPOSE_RING[binding.purpose]];
  };
  const inspect = (sealed: string): SealedInfo => {
    const { ring, version } = parseSealed(sealed);
    return { ring, version };
  };

  const open = (sealed: string, binding: SecretBinding): string => {
    const box = boxFor(binding);
    const { ring } = parseSealed(sealed);
    if (ring !== box.ring.name) {
      throw new SecretWrongBindingError(
        `value was sealed under the ${ring} ring; ${binding.purpose} uses the ${box.ring.name} ring`,
      );
    }
    return box.open(sealed, binding);
  };
  const needsReseal = (sealed: string): boolean => {
    const { ring, version } = inspect(sealed);
    return version !== boxes[ring].ring.current;
  };

  return Object.freeze({
    currentVersions: Object.freeze({
      secret: boxes.secret.ring.current,
      credential: boxes.credential.ring.current,
    }),
    seal: (plaintext: string, binding: SecretBinding) => boxFor(binding).seal(plaintext, binding),
    open,
    needsReseal,
    reseal(sealed: string, binding: SecretBinding): string {
      const plaintext = open(sealed, binding);
      return needsReseal(sealed) ? boxFor(binding).seal(plaintext, binding) : sealed;
    },
    versionOf: (sealed: string) => inspect(sealed).version,
    inspect,
  });
}
