/**
 * Why the runner could not resolve, start or talk to a target. Stable strings: match on
 * `error.code`, not on the message.
 *
 * Resolving (`resolveTarget`):
 * - `target_options_invalid`: neither or both of `--target` and `--target-cmd`, or an empty one.
 * - `target_not_found`: the `--target` path does not exist.
 * - `manifest_missing`: a folder without `swaram-client.json`.
 * - `manifest_invalid`: `swaram-client.json` is not JSON or does not match its schema.
 * - `target_not_executable`: a file that is neither executable nor `.js` / `.ts`.
 * - `tsx_missing`: a `.ts` target, but `tsx` cannot be found to run it.
 *
 * Running (`Target`):
 * - `spawn_failed`: the command could not be started (not found, not executable).
 * - `handshake_timeout`: the adapter said nothing within the handshake timeout.
 * - `handshake_garbage`: the adapter's first line is not JSON (often a log line on stdout).
 * - `handshake_invalid`: the first line is JSON but not a valid `hello`.
 * - `handshake_version`: the adapter speaks another protocol version.
 * - `exited_early`: the process exited before its `hello`.
 * - `not_running`: a command was sent before `start()` finished or after the process ended.
 * - `wire_only`: a command was sent to a wire-only target, which has no adapter channel.
 * - `invalid_command`: runner code built a command that does not match the protocol.
 * - `request_timeout`: no reply to a command within the request timeout.
 * - `exited`: the process ended while a request was waiting for its reply.
 */
export const TargetErrorCode = {
  OptionsInvalid: 'target_options_invalid',
  NotFound: 'target_not_found',
  ManifestMissing: 'manifest_missing',
  ManifestInvalid: 'manifest_invalid',
  NotExecutable: 'target_not_executable',
  TsxMissing: 'tsx_missing',
  SpawnFailed: 'spawn_failed',
  HandshakeTimeout: 'handshake_timeout',
  HandshakeGarbage: 'handshake_garbage',
  HandshakeInvalid: 'handshake_invalid',
  HandshakeVersion: 'handshake_version',
  ExitedEarly: 'exited_early',
  NotRunning: 'not_running',
  WireOnly: 'wire_only',
  InvalidCommand: 'invalid_command',
  RequestTimeout: 'request_timeout',
  Exited: 'exited',
} as const;

/** One of the {@link TargetErrorCode} values. */
export type TargetErrorCode = (typeof TargetErrorCode)[keyof typeof TargetErrorCode];

/**
 * A target that cannot be resolved, started or driven. The message says what was expected,
 * what was seen and what to do; `stderr` holds the tail of the target's log when there is one.
 */
export class TargetError extends Error {
  override readonly name = 'TargetError';

  constructor(
    /** Stable reason, see {@link TargetErrorCode}. */
    readonly code: TargetErrorCode,
    message: string,
    /** The last lines the target wrote to stderr, when it ran. */
    readonly stderr?: string,
  ) {
    super(stderr ? `${message}\n--- last lines of the target's stderr ---\n${stderr}` : message);
  }
}
