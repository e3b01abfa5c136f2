import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumerLockfile } from './consumer-lockfile.js';

/**
 * The package as a user gets it: `npm pack` (which builds), installed into a scratch project
 * outside the repository from the npm cache only (no network, none of the repository's dev
 * dependencies), then used the documented way: types, both commands, the reference client.
 * Slow (about two minutes on a loaded machine): it runs in the harness stage of `npm test`.
 */

const run = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSC = createRequire(join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
};

/** The consumer's code: the documented API, and wrong uses that must not compile. */
const CONSUMER = `
import {
  runConformance,
  startMockServer,
  type ConformanceOptions,
  type ServerEvent,
  type ServerEventOf,
  type RunResult,
} from 'swaram-conformance';
import { SDK_NAME, SwaramClient, type SwaramClientEvents } from 'swaram-conformance/client';

const server = await startMockServer({ fixture: 'greeting', speed: 10 });
server.inject({ when: { on: 'delta', count: 3 }, do: { action: 'close', code: 1013 } });
// @ts-expect-error: 'nonsense' is not a trigger
server.inject({ when: { on: 'nonsense' }, do: { action: 'close', code: 1013 } });

const created: ServerEventOf<'session.created'>['type'] = 'session.created';
// @ts-expect-error: not an event type
const wrong: ServerEvent = { type: 'not.an.event' };

const client = new SwaramClient({ url: server.url, apiKey: server.keys[0]! });
const seen: SwaramClientEvents['connection'][0][] = [];
client.on('connection', (e) => seen.push(e));
// @ts-expect-error: the client has no such event
client.on('no-such-event', () => undefined);

const options: ConformanceOptions = { target: './my-sdk', speed: 4, scenarios: ['greeting'] };
const exitCode = (r: RunResult): number => r.summary.exitCode;
// @ts-expect-error: misspelt field
const misspelt = (r: RunResult) => r.sumary;
void [created, wrong, misspelt, exitCode, options, runConformance, seen];
await server.close();
console.log('consumer ok', SDK_NAME, server.url);
`;

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    skipLibCheck: false,
    types: ['node'],
    outDir: 'out',
  },
  files: ['consumer.ts'],
};

let work: string;
const env = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false' };
const timings: Record<string, number> = {};

async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await f();
  } finally {
    timings[label] = Math.round(performance.now() - t0);
  }
}

describe('the packed package, installed offline into a fresh project', () => {
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'swaram-consumer-'));
    const pack = join(work, 'pack');
    mkdirSync(pack);
    await timed('npm pack (builds)', () =>
      run('npm', ['pack', '--pack-destination', pack], { cwd: ROOT, env }),
    );
    const tgz = readdirSync(pack).find((f) => f.endsWith('.tgz'))!;
    const tarball = relative(work, join(pack, tgz));
    const integrity = `sha512-${createHash('sha512')
      .update(readFileSync(join(pack, tgz)))
      .digest('base64')}`;
    const repoLock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
    const lock = consumerLockfile(
      repoLock,
      { ...PKG, tarball, integrity, bin: PKG.bin },
      'swaram-consumer',
    );
    writeFileSync(join(work, 'package-lock.json'), JSON.stringify(lock, null, 2));
    writeFileSync(
      join(work, 'package.json'),
      JSON.stringify({
        name: 'swaram-consumer',
        private: true,
        type: 'module',
        dependencies: { [PKG.name]: `file:${tarball}` },
      }),
    );
    writeFileSync(join(work, 'consumer.ts'), CONSUMER);
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    await timed('npm ci --offline', () =>
      run('npm', ['ci', '--offline', '--omit=dev', '--no-audit'], { cwd: work, env }),
    );
  }, 480_000);

  afterAll(() => {
    console.log('consumer test timings (ms):', timings);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('installs no dev tooling: no tsx, vitest or typescript beside it', () => {
    const installed = readdirSync(join(work, 'node_modules'));
    expect(installed).toContain(PKG.name);
    for (const dev of ['tsx', 'vitest', 'typescript', 'eslint'])
      expect(installed).not.toContain(dev);
  });

  it('every package its published types import resolves from the install', () => {
    const pkgDir = join(work, 'node_modules', PKG.name);
    const specifiers = new Set<string>();
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.d.ts'))
          for (const m of readFileSync(p, 'utf8').matchAll(/from '([^.'][^']*)'/g))
            if (!m[1]!.startsWith('node:') && m[1] !== PKG.name) specifiers.add(m[1]!);
      }
    };
    walk(join(pkgDir, 'dist'));
    expect(specifiers).toContain('json-schema-to-ts');
    const need = createRequire(join(pkgDir, 'package.json'));
    const typesOf = (s: string) => `@types/${s.replace(/^@([^/]+)\//, '$1__')}`;
    for (const s of specifiers) {
      const found = [s, `${s}/package.json`, `${typesOf(s)}/package.json`].some((x) => {
        try {
          return Boolean(need.resolve(x));
        } catch {
          return false;
        }
      });
      expect(found, `${s} (imported by the published .d.ts) is not installed`).toBe(true);
    }
  });

  it('tsc --strict (no skipLibCheck) accepts the documented API and rejects wrong uses', async () => {
    const r = await timed('tsc', () =>
      run(process.execPath, [TSC, '-p', '.'], { cwd: work }).catch(
        (e: { stdout: string; code: number }) => e,
      ),
    );
    // An unused @ts-expect-error is an error too: types that collapse to `any` fail here.
    expect(r.stdout).toBe('');
    const out = await run(process.execPath, ['out/consumer.js'], { cwd: work });
    expect(out.stdout).toMatch(/^consumer ok swaram-reference-ts ws:\/\/127\.0\.0\.1:\d+/);
  }, 480_000);

  it("both commands print this package's version", async () => {
    for (const bin of ['swaram-mock', 'swaram-conform']) {
      const r = await run('npx', ['--offline', bin, '--version'], { cwd: work, env });
      expect(r.stdout.trim()).toBe(PKG.version);
    }
  }, 60_000);

  it('swaram-conform --target reference runs the shipped client without tsx', async () => {
    const r = await timed('swaram-conform --target reference', () =>
      run(
        'npx',
        [
          '--offline',
          'swaram-conform',
          '--target',
          'reference',
          '--scenario',
          'greeting',
          '--speed',
          '2',
          '--report-dir',
          join(work, 'reports'),
        ],
        { cwd: work, env },
      ),
    );
    // The terminal reporter writes to stderr; exit code 0 (execFile rejects otherwise).
    expect(r.stderr).toContain('target: swaram-reference-ts (adapter)');
    expect(r.stderr).toMatch(/greeting .*\d+ pass/);
    expect(r.stderr).toContain('PASSED');
  }, 120_000);
});
