import { Ajv2020 } from 'ajv/dist/2020.js';
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, extname, isAbsolute, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';
import { TargetError, TargetErrorCode } from './target-error.js';

/** The manifest file a target folder holds. */
export const MANIFEST_FILE = 'swaram-client.json';

/**
 * `swaram-client.json`: how to start a client's adapter (or wire-only app). See
 * docs/adapter-protocol.md, "Telling the runner how to start you".
 */
export const manifestSchema = {
  $id: 'swaram:client-manifest',
  type: 'object',
  properties: {
    $schema: { type: 'string' },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string' },
    mode: { enum: ['adapter', 'wire'] },
    command: { type: 'string', minLength: 1 },
    args: { type: 'array', items: { type: 'string' } },
    cwd: { type: 'string' },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
  required: ['name', 'command'],
  additionalProperties: false,
} as const;

/** A parsed `swaram-client.json`. */
export type ClientManifest = FromSchema<typeof manifestSchema>;

/** How the runner talks to a target: through an adapter, or by watching the wire only. */
export type TargetMode = 'adapter' | 'wire';

/** A resolved target: exactly what to spawn. */
export interface TargetSpec {
  /** Display name (the manifest's `name`, else the file or command name). */
  readonly name: string;
  readonly mode: TargetMode;
  /** The program to run: an absolute path, or a name looked up on `PATH`. */
  readonly command: string;
  readonly args: readonly string[];
  /** Working folder of the process. */
  readonly cwd: string;
  /** Extra environment variables (on top of the runner's environment). */
  readonly env: Readonly<Record<string, string>>;
  /** Where the spec came from. */
  readonly source: 'manifest' | 'file' | 'command';
  /** The manifest file, when `source` is `manifest`. */
  readonly manifestPath?: string;
  readonly description?: string;
}

/** Options of {@link resolveTarget}: the CLI's `--target`, `--target-cmd` and `--wire-only`. */
export interface ResolveTargetOptions {
  /** A folder with `swaram-client.json`, an executable file, or a `.js` / `.ts` file. */
  readonly target?: string;
  /** A command line, split like a POSIX shell would (no shell runs it). */
  readonly targetCmd?: string;
  /** Run a plain app (no adapter channel). Default: the manifest's `mode`, else `false`. */
  readonly wireOnly?: boolean;
  /** Folder relative paths are resolved against. Default `process.cwd()`. */
  readonly cwd?: string;
}

const JS_EXTENSIONS = new Set(['.js', '.mjs', '.cjs']);
const TS_EXTENSIONS = new Set(['.ts', '.mts', '.cts']);

/**
 * Turns `--target` / `--target-cmd` into a {@link TargetSpec}. Never spawns anything.
 *
 * @throws TargetError with a message that says what to do (see {@link TargetErrorCode}).
 * @example
 * resolveTarget({ target: './clients/reference' });
 * // { name: 'swaram-reference-ts', command: '/usr/bin/node', args: ['--import', '…', 'adapter.ts'], … }
 */
export function resolveTarget(options: ResolveTargetOptions): TargetSpec {
  const cwd = options.cwd ?? process.cwd();
  const hasTarget = options.target !== undefined;
  const hasCmd = options.targetCmd !== undefined;
  if (hasTarget === hasCmd) {
    throw new TargetError(
      TargetErrorCode.OptionsInvalid,
      hasTarget
        ? 'give either --target or --target-cmd, not both'
        : 'no target: give --target <folder|file> or --target-cmd "<command line>"',
    );
  }
  if (hasCmd) return fromCommandLine(options.targetCmd ?? '', cwd, options.wireOnly);

  const target = options.target ?? '';
  if (target.trim() === '') {
    throw new TargetError(TargetErrorCode.OptionsInvalid, '--target is empty');
  }
  const path = resolve(cwd, target);
  let stats;
  try {
    stats = statSync(path);
  } catch {
    throw new TargetError(
      TargetErrorCode.NotFound,
      `--target ${target}: no such file or folder (looked for ${path})`,
    );
  }
  if (stats.isDirectory()) return fromManifest(join(path, MANIFEST_FILE), options.wireOnly);
  if (basename(path) === MANIFEST_FILE) return fromManifest(path, options.wireOnly);
  const { command, args } = commandForFile(path);
  return {
    name: basename(path),
    mode: options.wireOnly ? 'wire' : 'adapter',
    command,
    args,
    cwd: dirname(path),
    env: {},
    source: 'file',
  };
}

/**
 * How to run a file: `.js` with this Node, `.ts` with this Node and `tsx`, anything else as
 * an executable.
 *
 * @throws TargetError `target_not_executable`, `tsx_missing`
 */
export function commandForFile(path: string): { command: string; args: string[] } {
  const ext = extname(path).toLowerCase();
  if (JS_EXTENSIONS.has(ext)) return { command: process.execPath, args: [path] };
  if (TS_EXTENSIONS.has(ext)) {
    return { command: process.execPath, args: ['--import', tsxLoader(path), path] };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new TargetError(
      TargetErrorCode.NotExecutable,
      `${path} is not executable and not a .js or .ts file: make it executable (chmod +x), ` +
        'or give a folder with swaram-client.json, or use --target-cmd',
    );
  }
  return { command: path, args: [] };
}

function tsxLoader(forFile: string): string {
  try {
    return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  } catch {
    throw new TargetError(
      TargetErrorCode.TsxMissing,
      `${forFile} is TypeScript, which needs tsx to run: install it (npm install --save-dev tsx) ` +
        'or point --target at compiled JavaScript',
    );
  }
}

let manifestValidator: ValidateFunction<ClientManifest> | undefined;

function validateManifest(): ValidateFunction<ClientManifest> {
  manifestValidator ??= new Ajv2020({ strict: true, allErrors: true }).compile<ClientManifest>(
    manifestSchema,
  );
  return manifestValidator;
}

/**
 * Reads a `swaram-client.json` and resolves its command.
 *
 * @throws TargetError `manifest_missing`, `manifest_invalid`, and those of {@link commandForFile}
 */
export function fromManifest(manifestPath: string, wireOnly?: boolean): TargetSpec {
  let text: string;
  try {
    text = readFileSync(manifestPath, 'utf8');
  } catch {
    throw new TargetError(
      TargetErrorCode.ManifestMissing,
      `no ${MANIFEST_FILE} in ${dirname(manifestPath)}: add one that names the adapter command ` +
        '(see docs/adapter-protocol.md), or use --target-cmd',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new TargetError(
      TargetErrorCode.ManifestInvalid,
      `${manifestPath} is not valid JSON: ${(err as Error).message}`,
    );
  }
  const validate = validateManifest();
  if (!validate(value)) {
    const problems = (validate.errors ?? [])
      .map((e) => `${e.instancePath || '(top level)'} ${e.message ?? 'is invalid'}`)
      .join('; ');
    throw new TargetError(
      TargetErrorCode.ManifestInvalid,
      `${manifestPath} does not match the manifest schema: ${problems}. ` +
        'Required: "name" and "command"; optional: "args", "cwd", "env", "mode", "description"',
    );
  }
  const manifest = value as ClientManifest;
  const folder = dirname(manifestPath);
  const cwd = resolve(folder, manifest.cwd ?? '.');
  const extraArgs = manifest.args ?? [];
  let command: string;
  let args: string[];
  if (manifest.command === 'node') {
    command = process.execPath;
    args = [...extraArgs];
  } else if (looksLikePath(manifest.command)) {
    const file = resolve(folder, manifest.command);
    const resolved = commandForFile(file);
    command = resolved.command;
    args = [...resolved.args, ...extraArgs];
  } else {
    command = manifest.command;
    args = [...extraArgs];
  }
  return {
    name: manifest.name,
    mode: wireOnly || manifest.mode === 'wire' ? 'wire' : 'adapter',
    command,
    args,
    cwd,
    env: { ...(manifest.env ?? {}) },
    source: 'manifest',
    manifestPath,
    ...(manifest.description !== undefined ? { description: manifest.description } : {}),
  };
}

/** A path rather than a program name on `PATH`: has a separator or a file extension we run. */
function looksLikePath(command: string): boolean {
  const ext = extname(command).toLowerCase();
  return (
    isAbsolute(command) ||
    command.includes('/') ||
    command.includes(sep) ||
    JS_EXTENSIONS.has(ext) ||
    TS_EXTENSIONS.has(ext)
  );
}

function fromCommandLine(line: string, cwd: string, wireOnly?: boolean): TargetSpec {
  const words = splitCommandLine(line);
  const [command, ...args] = words;
  if (command === undefined) {
    throw new TargetError(TargetErrorCode.OptionsInvalid, '--target-cmd is empty');
  }
  return {
    name: basename(command),
    mode: wireOnly ? 'wire' : 'adapter',
    command: command === 'node' ? process.execPath : command,
    args,
    cwd,
    env: {},
    source: 'command',
  };
}

/**
 * Splits a command line into words like a POSIX shell: whitespace separates words, `'…'`
 * keeps everything literally, `"…"` keeps everything but `\"`, `\\`, `\$` and `` \` ``
 * escapes, a backslash outside quotes escapes the next character. No variables, globs,
 * pipes or redirections (nothing runs a shell).
 *
 * @throws TargetError `target_options_invalid` on an unterminated quote
 * @example splitCommandLine(`python3 -u "my adapter.py" --name='a b'`)
 * // ['python3', '-u', 'my adapter.py', '--name=a b']
 */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  while (i < line.length) {
    const c = line[i] as string;
    if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw unterminated(line, "'");
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      for (;;) {
        if (i >= line.length) throw unterminated(line, '"');
        const d = line[i] as string;
        if (d === '"') break;
        if (d === '\\' && i + 1 < line.length && '"\\$`'.includes(line[i + 1] as string)) {
          word += line[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      if (i + 1 < line.length) word += line[i + 1];
      inWord = true;
      i += 2;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function unterminated(line: string, quote: string): TargetError {
  return new TargetError(
    TargetErrorCode.OptionsInvalid,
    `--target-cmd has an unterminated ${quote} quote: ${line}`,
  );
}
