import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Argv } from 'yargs';
import { packageRoot } from '../protocol/package-root.js';

/**
 * What `swaram-mock` and `swaram-conform` share: one-line usage errors with exit code 2,
 * flag value checks that keep what the user typed, and this package's own version.
 */

/** Exit code of a bad command line (docs/reports.md); 1 is kept for "a MUST rule failed". */
export const USAGE_EXIT_CODE = 2;

/** A bad command line: the message says what is wrong and what was given. */
export class UsageError extends Error {
  readonly code = 'usage_error';
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** This package's version, from its own package.json (not the one nearest the working folder). */
export function ownVersion(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** A yargs `coerce` that accepts a number > 0 (`--speed`). */
export function positiveNumber(flag: string): (value: unknown) => number {
  return (value) => {
    const n = asNumber(value);
    if (n === undefined || !(n > 0))
      throw new UsageError(`${flag} must be a number > 0 (got ${shown(value)})`);
    return n;
  };
}

/** A yargs `coerce` that accepts a whole number ≥ `min` (`--repeat`, `--jobs`, `--port`). */
export function wholeNumber(
  flag: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): (value: unknown) => number {
  return (value) => {
    const n = asNumber(value);
    if (n === undefined || !Number.isInteger(n) || n < min || n > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `from ${min} to ${max}`;
      throw new UsageError(`${flag} must be a whole number ${range} (got ${shown(value)})`);
    }
    return n;
  };
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function shown(value: unknown): string {
  if (value === true || value === '' || value === undefined) return 'no value';
  if (Array.isArray(value)) return `${value.length} values: ${value.map(shown).join(', ')}`;
  return JSON.stringify(value);
}

/** yargs' own messages, reworded to one line that names the flag. */
export function oneLine(message: string, argv: readonly string[] = []): string {
  const unknown = /^Unknown arguments?: (.+)$/.exec(message);
  if (unknown) {
    const names = unknown[1]!.split(', ').map((n) => {
      const flag = n.length === 1 ? `-${n}` : `--${n}`;
      return argv.some((x) => x === flag || x.startsWith(`${flag}=`)) ? flag : n;
    });
    return `unknown ${names.every((n) => n.startsWith('-')) ? 'option' : 'argument'}${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
  }
  const choices = /Argument: ([\w-]+), Given: (.+), Choices: (.+)/.exec(message);
  if (choices) return `--${choices[1]} must be one of ${choices[3]} (got ${choices[2]})`;
  const missingValue = /^Not enough arguments following: ([\w-]+)/.exec(message);
  if (missingValue) return `--${missingValue[1]} needs a value`;
  const required = /^Missing required arguments?: (.+)$/.exec(message);
  if (required)
    return `missing ${required[1]!
      .split(', ')
      .map((a) => `--${a}`)
      .join(', ')}`;
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
}

/**
 * Parses `argv` with a yargs program built by `build`. A usage error prints one line,
 * `<name>: <what is wrong>; see <name> [command] --help`, and sets exit code 2; the
 * command's handler does not run. Errors thrown by a handler are not usage errors and are
 * rethrown.
 */
export async function runCommandLine(
  name: string,
  argv: string[],
  commands: readonly string[],
  build: (y: Argv) => Argv,
): Promise<void> {
  let usage: string | undefined;
  const program = build(
    (await import('yargs'))
      .default(argv)
      .scriptName(name)
      .fail((message, error) => {
        if (error && !(error instanceof UsageError) && error.name !== 'YError' && !message)
          throw error;
        usage = oneLine(message || error?.message || 'bad command line', argv);
        throw new UsageError(usage);
      }),
  );
  try {
    await program.parseAsync();
  } catch (error) {
    if (usage === undefined) throw error;
    const command = commands.find((c) => c === argv[0]);
    process.stderr.write(`${name}: ${usage}; see ${name}${command ? ` ${command}` : ''} --help\n`);
    process.exitCode = USAGE_EXIT_CODE;
  }
}
