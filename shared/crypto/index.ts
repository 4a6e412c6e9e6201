/** The secret vault: AES-256-GCM, two key rings, versioned `sb1` strings bound to account + purpose. */
export { createVault, type Vault, type SealedInfo } from './vault';
export {
  createSecretBox,
  parseSealed,
  SEALED_FORMAT,
  type SecretBox,
  type ParsedSealed,
} from './secret-box';
export { createKeyRing, type KeyRing, type RingName, type VersionKeys } from './key-ring';
export {
  SECRET_PURPOSES,
  PURPOSE_RING,
  isSecretPurpose,
  type SecretPurpose,
  type SecretBinding,
} from './purposes';
export { resealValue, type ResealResult } from './rotate';
export {
  SecretMalformedError,
  SecretTamperedError,
  SecretWrongBindingError,
  KeyVersionUnknownError,
  KeyVersionRetiredError,
} from './errors';
