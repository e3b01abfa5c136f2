/**
 * Regenerates the built-in fixtures' audio and `fixtures/fixture.schema.json`.
 *
 *   npm run fixtures:build                  every fixture, then the schema
 *   npm run fixtures:build -- greeting      only the WAVs that greeting uses
 *   npm run fixtures:build -- --schema-only only fixtures/fixture.schema.json
 *
 * Every WAV is spoken by espeak-ng's Malayalam voice from the transcript in the manifests,
 * converted by sox to PCM16 24 kHz mono, trimmed, then padded: user utterances get 250 ms of
 * silence before and 800 ms after, so the mock's energy VAD (-45 dBFS, 500 ms of silence)
 * sees exactly one utterance. A file is rewritten only when its bytes change, so running the
 * script twice changes nothing. Only maintainers need espeak-ng and sox; installing or using
 * the package never does (the WAVs are committed).
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import * as prettier from 'prettier';
import { checkManifest } from '../protocol/fixture/check-manifest.js';
import { fixtureSchema } from '../protocol/fixture/fixture-schema.js';
import { listFixtures, validateFixture } from '../protocol/fixture/load-fixture.js';
import {
  concatPcm,
  encodeWav,
  measureSilence,
  msToSamples,
  readWav,
  samplesToMs,
  silence,
  type Pcm16,
} from '../protocol/audio/index.js';
import { packageRoot } from '../protocol/package-root.js';

/** How each role sounds. espeak-ng's `ml` voice is male; `+f3` is a female variant. */
const VOICES = {
  user: { voice: 'ml', speed: 165, pitch: 45 },
  assistant: { voice: 'ml+f3', speed: 170, pitch: 55 },
} as const;

/** Silence around speech, in ms: [before, after]. */
const PADDING = { user: [250, 800], assistant: [30, 150] } as const;

/** Quieter than this is silence when trimming espeak-ng's own lead and tail. */
const TRIM_DBFS = -60;

/** The mock's VAD threshold, and the longest pause a user utterance may hold (its limit is 500 ms). */
const VAD_THRESHOLD_DBFS = -45;
const MAX_USER_PAUSE_MS = 400;

/** The built-in audio should stay small: the package ships it. */
const BUDGET_BYTES = 3 * 1024 * 1024;

type Role = keyof typeof VOICES;

interface Job {
  readonly file: string;
  readonly role: Role;
  readonly transcript: string;
  readonly refs: string[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const schemaOnly = args.includes('--schema-only');
  const only = args.filter((a) => !a.startsWith('--'));
  const root = join(packageRoot(), 'fixtures');

  await writeSchema(join(root, 'fixture.schema.json'));
  if (schemaOnly) return;
  requireTools();

  const names = only.length > 0 ? only : await listFixtures();
  const jobs = await collectJobs(root, names);
  const work = await mkdtemp(join(tmpdir(), 'swaram-fixtures-'));
  let total = 0;
  try {
    for (const job of jobs.values()) {
      const pcm = await speak(job, work);
      const bytes = encodeWav(pcm);
      total += bytes.byteLength;
      const changed = await writeIfChanged(job.file, bytes);
      console.log(
        `${changed ? 'wrote    ' : 'unchanged'} ${relative(root, job.file).padEnd(40)} ` +
          `${(samplesToMs(pcm.length) / 1000).toFixed(2).padStart(6)} s ${kb(bytes.byteLength)}`,
      );
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  console.log(`${jobs.size} WAV files, ${kb(total)} in total`);
  if (only.length === 0 && total > BUDGET_BYTES) {
    console.warn(`warning: the built-in audio is over ${kb(BUDGET_BYTES)}: shorten or share WAVs`);
  }

  let failed = false;
  for (const name of names) {
    const report = await validateFixture(name);
    for (const p of report.problems) {
      console.error(`${name}: ${p.severity} ${p.code} ${p.file} ${p.path}: ${p.message}`);
    }
    failed ||= !report.ok;
  }
  if (failed) process.exitCode = 1;
}

/** Writes the schema for editors, formatted as the repository's Prettier config says. */
async function writeSchema(path: string): Promise<void> {
  const config = (await prettier.resolveConfig(path)) ?? {};
  const text = await prettier.format(JSON.stringify(fixtureSchema), { ...config, parser: 'json' });
  const changed = await writeIfChanged(path, Buffer.from(text));
  console.log(`${changed ? 'wrote    ' : 'unchanged'} fixture.schema.json`);
}

function requireTools(): void {
  const missing = ['espeak-ng', 'sox'].filter(
    (tool) => spawnSync(tool, ['--version'], { stdio: 'ignore' }).error !== undefined,
  );
  if (missing.length > 0) {
    console.error(
      `${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} needed to regenerate fixture audio ` +
        '(only for that: using the package never needs them). Install them with:\n' +
        '  Debian/Ubuntu: sudo apt-get install espeak-ng sox\n' +
        '  macOS:         brew install espeak-ng sox\n' +
        'or run with --schema-only to rewrite fixtures/fixture.schema.json alone.',
    );
    process.exit(1);
  }
}

/** Every WAV the named fixtures reference, once each, with the text it must say. */
async function collectJobs(root: string, names: readonly string[]): Promise<Map<string, Job>> {
  const jobs = new Map<string, Job>();
  const add = (file: string, role: Role, transcript: string, ref: string) => {
    const job = jobs.get(file);
    if (job === undefined) {
      jobs.set(file, { file, role, transcript, refs: [ref] });
    } else if (job.role !== role || job.transcript !== transcript) {
      throw new Error(
        `${relative(root, file)} is used by ${job.refs[0]} as ${job.role} "${job.transcript}" ` +
          `and by ${ref} as ${role} "${transcript}": one file, one role and one text`,
      );
    } else {
      job.refs.push(ref);
    }
  };
  for (const name of names) {
    const dir = join(root, name);
    const manifestPath = join(dir, 'fixture.json');
    const { manifest, findings } = checkManifest(JSON.parse(await readFile(manifestPath, 'utf8')));
    if (manifest === undefined) {
      const lines = findings.map((f) => `  ${f.path}: ${f.message}`).join('\n');
      throw new Error(`${manifestPath} is invalid:\n${lines}`);
    }
    manifest.turns.forEach((turn, t) => {
      add(resolve(dir, turn.user.audio), 'user', turn.user.transcript, `${name}/turns/${t}/user`);
      turn.responses.forEach((response, r) => {
        if (response.audio === undefined) return;
        const ref = `${name}/turns/${t}/responses/${r}`;
        if (response.transcript === undefined) {
          console.warn(`${ref}: no transcript, so ${response.audio} is kept as it is`);
          return;
        }
        add(resolve(dir, response.audio), 'assistant', response.transcript, ref);
      });
    });
  }
  return jobs;
}

/** espeak-ng → sox (24 kHz mono PCM16, no dither so the output is repeatable) → trim → pad. */
async function speak(job: Job, work: string): Promise<Pcm16> {
  const { voice, speed, pitch } = VOICES[job.role];
  const raw = join(work, 'raw.wav');
  const converted = join(work, 'converted.wav');
  run('espeak-ng', [
    '-v',
    voice,
    '-s',
    String(speed),
    '-p',
    String(pitch),
    '-w',
    raw,
    job.transcript,
  ]);
  run('sox', [
    '-D',
    raw,
    '-r',
    '24000',
    '-c',
    '1',
    '-b',
    '16',
    '-e',
    'signed-integer',
    converted,
    'norm',
    '-3',
  ]);
  const pcm = await readWav(converted);
  const { leadingMs, trailingMs } = measureSilence(pcm, { thresholdDbfs: TRIM_DBFS });
  const start = Math.max(0, msToSamples(leadingMs) - msToSamples(10));
  const end = Math.min(pcm.length, pcm.length - msToSamples(trailingMs) + msToSamples(10));
  const [before, after] = PADDING[job.role];
  const out = concatPcm(silence(before), pcm.subarray(start, end), silence(after));
  if (job.role === 'user') {
    // One utterance for the VAD: no inner pause may reach its 500 ms of silence.
    const { longestPauseMs } = measureSilence(out, { thresholdDbfs: VAD_THRESHOLD_DBFS });
    if (longestPauseMs > MAX_USER_PAUSE_MS) {
      throw new Error(
        `${job.refs[0]}: "${job.transcript}" has a ${longestPauseMs} ms pause, over ${MAX_USER_PAUSE_MS} ms: ` +
          'the VAD would hear two utterances. Drop a comma or full stop, or split the turn.',
      );
    }
  }
  return out;
}

function run(command: string, args: string[]): void {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error !== undefined || result.status !== 0) {
    throw new Error(`${command} failed: ${result.error?.message ?? result.stderr}`);
  }
}

async function writeIfChanged(path: string, bytes: Buffer): Promise<boolean> {
  const old = await readFile(path).catch(() => undefined);
  if (old !== undefined && Buffer.compare(old, bytes) === 0) return false;
  await writeFile(path, bytes);
  return true;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KB`;
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exitCode = 1;
});
