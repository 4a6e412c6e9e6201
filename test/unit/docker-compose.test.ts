/**
 * docker-compose.yml, the Dockerfile and .dockerignore, checked without a Docker engine.
 * `docker-compose config` (Debian's docker-compose 1.29, installed by `npm run services`)
 * validates the file and resolves its anchors, merge keys and ${...} interpolation; most
 * assertions read that resolved output. The secrets are checked in the file as written too:
 * there they must be ${VAR} references, never values.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { currentEnv } from '../../shared/config';

const ROOT = resolve(__dirname, '../..');
const COMPOSE_FILE = join(ROOT, 'docker-compose.yml');

const SECRETS = [
  'SECRET_KEYS',
  'CREDENTIAL_KEYS',
  'API_TOKENS',
  'OPERATOR_TOKEN',
  'WEBHOOK_SECRET',
] as const;
/** Production refuses to start without these (shared/config.ts), so Compose does too. */
const REQUIRED_SECRETS = ['SECRET_KEYS', 'CREDENTIAL_KEYS'] as const;
const DUMMY_SECRETS: Record<string, string> = Object.fromEntries(
  SECRETS.map((k) => [k, `dummy-${k.toLowerCase()}`]),
);
/** Variables from the caller's shell that would change what Compose resolves. */
const SCRUBBED = [
  ...SECRETS,
  'LINKEDIN_BASE_URL',
  'PUBLIC_URL',
  'COMPOSE_FILE',
  'COMPOSE_PROFILES',
  'COMPOSE_PROJECT_NAME',
];

const SERVICES = ['redis', 'mongo', 'api', 'worker-enrollment', 'worker-challenge', 'simulator'];
const APP_SERVICES = ['api', 'worker-enrollment', 'worker-challenge'];
const WORKERS = ['worker-enrollment', 'worker-challenge'];
/** Service → the package.json script its command runs. */
const SCRIPTS: Record<string, string> = {
  api: 'api',
  'worker-enrollment': 'worker:enrollment',
  'worker-challenge': 'worker:challenge',
  simulator: 'simulator',
};

type EnvValue = string | number | boolean | null;

interface Service {
  readonly image?: string;
  readonly build?: string | { readonly context?: string; readonly args?: unknown };
  readonly command?: string | readonly string[];
  readonly environment?: Readonly<Record<string, EnvValue>> | readonly string[];
  readonly env_file?: unknown;
  readonly healthcheck?: { readonly test?: string | readonly string[]; readonly disable?: boolean };
  readonly profiles?: readonly string[];
  readonly ports?: readonly unknown[];
  readonly container_name?: string;
  readonly depends_on?: readonly string[] | Readonly<Record<string, { condition?: string }>>;
  readonly stop_grace_period?: string;
  readonly shm_size?: string | number;
  readonly init?: boolean;
}

interface ComposeFile {
  readonly services: Readonly<Record<string, Service>>;
}

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let workDir: string;
let emptyEnvFile: string;

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'compose-test-'));
  // --env-file: a developer's own .env next to docker-compose.yml must not leak into the test.
  emptyEnvFile = join(workDir, 'empty.env');
  writeFileSync(emptyEnvFile, '');
});

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Runs docker-compose on docker-compose.yml with exactly `vars` among the variables it reads. */
function compose(args: readonly string[], vars: Record<string, string>): Run {
  const env = currentEnv({
    ...Object.fromEntries(SCRUBBED.map((k) => [k, undefined])),
    ...vars,
  });
  const result = spawnSync(
    'docker-compose',
    ['--env-file', emptyEnvFile, '-f', COMPOSE_FILE, ...args],
    { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 },
  );
  if (result.error && 'code' in result.error && result.error.code === 'ENOENT') {
    throw new Error(
      'docker-compose is not installed: run `npm run services` (it installs Debian\'s "docker-compose")',
    );
  }
  if (result.error) throw result.error;
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function parseCompose(text: string): ComposeFile {
  // merge: true resolves the `<<: *anchor` keys, as Compose does.
  const doc = parse(text, { merge: true }) as unknown;
  if (typeof doc !== 'object' || doc === null || !('services' in doc)) {
    throw new Error('not a compose file: no services');
  }
  return doc as ComposeFile;
}

let resolvedCache: ComposeFile | undefined;
/** The output of `docker-compose config` with dummy secrets: the stack as Compose sees it. */
function resolved(): ComposeFile {
  if (!resolvedCache) {
    const run = compose(['config'], DUMMY_SECRETS);
    if (run.code !== 0) throw new Error(`docker-compose config failed:\n${run.stderr}`);
    resolvedCache = parseCompose(run.stdout);
  }
  return resolvedCache;
}

/** docker-compose.yml as written, merge keys resolved but no ${...} interpolated. */
const raw = (): ComposeFile => parseCompose(readFileSync(COMPOSE_FILE, 'utf8'));

function service(file: ComposeFile, name: string): Service {
  const found = file.services[name];
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

/** A service's environment as name → value (undefined: passed through without a value). */
function envOf(s: Service): Record<string, string | undefined> {
  const env = s.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      (env as readonly string[]).map((entry) => {
        const i = entry.indexOf('=');
        return i < 0 ? [entry, undefined] : [entry.slice(0, i), entry.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(
    Object.entries(env as Readonly<Record<string, EnvValue>>).map(([k, v]) => [
      k,
      v === null ? undefined : String(v),
    ]),
  );
}

const words = (command: string | readonly string[] | undefined): string =>
  typeof command === 'string' ? command : (command ?? []).join(' ');

/** Compose durations: 30s, 1m30s, 500ms. */
function durationMs(value: string): number {
  const units: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(us|ms|h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== value) {
    throw new Error(`not a duration: ${value}`);
  }
  return parts.reduce((sum, p) => sum + Number(p[1]) * units[p[2]!]!, 0);
}

function packageScripts(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  return pkg.scripts ?? {};
}

describe('docker-compose.yml', () => {
  it('is valid for docker-compose, with no unset variable', () => {
    const run = compose(['config', '-q'], DUMMY_SECRETS);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
  });

  it.each(REQUIRED_SECRETS)('refuses to resolve without %s', (name) => {
    const { [name]: _dropped, ...others } = DUMMY_SECRETS;
    const run = compose(['config', '-q'], others);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`set ${name}`);
  });

  it('defines the whole stack, the simulator in the demo profile only', () => {
    const file = resolved();
    expect(Object.keys(file.services).sort()).toEqual([...SERVICES].sort());
    for (const name of SERVICES) {
      expect([name, service(file, name).profiles]).toEqual([
        name,
        name === 'simulator' ? ['demo'] : undefined,
      ]);
    }
  });

  it('runs Redis with AOF persistence and the noeviction policy BullMQ needs', () => {
    const command = words(service(resolved(), 'redis').command);
    expect(command).toMatch(/(^| )--appendonly yes( |$)/);
    expect(command).toMatch(/(^| )--maxmemory-policy noeviction( |$)/);
  });

  it('health-checks every service but the workers; the api on /healthz', () => {
    const file = resolved();
    for (const name of SERVICES.filter((s) => !WORKERS.includes(s))) {
      const check = service(file, name).healthcheck;
      expect([name, check?.disable ?? false, words(check?.test).length > 0]).toEqual([
        name,
        false,
        true,
      ]);
    }
    expect(words(service(file, 'api').healthcheck?.test)).toContain(
      'http://127.0.0.1:8080/healthz',
    );
  });

  it('starts the app services after Redis and MongoDB are healthy', () => {
    const file = resolved();
    for (const name of APP_SERVICES) {
      expect([name, service(file, name).depends_on]).toEqual([
        name,
        { redis: { condition: 'service_healthy' }, mongo: { condition: 'service_healthy' } },
      ]);
    }
  });

  it('gives the app services the stack addresses and the secrets from the environment', () => {
    const file = resolved();
    for (const name of APP_SERVICES) {
      const env = envOf(service(file, name));
      expect([name, env]).toEqual([
        name,
        expect.objectContaining({
          NODE_ENV: 'production',
          REDIS_URL: 'redis://redis:6379',
          MONGO_URL: 'mongodb://mongo:27017/li2fa',
          LINKEDIN_BASE_URL: 'https://www.linkedin.com',
          ...DUMMY_SECRETS,
        }),
      ]);
    }
    const api = service(file, 'api');
    expect(envOf(api)).toEqual(expect.objectContaining({ API_HOST: '0.0.0.0', API_PORT: '8080' }));
    expect(api.ports).toEqual([expect.objectContaining({ target: 8080, published: 8080 })]);
  });

  it('passes LINKEDIN_BASE_URL through (the demo points it at the simulator)', () => {
    const run = compose(['config'], {
      ...DUMMY_SECRETS,
      LINKEDIN_BASE_URL: 'http://simulator:4010',
    });
    expect(run.code).toBe(0);
    const file = parseCompose(run.stdout);
    for (const name of APP_SERVICES) {
      expect([name, envOf(service(file, name)).LINKEDIN_BASE_URL]).toEqual([
        name,
        'http://simulator:4010',
      ]);
    }
  });

  it('holds no secret value: only ${VAR} references, no env_file, no build args', () => {
    const file = raw();
    const looksSecret = /SECRET|TOKEN|PASSWORD|_KEYS$/;
    for (const [name, s] of Object.entries(file.services)) {
      expect([name, s.env_file, typeof s.build === 'object' ? s.build.args : undefined]).toEqual([
        name,
        undefined,
        undefined,
      ]);
      for (const [key, value] of Object.entries(envOf(s))) {
        if (!looksSecret.test(key) && !(SECRETS as readonly string[]).includes(key)) continue;
        if (value === undefined) continue; // passed through from the shell, no value here
        // ${KEY}, ${KEY:?message}, ${KEY?message} or ${KEY:-} (empty default): never a value.
        const reference = new RegExp(`^${name} ${key}=\\$\\{${key}(?::?\\?[^}]*|:?-)?\\}$`);
        expect(`${name} ${key}=${value}`).toMatch(reference);
      }
    }
  });

  it('lets the workers scale and stop gracefully, with room for Chromium', () => {
    const file = resolved();
    for (const name of WORKERS) {
      const worker = service(file, name);
      expect([name, worker.container_name, worker.ports, worker.init]).toEqual([
        name,
        undefined,
        undefined,
        true,
      ]);
      const graceMs = Number(envOf(worker).WORKER_SHUTDOWN_GRACE_MS);
      expect(graceMs).toBe(20_000);
      // Docker's SIGKILL must come after the jobs were handed back, with a margin.
      expect(durationMs(worker.stop_grace_period ?? '10s')).toBeGreaterThanOrEqual(graceMs + 5_000);
      expect(worker.shm_size).toBe('1gb');
    }
  });

  it('builds the api and the workers from the repo Dockerfile', () => {
    const file = resolved();
    for (const name of [...APP_SERVICES, 'simulator']) {
      const { build } = service(file, name);
      expect([name, typeof build === 'object' ? build.context : build]).toEqual([name, ROOT]);
    }
  });

  it("runs the package.json scripts' commands, not `npm run` (it swallows SIGTERM)", () => {
    const scripts = packageScripts();
    const file = resolved();
    for (const [name, script] of Object.entries(SCRIPTS)) {
      const command = words(service(file, name).command);
      const body = scripts[script];
      expect([name, body]).toEqual([name, expect.any(String)]);
      expect([name, command === body || command.startsWith(`${body} `)]).toEqual([name, true]);
    }
  });
});

/** Dockerfile instructions in order, continuation lines joined, comments dropped. */
function dockerfile(): { instruction: string; args: string }[] {
  const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [instruction = '', ...rest] = line.split(/\s+/);
      return { instruction: instruction.toUpperCase(), args: rest.join(' ') };
    });
}

describe('Dockerfile', () => {
  const steps = dockerfile();
  const args = (instruction: string) =>
    steps.filter((s) => s.instruction === instruction).map((s) => s.args);

  it('starts from Node 20 on Debian bookworm', () => {
    expect(args('FROM')).toEqual(['node:20-bookworm-slim']);
  });

  it("installs Debian's chromium with apt-get, without recommends, and cleans the lists", () => {
    const install = args('RUN').find((r) => /apt-get install/.test(r));
    expect(install).toMatch(/apt-get install -y --no-install-recommends .*\bchromium\b/);
    expect(install).toMatch(/\bca-certificates\b/);
    expect(install).toContain('rm -rf /var/lib/apt/lists/*');
    expect(args('ENV').join(' ')).toContain('CHROMIUM_PATH=/usr/lib/chromium/chromium');
  });

  it('keeps the dev dependencies when tsx is one (it runs the TypeScript)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    const ci = args('RUN').find((r) => /\bnpm ci\b/.test(r));
    expect(ci).toBeDefined();
    expect(ci).not.toMatch(/--omit[= ]dev|--production|--only[= ]prod/);
    const ciAt = steps.findIndex((s) => s.instruction === 'RUN' && s.args === ci);
    const productionBefore = steps
      .slice(0, ciAt)
      .some((s) => s.instruction === 'ENV' && /\bNODE_ENV=production\b/.test(s.args));
    if (pkg.devDependencies?.tsx && productionBefore) expect(ci).toContain('--include=dev');
  });

  it('runs as a non-root user', () => {
    const users = args('USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:|$)/);
    const lastUser = steps.map((s) => s.instruction).lastIndexOf('USER');
    // Nothing after the last USER switches back or runs commands as root.
    expect(steps.slice(lastUser + 1).map((s) => s.instruction)).not.toContain('RUN');
  });

  it('bakes in no secret and no .env', () => {
    for (const step of steps.filter((s) => ['COPY', 'ADD'].includes(s.instruction))) {
      expect(step.args).not.toMatch(/(^|[\s/])\.env\b/);
    }
    for (const step of steps.filter((s) => ['ENV', 'ARG'].includes(s.instruction))) {
      for (const secret of SECRETS) expect(step.args).not.toContain(secret);
    }
    const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    expect(ignored).toEqual(expect.arrayContaining(['.env', 'node_modules', '.dev', '.git']));
    // Only the documented example may be re-included.
    expect(ignored.filter((l) => l.startsWith('!'))).toEqual(
      ignored.includes('!.env.example') ? ['!.env.example'] : [],
    );
  });

  it('runs the api by default, directly (not through npm, which swallows SIGTERM)', () => {
    expect(args('CMD')).toEqual(['["tsx", "api/main.ts"]']);
  });
});
