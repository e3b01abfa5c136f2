/**
 * The swaram wire protocol, as the mock and the runner share it: the event types, their JSON
 * Schemas (one per event, `clientEventSchemas` / `serverEventSchemas`), the compiled
 * validators, the codec that turns text into a typed event or violations, and the close and
 * error codes. Listed by name on purpose: the building blocks of the schemas stay internal.
 */
export {
  CLIENT_EVENT_TYPES,
  SERVER_EVENT_TYPES,
  OPENAI_ONLY_CLIENT_EVENT_TYPES,
  OPENAI_ONLY_SERVER_EVENT_TYPES,
  OPENAI_BETA_SERVER_EVENT_RENAMES,
  isClientEventType,
  isServerEventType,
  isOpenAiOnlyClientEventType,
  isOpenAiOnlyServerEventType,
  type ClientEventMap,
  type ServerEventMap,
  type ClientEventType,
  type ServerEventType,
  type ClientEvent,
  type ServerEvent,
  type ClientEventOf,
  type ServerEventOf,
  type OpenAiOnlyClientEventType,
  type OpenAiOnlyServerEventType,
  type SessionUpdateConfig,
  type FlatSessionConfig,
  type GaSessionConfig,
  type ServerSession,
  type Tool,
  type Item,
  type MessageItem,
  type ContentPart,
  type FunctionCallItem,
  type FunctionCallOutputItem,
  type StartedResponse,
  type FinishedResponse,
  type Usage,
  type RealtimeError,
} from './events.js';
export { clientEventSchemas } from './schemas/client-events.js';
export { serverEventSchemas } from './schemas/server-events.js';
export { SCHEMA_DIALECT } from './schemas/common.js';
export {
  strictValidators,
  tolerantValidators,
  validatorsFor,
  type EventValidator,
  type ValidatorSet,
} from './validators.js';
export {
  parseClientEvent,
  parseServerEvent,
  validateClientEvent,
  validateServerEvent,
  serializeEvent,
  isStrictBase64,
  pcm16Base64Problem,
  decodedBase64Length,
  MAX_VIOLATIONS,
  type ParseOptions,
  type ParseResult,
  type ParseSuccess,
  type ParseFailure,
  type RawFrame,
  TextFrame,
  type Violation,
  type ViolationCode,
} from './codec.js';
export * from './close-codes.js';
export * from './error-codes.js';
