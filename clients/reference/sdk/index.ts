/**
 * The swaram reference client SDK: a small, correct realtime client for swaram's Malayalam
 * speech-to-speech API. It depends on `ws` only and knows nothing of the conformance harness.
 */
export const SDK_NAME = 'swaram-reference-ts';
export const SDK_VERSION = '0.1.0';

export {
  SwaramClient,
  type AudioDroppedEvent,
  type ClientMessage,
  type ConnectionEvent,
  type ConnectionState,
  type ResponseEvent,
  type ResponseState,
  type ServerMessage,
  type SessionConfig,
  type SocketFactory,
  type SwaramClientEvents,
  type SwaramClientOptions,
  type ToolDefinition,
  type TranscriptEvent,
} from './swaram-client.js';
export { AudioChunker, type AudioChunkerOptions } from './audio-chunker.js';
export {
  ExponentialBackoff,
  type BackoffPolicy,
  type ExponentialBackoffOptions,
} from './backoff.js';
export { ManualClock, realClock, type Clock } from './clock.js';
export { BYTES_PER_MS, bytesToMs, decodePcm16, encodePcm16, msToBytes } from './pcm16.js';
export { NullPlayer, type PlaybackChunk, type Player, type StopReason } from './player.js';
export {
  SwaramError,
  classifyClose,
  classifyServerError,
  type CloseContext,
  type CloseDecision,
  type ErrorKind,
} from './swaram-error.js';
export {
  ToolDispatcher,
  type ToolCall,
  type ToolFailureCode,
  type ToolHandler,
  type ToolOutcome,
} from './tool-dispatcher.js';
export { TypedEmitter } from './typed-emitter.js';
export {
  VirtualSpeaker,
  type PlaybackStop,
  type PlayedAudio,
  type VirtualSpeakerOptions,
} from './virtual-speaker.js';
