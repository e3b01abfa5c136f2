/**
 * The protocol layer shared by the mock and the harness: event schemas and their derived types,
 * compiled validators, the codec, and the close and error codes. See docs/protocol.md.
 */
export * from './schemas/index.js';
export * from './events.js';
export * from './validators.js';
export * from './codec.js';
export * from './close-codes.js';
export * from './error-codes.js';
// Audio helpers (WAV ↔ PCM16) are exported from ./audio/index.js by their own line below.
