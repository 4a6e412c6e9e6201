/**
 * The only reader of `process.env` (enforced by lint). Parsed with zod, frozen, and loaded once
 * per process. A bad or missing variable fails at start with one message that lists every
 * problem and how to fix it.
 *
 * Development and test runs work on embedded defaults (the quick start needs no .env); in
 * production every secret-bearing variable is required.
 */
import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/** Development-only key rings. Refused when NODE_ENV=production. */
const DEV_SECRET_KEYS = '1:ZGV2LW9ubHktdG90cC1rZXktcmluZy0xLXh4eHh4eHg=';
const DEV_CREDENTIAL_KEYS = '1:ZGV2LW9ubHktY3JlZC1rZXktcmluZy0xLXh4eHh4eHg=';

/** Where `npm run services` writes the variables of the services it found or started. */
export const SERVICES_ENV_FILE = resolve(__dirname, '..', '.dev', 'services.env');

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `1:<base64 32 bytes>,2:<base64 32 bytes>`; the highest version seals unless `*_CURRENT` says otherwise. */
const keyRingSpec = z.string().superRefine((spec, ctx) => {
  const entries = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'no keys listed' });
  const seen = new Set<number>();
  for (const entry of entries) {
    const m = /^(\d{1,6}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `entry "${entry.split(':')[0]}:…" is not <version>:<base64 key>`,
      });
      continue;
    }
    const version = Number(m[1]);
    if (version < 1) ctx.addIssue({ code: 'custom', message: 'versions start at 1' });
    if (seen.has(version))
      ctx.addIssue({ code: 'custom', message: `version ${version} listed twice` });
    seen.add(version);
    if (Buffer.from(m[2]!, 'base64').length !== 32) {
      ctx.addIssue({
        code: 'custom',
        message: `version ${version}: key must decode to exactly 32 bytes`,
      });
    }
  }
});

/** Comma-separated crash-point names (`after_key_sealed,before_confirm`), parsed to a list. */
const crashPointList = z
  .string()
  .transform((spec) =>
    spec
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .superRefine((names, ctx) => {
    for (const name of names) {
      if (!/^[a-z][a-z0-9_]*$/.test(name)) {
        ctx.addIssue({
          code: 'custom',
          message: `"${name.slice(0, 40)}" is not a crash-point name (lower-case letters, digits, _)`,
        });
      }
    }
  });

/**
 * `name:tenant:token` entries, comma-separated: each bearer token is bound to one tenant; the
 * name appears in logs and the audit trail (`api:<name>`), the token never. Tokens are 24+
 * characters of `A–Z a–z 0–9 _ . ~ -`.
 */
const apiTokenList = z.string().transform((spec, ctx) => {
  const tokens: { name: string; tenant: string; token: string }[] = [];
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([\w.@-]{1,80}):([^:\s]{1,100}):([A-Za-z0-9_.~-]{24,256})$/.exec(entry);
    if (!m) {
      ctx.addIssue({
        code: 'custom',
        message: `entry "${entry.split(':')[0]}:…" is not <name>:<tenant>:<token of 24+ characters>`,
      });
      continue;
    }
    if (tokens.some((t) => t.name === m[1])) {
      ctx.addIssue({ code: 'custom', message: `name ${m[1]} listed twice` });
    }
    tokens.push({ name: m[1]!, tenant: m[2]!, token: m[3]! });
  }
  return tokens;
});

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_PRETTY: bool.optional(),
  SERVICE_NAME: z.string().min(1).default('linkedin-2fa-keeper'),

  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z.string().min(1).default('li2fa'),
  MONGO_URL: z.url({ protocol: /^mongodb(\+srv)?$/ }).default('mongodb://127.0.0.1:27017/li2fa'),
  MONGO_CONNECT_TIMEOUT_MS: int(100, 120_000).default(5_000),

  SECRET_KEYS: keyRingSpec.optional(),
  SECRET_KEYS_CURRENT: int(1, 999_999).optional(),
  SECRET_KEYS_MIN_VERSION: int(1, 999_999).default(1),
  CREDENTIAL_KEYS: keyRingSpec.optional(),
  CREDENTIAL_KEYS_CURRENT: int(1, 999_999).optional(),
  CREDENTIAL_KEYS_MIN_VERSION: int(1, 999_999).default(1),

  LINKEDIN_BASE_URL: z.url({ protocol: /^https?$/ }).default('https://www.linkedin.com'),

  CHROMIUM_PATH: z.string().min(1).optional(),
  BROWSER_WS_ENDPOINT: z.url({ protocol: /^wss?$/ }).optional(),
  BROWSER_HEADLESS: bool.default(true),
  BROWSER_RECYCLE_AFTER: int(1, 100_000).default(50),

  TOTP_MIN_REMAINING_SECONDS: int(5, 29).default(5),

  TOGGLE_COOLDOWN_SECONDS: int(0, 86_400).default(900),
  TOGGLE_DAILY_LIMIT: int(1, 100).default(3),

  ENROLLMENT_CONCURRENCY: int(1, 32).default(2),
  APPROVAL_WAIT_SECONDS: int(5, 600).default(90),
  APPROVAL_RECHECK_SECONDS: int(5, 3_600).default(60),
  EMAIL_CODE_WAIT_SECONDS: int(60, 86_400).default(900),
  LEASE_TTL_SECONDS: int(2, 3_600).default(120),
  QR_REVEAL_LIMIT: int(1, 100).default(3),

  CHALLENGE_CONCURRENCY: int(1, 32).default(2),
  SESSION_CHECK_INTERVAL_SECONDS: int(60, 30 * 86_400).default(21_600),
  REQUIRE_PROXY: bool.default(false),

  WORKER_LOCK_MS: int(1_000, 600_000).default(30_000),
  WORKER_STALLED_INTERVAL_MS: int(500, 600_000).default(30_000),
  WORKER_SHUTDOWN_GRACE_MS: int(0, 600_000).default(20_000),
  WORKER_METRICS_PORT: int(1, 65_535).optional(),

  API_HOST: z.string().min(1).default('127.0.0.1'),
  API_PORT: int(0, 65_535).default(8080),
  API_TOKENS: apiTokenList.optional(),
  OPERATOR_TOKEN: z
    .string()
    .regex(/^[A-Za-z0-9_.~-]{24,256}$/, 'must be 24+ characters of A-Z a-z 0-9 _ . ~ -')
    .optional(),
  API_BODY_LIMIT_KB: int(1, 10_240).default(1_100),
  BOARD_READ_ONLY: bool.default(true),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),

  WEBHOOK_URLS: z
    .string()
    .transform((spec, ctx) => {
      const out: Record<string, string> = {};
      for (const entry of spec
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)) {
        const at = entry.indexOf('=');
        const tenant = entry.slice(0, at);
        const url = entry.slice(at + 1);
        if (at < 1 || !/^https?:\/\/[^\s]+$/.test(url) || !URL.canParse(url)) {
          ctx.addIssue({
            code: 'custom',
            message: `entry "${tenant || entry.slice(0, 20)}=…" is not <tenant>=<http(s) URL>`,
          });
          continue;
        }
        out[tenant] = url;
      }
      return out;
    })
    .optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_.~+/=-]{24,256}$/, 'must be 24+ characters of A-Z a-z 0-9 _ . ~ + / = -')
    .optional(),

  CRASH_POINTS: crashPointList.optional(),
});

type Env = z.infer<typeof EnvSchema>;

/** Every variable the service reads; `.env.example` must document each (a unit test checks). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(EnvSchema.shape);

/** How to fix each variable, appended to its problem in the start-up message. */
const HINTS: Partial<Record<keyof Env, string>> = {
  REDIS_URL: 'e.g. redis://127.0.0.1:6379 (run `npm run services` for a local one)',
  MONGO_URL: 'e.g. mongodb://127.0.0.1:27017/li2fa (run `npm run services` for a local one)',
  SECRET_KEYS: 'e.g. 1:$(openssl rand -base64 32); several versions comma-separated',
  CREDENTIAL_KEYS: 'a key ring separate from SECRET_KEYS, same format',
  LINKEDIN_BASE_URL: 'the site root, e.g. http://127.0.0.1:4010 for the simulator',
  BROWSER_WS_ENDPOINT: 'ws://host:port/devtools/browser/<id> of a remote Chromium',
  CRASH_POINTS: 'comma-separated names, e.g. after_key_sealed,before_confirm (tests only)',
  API_TOKENS: 'e.g. main-app:acme:$(openssl rand -hex 24); several comma-separated',
  OPERATOR_TOKEN: 'e.g. $(openssl rand -hex 24); guards Bull Board and /metrics',
  WEBHOOK_URLS: 'e.g. acme=https://app.example.com/hooks/li2fa; several comma-separated',
  WEBHOOK_SECRET: 'e.g. $(openssl rand -hex 32); signs every webhook (HMAC-SHA256)',
};

export interface KeyRingConfig {
  /** Version → 32-byte key. */
  readonly keys: ReadonlyMap<number, Buffer>;
  /** The version new values are sealed under. */
  readonly current: number;
  /** Versions below this are retired: refusing to open them is a typed error. */
  readonly minVersion: number;
}

export interface Config {
  readonly env: Env['NODE_ENV'];
  readonly isProduction: boolean;
  readonly serviceName: string;
  readonly log: { readonly level: Env['LOG_LEVEL']; readonly pretty: boolean };
  readonly redis: { readonly url: string; readonly prefix: string };
  readonly mongo: { readonly url: string; readonly connectTimeoutMs: number };
  readonly secretKeys: KeyRingConfig;
  readonly credentialKeys: KeyRingConfig;
  readonly linkedin: { readonly baseUrl: string };
  readonly browser: {
    readonly executablePath: string | undefined;
    readonly wsEndpoint: string | undefined;
    readonly headless: boolean;
    readonly recycleAfter: number;
  };
  readonly totp: { readonly minRemainingSeconds: number };
  /** The toggle guard's limits (same shape as ToggleLimits in shared/db/desired-state.repo.ts). */
  readonly toggle: { readonly cooldownSeconds: number; readonly dailyLimit: number };
  /** The enrollment worker's pacing; every duration in milliseconds. */
  readonly enrollment: {
    /** Enrollment jobs one worker process runs at once. */
    readonly concurrency: number;
    /** How long a worker waits in place for the owner to approve in the LinkedIn app. */
    readonly approvalWaitMs: number;
    /** Park delay before re-checking an approval that did not arrive in time. */
    readonly approvalRecheckMs: number;
    /** Park delay of a job waiting for the owner to submit an emailed code. */
    readonly emailCodeWaitMs: number;
    /** Time-to-live of an account lease (renewed while the job runs). */
    readonly leaseTtlMs: number;
    /** QR / setup-key reveals allowed per account per 24 h. */
    readonly qrRevealLimit: number;
  };
  /** The challenge worker (session checks) and the health-check schedules. */
  readonly challenge: {
    /** Session-check jobs one worker process runs at once. */
    readonly concurrency: number;
    /** Interval of each account's scheduled session check, in ms (jittered per account). */
    readonly checkIntervalMs: number;
    /** Refuse to open a browser for an account that has no proxy configured. */
    readonly requireProxy: boolean;
  };
  /** BullMQ worker options. */
  readonly worker: {
    readonly lockDurationMs: number;
    readonly stalledIntervalMs: number;
    /** On SIGTERM, how long active jobs may finish before they are handed back. */
    readonly shutdownGraceMs: number;
    /** A worker process serves its own /metrics on API_HOST:this port; null: not served. */
    readonly metricsPort: number | null;
  };
  /** The HTTP control plane (api/). */
  readonly api: {
    readonly host: string;
    readonly port: number;
    /** Bearer tokens, each bound to a tenant. Secret: never log `token`. */
    readonly tokens: readonly {
      readonly name: string;
      readonly tenant: string;
      readonly token: string;
    }[];
    /** Guards Bull Board and /metrics (basic auth password or bearer); null: both disabled. */
    readonly operatorToken: string | null;
    readonly bodyLimitBytes: number;
    /** Bull Board without retry/remove/promote buttons. */
    readonly boardReadOnly: boolean;
    /** The base URL links are built on (owner page links); default http://host:port. */
    readonly publicUrl: string;
  };
  /** Status-change webhooks: one URL per tenant, all signed with one secret. */
  readonly webhooks: {
    /** Tenant → URL; tenants without one get no webhooks. */
    readonly urls: Readonly<Record<string, string>>;
    /** HMAC-SHA256 key of the signature header. Secret: never log. Null: webhooks off. */
    readonly secret: string | null;
  };
  /** Test-only fault injection: names of the crash points armed in this process (empty set when unset). */
  readonly crashPoints: ReadonlySet<string>;
}

/** Start-up failure listing every bad variable. Not a FleetError: nothing is running yet. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((p) => `  - ${p}`).join('\n') +
        '\nSee .env.example for every variable.',
    );
    this.name = 'ConfigError';
  }
}

function parseKeyRing(
  name: 'SECRET_KEYS' | 'CREDENTIAL_KEYS',
  spec: string,
  current: number | undefined,
  minVersion: number,
  problems: string[],
): KeyRingConfig {
  const keys = new Map<number, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [v, b64] = entry.split(':');
    keys.set(Number(v), Buffer.from(b64!, 'base64'));
  }
  const chosen = current ?? Math.max(...keys.keys());
  if (!keys.has(chosen)) problems.push(`${name}_CURRENT: version ${chosen} is not in ${name}`);
  if (chosen < minVersion) {
    problems.push(`${name}_CURRENT: version ${chosen} is below ${name}_MIN_VERSION ${minVersion}`);
  }
  return Object.freeze({ keys, current: chosen, minVersion });
}

/** A Set whose mutators throw, so the frozen Config cannot be changed through it. */
function freezeSet<T>(set: Set<T>): ReadonlySet<T> {
  const refuse = () => {
    throw new TypeError('the configuration is read-only');
  };
  return Object.freeze(Object.assign(set, { add: refuse, delete: refuse, clear: refuse }));
}

/**
 * Parses an environment (default `process.env`) into a frozen Config, or throws ConfigError
 * naming every problem at once.
 */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const raw = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v !== ''),
  );
  const parsed = EnvSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? '(root)') as keyof Env;
        const hint = HINTS[key];
        return `${key}: ${issue.message}${hint ? ` (${hint})` : ''}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  const isProduction = e.NODE_ENV === 'production';
  if (isProduction && !e.SECRET_KEYS)
    problems.push(`SECRET_KEYS: required in production (${HINTS.SECRET_KEYS})`);
  if (isProduction && !e.CREDENTIAL_KEYS) {
    problems.push(`CREDENTIAL_KEYS: required in production (${HINTS.CREDENTIAL_KEYS})`);
  }
  const secretKeys = parseKeyRing(
    'SECRET_KEYS',
    e.SECRET_KEYS ?? DEV_SECRET_KEYS,
    e.SECRET_KEYS_CURRENT,
    e.SECRET_KEYS_MIN_VERSION,
    problems,
  );
  const credentialKeys = parseKeyRing(
    'CREDENTIAL_KEYS',
    e.CREDENTIAL_KEYS ?? DEV_CREDENTIAL_KEYS,
    e.CREDENTIAL_KEYS_CURRENT,
    e.CREDENTIAL_KEYS_MIN_VERSION,
    problems,
  );
  for (const [v, key] of secretKeys.keys) {
    if ([...credentialKeys.keys.values()].some((k) => k.equals(key))) {
      problems.push(
        `CREDENTIAL_KEYS: shares a key with SECRET_KEYS version ${v}; the two rings must differ`,
      );
    }
  }
  if (Object.keys(e.WEBHOOK_URLS ?? {}).length > 0 && !e.WEBHOOK_SECRET) {
    problems.push('WEBHOOK_SECRET: required when WEBHOOK_URLS is set (webhooks are always signed)');
  }
  const tokenValues = (e.API_TOKENS ?? []).map((t) => t.token);
  if (new Set(tokenValues).size !== tokenValues.length) {
    problems.push('API_TOKENS: the same token is listed twice');
  }
  if (e.OPERATOR_TOKEN && tokenValues.includes(e.OPERATOR_TOKEN)) {
    problems.push('OPERATOR_TOKEN: must differ from every API token');
  }
  if (isProduction && e.CRASH_POINTS && e.CRASH_POINTS.length > 0) {
    problems.push('CRASH_POINTS: refused in production');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    env: e.NODE_ENV,
    isProduction,
    serviceName: e.SERVICE_NAME,
    log: Object.freeze({
      level: e.LOG_LEVEL,
      pretty: e.LOG_PRETTY ?? e.NODE_ENV === 'development',
    }),
    redis: Object.freeze({ url: e.REDIS_URL, prefix: e.REDIS_PREFIX }),
    mongo: Object.freeze({ url: e.MONGO_URL, connectTimeoutMs: e.MONGO_CONNECT_TIMEOUT_MS }),
    secretKeys,
    credentialKeys,
    linkedin: Object.freeze({ baseUrl: e.LINKEDIN_BASE_URL.replace(/\/+$/, '') }),
    browser: Object.freeze({
      executablePath: e.CHROMIUM_PATH,
      wsEndpoint: e.BROWSER_WS_ENDPOINT,
      headless: e.BROWSER_HEADLESS,
      recycleAfter: e.BROWSER_RECYCLE_AFTER,
    }),
    totp: Object.freeze({ minRemainingSeconds: e.TOTP_MIN_REMAINING_SECONDS }),
    toggle: Object.freeze({
      cooldownSeconds: e.TOGGLE_COOLDOWN_SECONDS,
      dailyLimit: e.TOGGLE_DAILY_LIMIT,
    }),
    enrollment: Object.freeze({
      concurrency: e.ENROLLMENT_CONCURRENCY,
      approvalWaitMs: e.APPROVAL_WAIT_SECONDS * 1_000,
      approvalRecheckMs: e.APPROVAL_RECHECK_SECONDS * 1_000,
      emailCodeWaitMs: e.EMAIL_CODE_WAIT_SECONDS * 1_000,
      leaseTtlMs: e.LEASE_TTL_SECONDS * 1_000,
      qrRevealLimit: e.QR_REVEAL_LIMIT,
    }),
    challenge: Object.freeze({
      concurrency: e.CHALLENGE_CONCURRENCY,
      checkIntervalMs: e.SESSION_CHECK_INTERVAL_SECONDS * 1_000,
      requireProxy: e.REQUIRE_PROXY,
    }),
    worker: Object.freeze({
      lockDurationMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      metricsPort: e.WORKER_METRICS_PORT ?? null,
    }),
    api: Object.freeze({
      host: e.API_HOST,
      port: e.API_PORT,
      tokens: Object.freeze((e.API_TOKENS ?? []).map((t) => Object.freeze(t))),
      operatorToken: e.OPERATOR_TOKEN ?? null,
      bodyLimitBytes: e.API_BODY_LIMIT_KB * 1_024,
      boardReadOnly: e.BOARD_READ_ONLY,
      publicUrl: (e.PUBLIC_URL ?? `http://${e.API_HOST}:${e.API_PORT}`).replace(/\/+$/, ''),
    }),
    webhooks: Object.freeze({
      urls: Object.freeze({ ...(e.WEBHOOK_URLS ?? {}) }),
      secret: e.WEBHOOK_SECRET ?? null,
    }),
    crashPoints: freezeSet(new Set(e.CRASH_POINTS ?? [])),
  });
}

/** Parses a KEY=VALUE file (comments and blank lines allowed). */
export function parseEnvFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([A-Z_][A-Z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

/**
 * Fills `process.env` from an env file without overriding what is already set, so the
 * variables of `npm run services` reach tests, the CLI and the demo. Returns what it applied.
 */
export function applyEnvFile(path: string = SERVICES_ENV_FILE): Record<string, string> {
  if (!existsSync(path)) return {};
  const applied: Record<string, string> = {};
  for (const [k, v] of Object.entries(parseEnvFile(readFileSync(path, 'utf8')))) {
    if (process.env[k] === undefined || process.env[k] === '') {
      process.env[k] = v;
      applied[k] = v;
    }
  }
  return applied;
}

/** A copy of the current environment, for starting child processes (workers, simulator). */
export function currentEnv(overrides: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}

/**
 * What `npm run services` needs before a full Config can be built: the service locations the
 * caller set explicitly (to use them when reachable) and where to cache downloaded tools.
 */
export interface ServiceOverrides {
  readonly redisUrl: string | undefined;
  readonly mongoUrl: string | undefined;
  readonly chromiumPath: string | undefined;
  readonly cacheDir: string;
  readonly isRoot: boolean;
}

/** Reads the explicit service variables; see ServiceOverrides. */
export function serviceOverrides(): ServiceOverrides {
  const env = process.env;
  const home = env.HOME ?? '/tmp';
  return Object.freeze({
    redisUrl: env.REDIS_URL || undefined,
    mongoUrl: env.MONGO_URL || undefined,
    chromiumPath: env.CHROMIUM_PATH || undefined,
    cacheDir: resolve(env.XDG_CACHE_HOME || resolve(home, '.cache'), 'linkedin-2fa-keeper'),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
  });
}
