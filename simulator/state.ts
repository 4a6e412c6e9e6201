/**
 * The simulator's whole world, in Maps: accounts, sessions, login challenges, settings flows,
 * the outbox, faults and settings. Nothing here knows HTTP; routes call these methods.
 */
import { createRng, digits, liAtToken, token, type Rng } from './random';
import { DEFAULT_SETTINGS, noFaults, type Faults, type Settings } from './settings';
import { matchTotpStep, timeStep } from './totp';
import type {
  Account,
  Approval,
  Challenge,
  OutboxMessage,
  SentCode,
  Session,
  SetupFlow,
} from './types';

/** Sender of every security mail (spec §0). */
export const SECURITY_SENDER = 'security-noreply@linkedin.com';
/** Oldest messages are dropped beyond this many, so a long benchmark cannot exhaust memory. */
const OUTBOX_LIMIT = 20_000;

/** Outcome of checking a TOTP code. */
export type CodeCheck = 'accepted' | 'rejected' | 'replayed';

/** Options of {@link SimState}. */
export interface SimStateOptions {
  readonly settings?: Partial<Settings>;
  /** Real clock in ms; the clockOffsetSec fault is added on top. */
  readonly now?: () => number;
  /** Seed for fault and delay randomness. */
  readonly seed?: number;
}

/** In-memory state of one simulator instance. */
export class SimState {
  settings: Settings;
  faults: Faults = noFaults();
  readonly rng: Rng;
  readonly accounts = new Map<string, Account>();
  /** li_at token → session. */
  readonly sessions = new Map<string, Session>();
  readonly challenges = new Map<string, Challenge>();
  /** li_at token → settings flow of that session. */
  readonly setupFlows = new Map<string, SetupFlow>();
  /** li_rm token → email (the "Welcome back" picker). */
  readonly remembered = new Map<string, string>();
  /** bcookie → login UI bucket (spec §1.4: a per-member UI generation). */
  readonly browserVariant = new Map<string, Settings['variant']>();
  outbox: OutboxMessage[] = [];
  private readonly baseSettings: Settings;
  private readonly realNow: () => number;
  private mailSeq = 0;

  constructor(options: SimStateOptions = {}) {
    this.baseSettings = { ...DEFAULT_SETTINGS, ...options.settings };
    this.settings = { ...this.baseSettings };
    this.realNow = options.now ?? Date.now;
    this.rng = createRng(options.seed);
  }

  /** The simulated clock (ms): real time plus the clockOffsetSec fault. */
  now(): number {
    return this.realNow() + this.faults.clockOffsetSec * 1000;
  }

  /** Forgets everything and restores the start-up settings. */
  reset(): void {
    this.accounts.clear();
    this.sessions.clear();
    this.challenges.clear();
    this.setupFlows.clear();
    this.remembered.clear();
    this.browserVariant.clear();
    this.outbox = [];
    this.faults = noFaults();
    this.settings = { ...this.baseSettings };
  }

  /** The account for an email, case-insensitively. */
  account(email: string): Account | undefined {
    return this.accounts.get(email.trim().toLowerCase());
  }

  /** Creates a session for an account and browser, and counts the login. */
  createSession(account: Account, bcookie: string): Session {
    const now = this.now();
    const session: Session = {
      id: token(9),
      token: liAtToken(),
      email: account.email,
      bcookie,
      createdAt: now,
      expiresAt: now + this.settings.sessionTtlSec * 1000,
      revoked: false,
    };
    this.sessions.set(session.token, session);
    account.sessions.add(session.token);
    account.counters.logins++;
    return session;
  }

  /** The live session behind a li_at value, or undefined when missing, revoked or expired. */
  session(liAt: string | undefined): Session | undefined {
    if (!liAt) return undefined;
    const session = this.sessions.get(liAt);
    if (!session || session.revoked || session.expiresAt <= this.now()) return undefined;
    if (!this.accounts.has(session.email)) return undefined;
    return session;
  }

  /** Signs out every session of the account except `keepToken`; returns how many ended. */
  revokeSessions(account: Account, keepToken?: string): number {
    let n = 0;
    for (const t of [...account.sessions]) {
      if (t === keepToken) continue;
      const s = this.sessions.get(t);
      if (s) s.revoked = true;
      this.sessions.delete(t);
      this.setupFlows.delete(t);
      account.sessions.delete(t);
      n++;
    }
    return n;
  }

  /** Live sessions of an account (expired ones are pruned). */
  liveSessions(account: Account): Session[] {
    const out: Session[] = [];
    for (const t of [...account.sessions]) {
      const s = this.session(t);
      if (s) out.push(s);
      else {
        account.sessions.delete(t);
        this.sessions.delete(t);
      }
    }
    return out;
  }

  /** Records a mail or SMS; returns it. */
  send(
    to: string,
    channel: OutboxMessage['channel'],
    subject: string,
    body: string,
    code: string | null,
  ): OutboxMessage {
    const msg: OutboxMessage = {
      id: ++this.mailSeq,
      to,
      channel,
      from: channel === 'email' ? SECURITY_SENDER : 'LinkedIn',
      subject,
      body,
      code,
      sentAt: new Date(this.now()).toISOString(),
    };
    this.outbox.push(msg);
    if (this.outbox.length > OUTBOX_LIMIT) this.outbox.splice(0, this.outbox.length - OUTBOX_LIMIT);
    return msg;
  }

  /** Mails a fresh 6-digit PIN (spec §2.2 subject) and returns it with its expiry. */
  mailPin(account: Account, ttlSec: number): SentCode {
    const value = digits(6);
    this.send(
      account.email,
      'email',
      `Here's your verification code ${value}`,
      `Please use this verification code to complete your sign in: ${value}. ` +
        `It expires in ${Math.round(ttlSec / 60)} minutes.`,
      value,
    );
    return { value, expiresAt: this.now() + ttlSec * 1000 };
  }

  /** Texts a fresh 6-digit code to the account's phone; the outbox entry is addressed by email. */
  textCode(account: Account): SentCode {
    const value = digits(6);
    this.send(
      account.email,
      'sms',
      `SMS to ${account.phone ?? this.settings.defaultPhone}`,
      `${value} is your LinkedIn verification code.`,
      value,
    );
    return { value, expiresAt: this.now() + this.settings.smsCodeTtlSec * 1000 };
  }

  /** A pending in-app approval, registered on the account so the control API can answer it. */
  newApproval(account: Account): Approval {
    const approval: Approval = {
      id: token(9),
      state: 'pending',
      expiresAt: this.now() + this.settings.approvalTtlSec * 1000,
    };
    account.approval = approval;
    return approval;
  }

  /** The approval's state, with expiry applied. */
  approvalState(approval: Approval): Approval['state'] | 'expired' {
    if (approval.state === 'pending' && approval.expiresAt <= this.now()) return 'expired';
    return approval.state;
  }

  /**
   * Checks a TOTP code against `key` at the simulated clock, ±settings.totpWindow steps, with
   * replay protection per account, and counts the outcome.
   */
  checkTotp(account: Account, key: string, code: string): CodeCheck {
    const now = this.now();
    const step = matchTotpStep(key, code.replace(/\s/g, ''), now, this.settings.totpWindow);
    if (step === null) {
      account.counters.codesRejected++;
      return 'rejected';
    }
    if (this.settings.rejectReplay && account.usedSteps.has(step)) {
      account.counters.codesRejected++;
      account.counters.codesReplayed++;
      return 'replayed';
    }
    const oldest = timeStep(now) - this.settings.totpWindow - 1;
    for (const s of account.usedSteps) if (s < oldest) account.usedSteps.delete(s);
    account.usedSteps.add(step);
    account.counters.codesAccepted++;
    return 'accepted';
  }

  /** Checks a mailed or texted code (exact match, not expired) and counts the outcome. */
  checkSentCode(
    account: Account,
    codes: readonly SentCode[],
    code: string,
  ): 'ok' | 'wrong' | 'expired' {
    const clean = code.replace(/\s/g, '');
    const sent = codes.find((c) => c.value === clean);
    if (!sent) {
      account.counters.codesRejected++;
      return 'wrong';
    }
    if (sent.expiresAt <= this.now()) {
      account.counters.codesRejected++;
      return 'expired';
    }
    account.counters.codesAccepted++;
    return 'ok';
  }

  /** Consumes a recovery code; true when it was valid. */
  useRecoveryCode(account: Account, code: string): boolean {
    const i = account.recoveryCodes.indexOf(code.replace(/\s/g, ''));
    if (i < 0) {
      account.counters.codesRejected++;
      return false;
    }
    account.recoveryCodes.splice(i, 1);
    account.counters.codesAccepted++;
    return true;
  }

  /** Fresh single-use recovery codes per the settings. */
  newRecoveryCodes(): string[] {
    const n = this.settings.recoveryCodeCount;
    return Array.from({ length: n }, () => digits(this.settings.recoveryCodeDigits));
  }

  /** Whether this browser may skip 2FA for the account (recognizedDevice, spec §2.3). */
  isRecognized(account: Account, bcookie: string): boolean {
    if (!this.settings.recognizedDeviceSkips2fa) return false;
    const until = account.recognized.get(bcookie);
    return until !== undefined && until > this.now();
  }
}
