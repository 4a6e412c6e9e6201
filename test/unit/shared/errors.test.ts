import {
  coerceError,
  errorCodeOf,
  FatalWorkerError,
  FleetError,
  NeedsHumanError,
  PermanentError,
  RetryLaterError,
  retryPolicyOf,
  TransientError,
  UnexpectedScreenError,
  ValidationError,
} from '../../../shared/errors';

describe('error taxonomy', () => {
  it('names the retry policy by class', () => {
    expect(retryPolicyOf(new TransientError('net', 'reset'))).toBe('retry');
    expect(retryPolicyOf(new Error('puppeteer timeout'))).toBe('retry');
    expect(retryPolicyOf(new RetryLaterError('step_rollover', '3 s left', 4_000))).toBe(
      'retry_later',
    );
    expect(retryPolicyOf(new PermanentError('account_not_found', 'no account a1'))).toBe(
      'permanent',
    );
    expect(retryPolicyOf(new ValidationError('bad id', 'accountId'))).toBe('permanent');
    expect(retryPolicyOf(new NeedsHumanError('captcha', 'CAPTCHA shown'))).toBe('needs_human');
    expect(
      retryPolicyOf(new UnexpectedScreenError('unknown_screen', 'no signature matched', 'snap1')),
    ).toBe('needs_human');
    expect(retryPolicyOf(new FatalWorkerError('browser_not_found', 'no chromium'))).toBe('fatal');
  });

  it('carries stable codes, class names and causes', () => {
    const cause = new Error('inner');
    const err = new NeedsHumanError(
      'email_pin',
      'LinkedIn mailed a code',
      'Submit the code from your inbox.',
      { cause },
    );
    expect(err).toBeInstanceOf(FleetError);
    expect(err).toBeInstanceOf(PermanentError);
    expect(err.name).toBe('NeedsHumanError');
    expect(err.code).toBe('email_pin');
    expect(err.instruction).toMatch(/inbox/);
    expect(err.cause).toBe(cause);
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'NeedsHumanError',
      code: 'email_pin',
      message: 'LinkedIn mailed a code',
    });
    expect(errorCodeOf(err)).toBe('email_pin');
    expect(errorCodeOf(new Error('x'))).toBe('internal_error');
    expect(new RetryLaterError('r', 'm', 1500).delayMs).toBe(1500);
    expect(new ValidationError('m', 'field').field).toBe('field');
  });

  it('coerces anything thrown into an Error', () => {
    const e = new Error('e');
    expect(coerceError(e)).toBe(e);
    expect(coerceError('text').message).toBe('text');
    expect(coerceError({ a: 1 }).message).toContain('{"a":1}');
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(coerceError(circular).message).toBe('non-error thrown');
  });
});
