import type { FixtureProblem } from '../../protocol/fixture/fixture-error.js';

/**
 * Why the recorder refused to start or could not write a fixture. Stable strings: match on
 * `code`, not on the message. Listed in docs/fixtures.md, "Recording a fixture".
 */
export const RecorderErrorCode = {
  /** `upstream` is not a `ws://` or `wss://` URL. */
  InvalidUpstream: 'invalid_upstream',
  /** The last part of `out` is not a valid fixture name. */
  InvalidOut: 'invalid_out',
  /** `out` exists and is not empty (pass `overwrite` / `--force`). */
  OutNotEmpty: 'out_not_empty',
  /** No client connected through the recorder before it was closed. */
  NothingRecorded: 'nothing_recorded',
  /**
   * The session had no user turn with a reply, so there is nothing to replay;
   * `events.jsonl` and `violations.json` are written all the same.
   */
  NothingToReplay: 'nothing_to_replay',
  /** The written fixture failed `validateFixture` (a recorder bug: please report it). */
  FixtureInvalid: 'fixture_invalid',
} as const;

/** One of the {@link RecorderErrorCode} values. */
export type RecorderErrorCode = (typeof RecorderErrorCode)[keyof typeof RecorderErrorCode];

/** Thrown by `startRecorder`, and by `close()` / `recorded` when no fixture could be written. */
export class RecorderError extends Error {
  override readonly name = 'RecorderError';

  constructor(
    readonly code: RecorderErrorCode,
    message: string,
    /** Files written anyway (absolute paths), e.g. `events.jsonl` for `nothing_to_replay`. */
    readonly files: readonly string[] = [],
    /** The validation problems, for `fixture_invalid`. */
    readonly problems: readonly FixtureProblem[] = [],
  ) {
    super(message);
  }
}
