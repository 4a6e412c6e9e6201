/**
 * The public API of `workers/site/`: the only code that knows LinkedIn's HTML. Page objects
 * talk to the page only (no DB, queue or crypto: enforced by lint) and return plain data.
 */
export { detectScreen, type DetectOptions } from './detect-screen';
export { classify, type Classification } from './classify';
export { collectFacts, type PageFacts, type ProbeFact } from './facts';
export { redactedSnapshot, maskSecrets, maskUrl } from './snapshot';
export {
  UnknownScreenError,
  WrongScreenError,
  ScreenTimeoutError,
  IdentityCheckRequiredError,
  CodeRequiredError,
  describeScreen,
  type RedactedSnapshot,
} from './errors';
export type {
  Screen,
  ScreenKind,
  ScreenOf,
  SettingsStep,
  TwoStepMethod,
  ApprovalState,
} from './screen';
export { PATHS, URLS, PROBES, TEXT, ACTIONS } from './site-map';
export { siteUrl } from './actions';
export { DEFAULT_TIMEOUT_MS, type PageObjectOptions } from './pages/base.page';
export { LoginPage, type SignInOptions } from './pages/login.page';
export {
  CheckpointPage,
  waitForApproval,
  type CodeResult,
  type ApprovalOutcome,
  type AuthenticatorCodeOptions,
} from './pages/checkpoint.page';
export { TwoStepSettingsPage } from './pages/two-step-settings.page';
export type { SetupKey } from './pages/setup-key';
