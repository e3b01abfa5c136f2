/** One problem found in a message: the codec's and the explainer's common currency. */

/** What kind of problem a message has. Each value is also an `error.code` the mock sends. */
export type ViolationCode =
  'invalid_json' | 'unknown_event' | 'unsupported_event' | 'invalid_event' | 'invalid_audio';

/** One problem found in a message. */
export interface Violation {
  /** The kind of problem; usable as the `error.code` of an `error` event. */
  readonly code: ViolationCode;
  /** JSON Pointer to the offending value: `''` for the whole message, `'/session/voice'`. */
  readonly path: string;
  /** One sentence saying what was expected and what was found. */
  readonly message: string;
  /**
   * The JSON Schema keyword that failed (`required`, `type`, `enum`, `additionalProperties`, …)
   * when the problem came from the schema; absent for the codec's own checks.
   */
  readonly keyword?: string;
}
