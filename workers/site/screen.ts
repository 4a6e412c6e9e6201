/** The screens the fleet knows, as a discriminated union on `kind`. Plain data only. */

/** Steps of Settings › Two-step verification (§3.2–3.3). */
export type SettingsStep =
  | 'status'
  | 'identity_email_pin'
  | 'identity_app_approval'
  | 'choose_method'
  | 'password'
  | 'key'
  | 'enter_code'
  | 'recovery_codes'
  | 'done';

/** The active 2FA method shown on the status page. */
export type TwoStepMethod = 'authenticator' | 'sms';

/** State of an in-app approval request (§2.5; denied/expired texts inferred). */
export type ApprovalState = 'pending' | 'denied' | 'expired';

/** What LinkedIn is showing. Error strings are the site's own texts (≤ 300 chars). */
export type Screen =
  /** `errorKey=challenge_global_internal_error` (§1.5): back off, do not retype. */
  | { readonly kind: 'rate_limited' }
  | { readonly kind: 'captcha'; readonly provider: 'recaptcha' | 'funcaptcha' | 'unknown' }
  | { readonly kind: 'email_pin'; readonly error: string | null }
  | {
      readonly kind: 'authenticator_prompt';
      readonly error: string | null;
      /** `#recognizedDevice` is offered. */
      readonly rememberBrowser: boolean;
    }
  | { readonly kind: 'sms_prompt'; readonly last4: string | null; readonly error: string | null }
  | {
      readonly kind: 'app_approval';
      readonly state: ApprovalState;
      /** Where "try another way" leads, or null when no such link is offered. */
      readonly alternative: 'authenticator' | 'sms' | 'other' | null;
    }
  | { readonly kind: 'phone_registration'; readonly step: 'enter_number' | 'verify_code' }
  | { readonly kind: 'restricted'; readonly permanent: boolean }
  | {
      readonly kind: 'bad_credentials';
      readonly field: 'username' | 'password';
      readonly message: string;
    }
  | {
      readonly kind: 'interstitial';
      readonly which: 'add_phone' | 'manage_account' | 'add_email';
    }
  | {
      readonly kind: 'login';
      readonly variant: 'classic' | 'modern' | 'welcome_back';
      /** A page-level banner (e.g. "Sorry something went wrong"), if any. */
      readonly banner: string | null;
    }
  | { readonly kind: 'feed' }
  | { readonly kind: 'authwall' }
  /** "Something went wrong" and friends (§2.8). */
  | { readonly kind: 'site_error'; readonly heading: string }
  | {
      readonly kind: 'two_step_settings';
      readonly step: SettingsStep;
      /** On/Off when the status is shown on this step, else null. */
      readonly on: boolean | null;
      readonly method: TwoStepMethod | null;
      /** State of the identity-check approval on `identity_app_approval`, else null. */
      readonly approval: ApprovalState | null;
      /** Wrong password / wrong code / wrong PIN message of this step. */
      readonly error: string | null;
    };

/** A screen's `kind`. */
export type ScreenKind = Screen['kind'];

/** The screen of one kind. */
export type ScreenOf<K extends ScreenKind> = Extract<Screen, { kind: K }>;
