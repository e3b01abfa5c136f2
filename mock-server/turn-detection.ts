import { VAD_DEFAULTS, type VadOptions } from './vad.js';
import type { Mode } from './session.js';

/**
 * How a session takes turns, from its `turn_detection` setting (docs/mock-server.md, "Turn
 * detection").
 */
export interface TurnTaking {
  /**
   * The server VAD's settings; `undefined` for manual turns (`turn_detection: null`): no
   * `speech_started` / `speech_stopped`, the client commits and asks for replies.
   */
  readonly vad: VadOptions | undefined;
  /** Whether the end of a user turn (VAD or commit) starts a reply on its own. */
  readonly createResponse: boolean;
  /** Whether `speech_started` cancels the reply in flight (barge-in). */
  readonly interruptResponse: boolean;
}

/** A `turn_detection` value the mock refuses, with the field it names and why. */
export interface TurnDetectionRefusal {
  /** OpenAI's dotted `param`, e.g. `session.turn_detection.type`. */
  readonly param: string;
  readonly message: string;
}

/**
 * OpenAI's `threshold` (0–1, default 0.5: higher needs louder audio) on the mock's energy
 * scale: 0.5 is the default -45 dBFS, each 0.1 is 5 dB (0 → -70 dBFS, 1 → -20 dBFS).
 */
export function thresholdToDbfs(threshold: number): number {
  return VAD_DEFAULTS.thresholdDbfs + (threshold - 0.5) * 50;
}

const PARAM = 'session.turn_detection';

/**
 * Reads a `turn_detection` setting (already schema-checked) for a session of `mode` whose
 * server was started with VAD settings `base`: the turn-taking it asks for, or why the mock
 * refuses it. Honoured: `server_vad` with `threshold`, `prefix_padding_ms`,
 * `silence_duration_ms`, `create_response`, `interrupt_response`; `null` (manual turns, Simple
 * only); `semantic_vad` is served by the energy VAD (`eagerness` ignored). Refused in Premium,
 * which takes turns by VAD only and ignores commit and `response.create`: `null` and
 * `create_response: false` (no turn could end, or no reply come).
 */
export function turnTaking(
  td: Record<string, unknown> | null,
  mode: Mode,
  base: VadOptions = {},
): { ok: true; turns: TurnTaking } | { ok: false; refusal: TurnDetectionRefusal } {
  const refuse = (param: string, message: string) =>
    ({ ok: false, refusal: { param, message } }) as const;
  const createResponse = td?.create_response !== false;
  const interruptResponse = td?.interrupt_response !== false;
  if (td === null) {
    if (mode === 'premium') {
      return refuse(
        PARAM,
        'Premium takes turns by server VAD only (it ignores commit and response.create), so turn_detection cannot be null; leave it out or use {"type": "server_vad"}',
      );
    }
    return { ok: true, turns: { vad: undefined, createResponse: false, interruptResponse: false } };
  }
  if (!createResponse && mode === 'premium') {
    return refuse(
      `${PARAM}.create_response`,
      'Premium replies on its own and ignores response.create, so create_response cannot be false',
    );
  }
  // semantic_vad (OpenAI's SDKs send it by default) is served by the energy VAD at the
  // server's settings: the mock has no semantic model, and whether swaram has one is not
  // documented, so refusing it would fail those SDKs for a guess. `eagerness` is ignored.
  if (td.type === 'semantic_vad') {
    return { ok: true, turns: { vad: { ...base }, createResponse, interruptResponse } };
  }
  const vad: VadOptions = { ...base };
  if (typeof td.threshold === 'number') vad.thresholdDbfs = thresholdToDbfs(td.threshold);
  if (typeof td.prefix_padding_ms === 'number') vad.prefixPaddingMs = td.prefix_padding_ms;
  if (typeof td.silence_duration_ms === 'number') vad.silenceMs = td.silence_duration_ms;
  return {
    ok: true,
    turns: { vad, createResponse, interruptResponse },
  };
}
