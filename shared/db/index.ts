/** The data layer: connections, repositories and key rotation. Use repositories, not models. */
export { connectMongo, disconnectMongo, createMongoConnection, redactMongoUrl } from './connect';
export type { MongoSettings } from './connect';
export { createModels, ensureIndexes, type Models } from './models';
export { createRepositories, type Repositories } from './repositories';
export * from './account.repo';
export * from './two-factor-key.repo';
export * from './audit.repo';
export * from './lease.repo';
export * from './screen-snapshot.repo';
export * from './owner-session.repo';
export { assertSafeAuditDetails } from './audit-guard';
export { rotateSecrets } from './rotate-secrets';
export type {
  RotationCounts,
  RotationReport,
  RotationProgress,
  RotateOptions,
} from './rotate-secrets';
export { splitProxyUrl, joinProxyUrl, type SplitProxy } from './proxy';
export { newId } from './ids';
export {
  AccountExistsError,
  AccountNotFoundError,
  AccountNotActiveError,
  TwoFactorKeyNotFoundError,
  AuditDetailsRefusedError,
} from './errors';
export {
  ACCOUNT_STATUSES,
  TWO_FACTOR_STATES,
  DEFAULT_STATUS_MESSAGES,
  type AccountStatus,
  type TwoFactorState,
  type TwoFactorDoc,
} from './account.model';
export {
  TWO_FACTOR_KEY_STATES,
  TWO_FACTOR_KEY_SOURCES,
  type TwoFactorKeyState,
  type TwoFactorKeySource,
} from './two-factor-key.model';
export type { AuditDetailValue } from './audit-event.model';
