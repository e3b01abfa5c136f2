import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type {
  clientEventSchemas,
  contentPartSchema,
  finishedResponseSchema,
  flatSessionSchema,
  functionCallItemSchema,
  functionCallOutputItemSchema,
  gaSessionSchema,
  itemSchema,
  messageItemSchema,
  realtimeErrorSchema,
  serverEventSchemas,
  serverSessionSchema,
  sessionUpdateConfigSchema,
  startedResponseSchema,
  toolSchema,
  usageSchema,
} from './schemas/index.js';

/*
 * Event types derived from the schemas in ./schemas, so a schema and its type cannot drift.
 * They describe the strict set (the fields swaram documents); objects the schemas leave open
 * carry an index signature. Events parsed in tolerant mode may hold extra fields at run time.
 */

type Derive<Schema extends JSONSchema> = FromSchema<
  Schema,
  { keepDefaultedPropertiesOptional: true }
>;

type ClientSchemas = typeof clientEventSchemas;
type ServerSchemas = typeof serverEventSchemas;

/** Each client event type name mapped to its event type. */
export type ClientEventMap = { [T in keyof ClientSchemas]: Derive<ClientSchemas[T]> };
/** Each server event type name mapped to its event type. */
export type ServerEventMap = { [T in keyof ServerSchemas]: Derive<ServerSchemas[T]> };

/** The 7 client event type names of swaram's subset. */
export type ClientEventType = keyof ClientEventMap;
/** The 12 server event type names of swaram's subset. */
export type ServerEventType = keyof ServerEventMap;

/** Any of the 7 client events; narrow on `type`. */
export type ClientEvent = ClientEventMap[ClientEventType];
/** Any of the 12 server events; narrow on `type`. */
export type ServerEvent = ServerEventMap[ServerEventType];

/** One client event by name: `ClientEventOf<'session.update'>`. */
export type ClientEventOf<T extends ClientEventType> = ClientEventMap[T];
/** One server event by name: `ServerEventOf<'response.done'>`. */
export type ServerEventOf<T extends ServerEventType> = ServerEventMap[T];

/** `session` of `session.update`: swaram's flat shape or the OpenAI GA nested extension. */
export type SessionUpdateConfig = Derive<typeof sessionUpdateConfigSchema>;
/** swaram's documented flat session settings. */
export type FlatSessionConfig = Derive<typeof flatSessionSchema>;
/** The OpenAI GA nested session shape (`type: "realtime"`), accepted as an extension. */
export type GaSessionConfig = Derive<typeof gaSessionSchema>;
/** `session` of `session.created` / `session.updated`. */
export type ServerSession = Derive<typeof serverSessionSchema>;
/** A function tool. */
export type Tool = Derive<typeof toolSchema>;
/** Any conversation item carried by a server event. */
export type Item = Derive<typeof itemSchema>;
/** A message item (user turn or assistant reply). */
export type MessageItem = Derive<typeof messageItemSchema>;
/** One part of a message item's content. */
export type ContentPart = Derive<typeof contentPartSchema>;
/** A tool call made by the model. */
export type FunctionCallItem = Derive<typeof functionCallItemSchema>;
/** A tool result. */
export type FunctionCallOutputItem = Derive<typeof functionCallOutputItemSchema>;
/** `response` of `response.created`. */
export type StartedResponse = Derive<typeof startedResponseSchema>;
/** `response` of `response.done`. */
export type FinishedResponse = Derive<typeof finishedResponseSchema>;
/** Token usage of a response. */
export type Usage = Derive<typeof usageSchema>;
/** The `error` object of an `error` event. */
export type RealtimeError = Derive<typeof realtimeErrorSchema>;

/** The 7 client event types of swaram's subset, in swaram's order. */
export const CLIENT_EVENT_TYPES = [
  'session.update',
  'input_audio_buffer.append',
  'input_audio_buffer.commit',
  'input_audio_buffer.clear',
  'response.create',
  'response.cancel',
  'conversation.item.create',
] as const satisfies readonly ClientEventType[];

/** The 12 server event types of swaram's subset, in swaram's order. */
export const SERVER_EVENT_TYPES = [
  'session.created',
  'session.updated',
  'input_audio_buffer.speech_started',
  'input_audio_buffer.speech_stopped',
  'conversation.item.input_audio_transcription.completed',
  'conversation.item.created',
  'response.created',
  'response.output_audio.delta',
  'response.output_audio_transcript.delta',
  'response.function_call_arguments.done',
  'response.done',
  'error',
] as const satisfies readonly ServerEventType[];

// Compile-time check that the arrays list every type: adding a schema without listing its type
// (or the reverse) is a type error here.
type Missing<All, Listed> = Exclude<All, Listed>;
const _clientTypesComplete: Missing<ClientEventType, (typeof CLIENT_EVENT_TYPES)[number]>[] = [];
const _serverTypesComplete: Missing<ServerEventType, (typeof SERVER_EVENT_TYPES)[number]>[] = [];
void _clientTypesComplete;
void _serverTypesComplete;

/**
 * Client events of the OpenAI Realtime API (GA and beta) that swaram does not support. The mock
 * answers them with an `error` of code `unsupported_event` (not `unknown_event`) so people
 * porting OpenAI clients see what is going on.
 */
export const OPENAI_ONLY_CLIENT_EVENT_TYPES = [
  'conversation.item.retrieve',
  'conversation.item.truncate',
  'conversation.item.delete',
  'output_audio_buffer.clear',
  'transcription_session.update',
] as const;

/**
 * Server events of the OpenAI Realtime API (GA, plus beta names) that swaram never sends. A
 * conforming client must work without them (and ignore them if they ever arrive).
 */
export const OPENAI_ONLY_SERVER_EVENT_TYPES = [
  'conversation.created',
  'conversation.item.added',
  'conversation.item.done',
  'conversation.item.retrieved',
  'conversation.item.truncated',
  'conversation.item.deleted',
  'conversation.item.input_audio_transcription.delta',
  'conversation.item.input_audio_transcription.segment',
  'conversation.item.input_audio_transcription.failed',
  'input_audio_buffer.committed',
  'input_audio_buffer.cleared',
  'input_audio_buffer.timeout_triggered',
  'input_audio_buffer.dtmf_event_received',
  'output_audio_buffer.started',
  'output_audio_buffer.stopped',
  'output_audio_buffer.cleared',
  'response.output_item.added',
  'response.output_item.done',
  'response.content_part.added',
  'response.content_part.done',
  'response.output_text.delta',
  'response.output_text.done',
  'response.output_audio.done',
  'response.output_audio_transcript.done',
  'response.function_call_arguments.delta',
  'response.mcp_call_arguments.delta',
  'response.mcp_call_arguments.done',
  'response.mcp_call.in_progress',
  'response.mcp_call.completed',
  'response.mcp_call.failed',
  'mcp_list_tools.in_progress',
  'mcp_list_tools.completed',
  'mcp_list_tools.failed',
  'rate_limits.updated',
  'transcription_session.created',
  'transcription_session.updated',
  // Beta names of events swaram sends under their GA names.
  'response.audio.delta',
  'response.audio.done',
  'response.audio_transcript.delta',
  'response.audio_transcript.done',
  'response.text.delta',
  'response.text.done',
] as const;

/** An OpenAI client event type outside swaram's subset. */
export type OpenAiOnlyClientEventType = (typeof OPENAI_ONLY_CLIENT_EVENT_TYPES)[number];
/** An OpenAI server event type swaram never sends. */
export type OpenAiOnlyServerEventType = (typeof OPENAI_ONLY_SERVER_EVENT_TYPES)[number];

/**
 * OpenAI beta server event names and the name swaram uses for the same event. A client that
 * listens only for the beta names never hears swaram's audio.
 */
export const OPENAI_BETA_SERVER_EVENT_RENAMES = {
  'response.audio.delta': 'response.output_audio.delta',
  'response.audio_transcript.delta': 'response.output_audio_transcript.delta',
} as const satisfies Partial<Record<OpenAiOnlyServerEventType, ServerEventType>>;

const clientTypeSet: ReadonlySet<string> = new Set(CLIENT_EVENT_TYPES);
const serverTypeSet: ReadonlySet<string> = new Set(SERVER_EVENT_TYPES);
const openAiClientTypeSet: ReadonlySet<string> = new Set(OPENAI_ONLY_CLIENT_EVENT_TYPES);
const openAiServerTypeSet: ReadonlySet<string> = new Set(OPENAI_ONLY_SERVER_EVENT_TYPES);

/** Whether `type` is one of swaram's 7 client event types. */
export function isClientEventType(type: unknown): type is ClientEventType {
  return typeof type === 'string' && clientTypeSet.has(type);
}

/** Whether `type` is one of swaram's 12 server event types. */
export function isServerEventType(type: unknown): type is ServerEventType {
  return typeof type === 'string' && serverTypeSet.has(type);
}

/** Whether `type` is an OpenAI client event type that swaram does not support. */
export function isOpenAiOnlyClientEventType(type: unknown): type is OpenAiOnlyClientEventType {
  return typeof type === 'string' && openAiClientTypeSet.has(type);
}

/** Whether `type` is an OpenAI server event type that swaram never sends. */
export function isOpenAiOnlyServerEventType(type: unknown): type is OpenAiOnlyServerEventType {
  return typeof type === 'string' && openAiServerTypeSet.has(type);
}
