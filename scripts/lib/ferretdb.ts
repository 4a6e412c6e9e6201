/**
 * Installs FerretDB v1.24.2, the MongoDB-wire server used where no `mongod` exists (MongoDB
 * has no Debian or npm package).
 *
 * Why not a plain `go install …@v1.24.2`: the module as published lacks the generated
 * `build/version/version.txt`, and a binary built from it with `go install` panics at start
 * ("Invalid build/version/version.txt file content"). So the module is fetched with
 * `go mod download` (the Go module proxy, as `go install` would), copied, given the version
 * file, and built with `go build`. Pure Go (CGO_ENABLED=0): the SQLite backend needs no cgo.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import { run, which } from './processes';

export const FERRETDB_VERSION = 'v1.24.2';
const MODULE = 'github.com/FerretDB/FerretDB';

/** Where the binary lives once installed: a per-user cache, shared by every clone. */
export function ferretdbBinary(cacheDir: string): string {
  return join(cacheDir, `ferretdb-${FERRETDB_VERSION}`, 'ferretdb');
}

/**
 * Returns the path of a working FerretDB binary, building it into `cacheDir` when missing.
 * Throws with a how-to-fix message when Go is not available.
 */
export async function ensureFerretdb(
  cacheDir: string,
  say: (line: string) => void,
): Promise<string> {
  const binary = ferretdbBinary(cacheDir);
  if (existsSync(binary)) return binary;

  const go = which('go') ?? (existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : null);
  if (!go) {
    throw new Error(
      'No MongoDB-wire server: no mongod on PATH and no Go toolchain to build FerretDB. ' +
        'Install Go (https://go.dev/dl) or set MONGO_URL to a MongoDB >= 6 / FerretDB 1.24 server.',
    );
  }
  say(`building FerretDB ${FERRETDB_VERSION} with ${go} (first run only, about 2–3 minutes)…`);
  const env = { CGO_ENABLED: '0', GOFLAGS: '-mod=mod' };
  const dl = await run(go, ['mod', 'download', '-json', `${MODULE}@${FERRETDB_VERSION}`], { env });
  if (dl.code !== 0) throw new Error(`go mod download failed:\n${dl.output}`);
  const { Dir } = JSON.parse(dl.output.slice(dl.output.indexOf('{'))) as { Dir?: string };
  if (!Dir) throw new Error(`go mod download gave no directory:\n${dl.output}`);

  const work = join(cacheDir, `ferretdb-src-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  try {
    cpSync(Dir, work, { recursive: true });
    await run('chmod', ['-R', 'u+w', work]); // the module cache is read-only
    writeFileSync(join(work, 'build', 'version', 'version.txt'), `${FERRETDB_VERSION}\n`);
    mkdirSync(join(cacheDir, `ferretdb-${FERRETDB_VERSION}`), { recursive: true });
    const tmpBinary = `${binary}.tmp-${process.pid}`;
    let build = await run(
      go,
      ['build', '-trimpath', '-buildvcs=false', '-o', tmpBinary, './cmd/ferretdb'],
      {
        cwd: work,
        env,
      },
    );
    if (build.code !== 0 && /invalid reference to|linkname/.test(build.output)) {
      // Go 1.23+ restricts linkname; older dependencies need the check off.
      build = await run(
        go,
        [
          'build',
          '-trimpath',
          '-buildvcs=false',
          '-ldflags=-checklinkname=0',
          '-o',
          tmpBinary,
          './cmd/ferretdb',
        ],
        { cwd: work, env },
      );
    }
    if (build.code !== 0) throw new Error(`building FerretDB failed:\n${build.output}`);
    const check = await run(tmpBinary, ['--version']);
    if (check.code !== 0 || !check.output.includes(FERRETDB_VERSION)) {
      throw new Error(`the FerretDB binary does not run:\n${check.output}`);
    }
    cpSync(tmpBinary, binary);
    rmSync(tmpBinary, { force: true });
    chmodSync(binary, 0o755);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  say(`FerretDB installed at ${binary}`);
  return binary;
}
