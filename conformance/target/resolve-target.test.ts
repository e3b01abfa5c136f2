import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveTarget, splitCommandLine } from './resolve-target.js';
import { TargetError, TargetErrorCode } from './target-error.js';

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'swaram-target-'));
  writeFileSync(join(dir, 'adapter.js'), '');
  writeFileSync(join(dir, 'adapter.ts'), '');
  writeFileSync(join(dir, 'adapter.sh'), '#!/bin/sh\n');
  chmodSync(join(dir, 'adapter.sh'), 0o755);
  writeFileSync(join(dir, 'notes.txt'), '');
  mkdirSync(join(dir, 'py'));
  writeFileSync(
    join(dir, 'py', 'swaram-client.json'),
    JSON.stringify({
      name: 'swaram-py',
      command: 'python3',
      args: ['-u', 'adapter.py'],
      env: { LOG: 'debug' },
    }),
  );
  mkdirSync(join(dir, 'ts'));
  writeFileSync(
    join(dir, 'ts', 'swaram-client.json'),
    JSON.stringify({ name: 'ts-client', command: 'adapter.ts', args: ['--verbose'], mode: 'wire' }),
  );
  writeFileSync(join(dir, 'ts', 'adapter.ts'), '');
  mkdirSync(join(dir, 'empty'));
  mkdirSync(join(dir, 'broken'));
  writeFileSync(join(dir, 'broken', 'swaram-client.json'), '{"name": "x", "cmd": "y"}');
  mkdirSync(join(dir, 'notjson'));
  writeFileSync(join(dir, 'notjson', 'swaram-client.json'), '{name: x}');
});

function failure(fn: () => unknown): TargetError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TargetError);
    return err as TargetError;
  }
  throw new Error('expected a TargetError');
}

describe('resolveTarget', () => {
  it('reads a folder manifest', () => {
    const spec = resolveTarget({ target: 'py', cwd: dir });
    expect(spec).toMatchObject({
      name: 'swaram-py',
      mode: 'adapter',
      command: 'python3',
      args: ['-u', 'adapter.py'],
      cwd: join(dir, 'py'),
      env: { LOG: 'debug' },
      source: 'manifest',
    });
  });

  it('runs a manifest .ts command with node and tsx, and honours its mode', () => {
    const spec = resolveTarget({ target: join(dir, 'ts'), cwd: '/' });
    expect(spec.command).toBe(process.execPath);
    expect(spec.args[0]).toBe('--import');
    expect(spec.args[1]).toMatch(/^file:.*tsx/);
    expect(spec.args.slice(2)).toEqual([join(dir, 'ts', 'adapter.ts'), '--verbose']);
    expect(spec.mode).toBe('wire');
  });

  it('runs .js with node, executables as they are', () => {
    expect(resolveTarget({ target: 'adapter.js', cwd: dir })).toMatchObject({
      command: process.execPath,
      args: [join(dir, 'adapter.js')],
      source: 'file',
      mode: 'adapter',
    });
    expect(resolveTarget({ target: 'adapter.sh', cwd: dir, wireOnly: true })).toMatchObject({
      command: join(dir, 'adapter.sh'),
      args: [],
      mode: 'wire',
    });
  });

  it('splits --target-cmd', () => {
    expect(
      resolveTarget({ targetCmd: `python3 -u "my adapter.py" --x='a b'`, cwd: dir }),
    ).toMatchObject({
      name: 'python3',
      command: 'python3',
      args: ['-u', 'my adapter.py', '--x=a b'],
      cwd: dir,
      source: 'command',
    });
  });

  it('explains what is wrong', () => {
    expect(failure(() => resolveTarget({})).code).toBe(TargetErrorCode.OptionsInvalid);
    expect(failure(() => resolveTarget({ target: 'x', targetCmd: 'y' })).code).toBe(
      TargetErrorCode.OptionsInvalid,
    );
    expect(failure(() => resolveTarget({ targetCmd: '  ' })).code).toBe(
      TargetErrorCode.OptionsInvalid,
    );
    expect(failure(() => resolveTarget({ target: 'missing', cwd: dir })).code).toBe(
      TargetErrorCode.NotFound,
    );
    const missing = failure(() => resolveTarget({ target: 'empty', cwd: dir }));
    expect(missing.code).toBe(TargetErrorCode.ManifestMissing);
    expect(missing.message).toContain('--target-cmd');
    const broken = failure(() => resolveTarget({ target: 'broken', cwd: dir }));
    expect(broken.code).toBe(TargetErrorCode.ManifestInvalid);
    expect(broken.message).toContain("must have required property 'command'");
    expect(failure(() => resolveTarget({ target: 'notjson', cwd: dir })).code).toBe(
      TargetErrorCode.ManifestInvalid,
    );
    const notExec = failure(() => resolveTarget({ target: 'notes.txt', cwd: dir }));
    expect(notExec.code).toBe(TargetErrorCode.NotExecutable);
    expect(notExec.message).toContain('chmod +x');
  });
});

describe('splitCommandLine', () => {
  it('splits like a POSIX shell', () => {
    expect(splitCommandLine('a  b\tc')).toEqual(['a', 'b', 'c']);
    expect(splitCommandLine(`sh -c 'echo "$HOME" | cat'`)).toEqual([
      'sh',
      '-c',
      'echo "$HOME" | cat',
    ]);
    expect(splitCommandLine(`a "b \\"c\\" \\\\ \\x" d\\ e ''`)).toEqual([
      'a',
      'b "c" \\ \\x',
      'd e',
      '',
    ]);
    expect(splitCommandLine('a"b"\'c\'')).toEqual(['abc']);
  });

  it('refuses unterminated quotes', () => {
    expect(() => splitCommandLine('a "b')).toThrow(/unterminated " quote/);
    expect(() => splitCommandLine("a 'b")).toThrow(/unterminated ' quote/);
  });
});
