import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { overloadReason, type HealthSample, type SheddingThresholds } from './load-shedding.js';
import { flattenSession, MODEL_MODES, type Mode, type SessionSettings } from './session.js';

/** What one key has in use: live connections and credits left (shared by its tokens). */
export interface KeyState {
  live: number;
  creditsLeftMs: number;
}

/** An ephemeral token minted with `POST /v1/realtime/client_secrets`. */
export interface Token {
  key: string;
  expiresAt: number;
  model: string | undefined;
  /** Settings the token pinned: the client cannot change them. */
  locked: Partial<SessionSettings>;
}

/** The limits a server enforces at connect (see docs/mock-server.md, "Refusals"). */
export interface AdmissionLimits {
  /** Accepted secret keys. */
  keys: readonly string[];
  /** Live connections on the server. */
  capacity: number;
  /** Live connections per key. */
  maxConnectionsPerKey: number;
  /** Load shedding: refuse with 1013 when the server's health says so; absent: never. */
  shedding?: SheddingThresholds | undefined;
}

/** Why a connection is refused: the close to send, and the `error` event before it, if any. */
export interface Refusal {
  code: number;
  reason: string;
  error?: { code: ErrorCode; message: string };
}

/** A connection let in: whose key it spends, which model and mode, and its token if any. */
export interface Admitted {
  key: string;
  model: string;
  mode: Mode;
  token: Token | undefined;
}

/** What {@link decideAdmission} looks at: the request and the server's state now. */
export interface AdmissionRequest {
  /** The credential read from the handshake ({@link readCredential}). */
  credential: string | undefined;
  /** The token that credential names, if it is one. */
  token: Token | undefined;
  /** The `model` query parameter. */
  model: string | null;
  now: number;
  /** Live sessions on the server. */
  live: number;
  /** The state of the key the connection would use. */
  keyState: (key: string) => KeyState;
  /** The server's latest health sample (load shedding); absent: not measured. */
  health?: HealthSample | undefined;
}

/**
 * Decides whether a connection gets in, checking in swaram's order (credential, model,
 * capacity and load, connections per key, credits) and stopping at the first that fails. Pure:
 * it changes nothing (the caller counts the connection in, a shed one in the load counts, and
 * drops an expired token).
 */
export function decideAdmission(
  request: AdmissionRequest,
  limits: AdmissionLimits,
): { admitted: Admitted } | { refused: Refusal; expiredToken?: true; shed?: string } {
  const { credential, token } = request;
  let key: string;
  if (token) {
    if (request.now > token.expiresAt) {
      return {
        refused: refusal(
          CloseCode.INVALID_API_KEY,
          'token expired',
          ErrorCode.INVALID_API_KEY,
          'the ephemeral token has expired: mint a new one',
        ),
        expiredToken: true,
      };
    }
    key = token.key;
  } else if (credential !== undefined && limits.keys.includes(credential)) {
    key = credential;
  } else {
    const message = credential === undefined ? 'no API key was given' : 'the API key is not valid';
    return {
      refused: refusal(
        CloseCode.INVALID_API_KEY,
        'invalid api key',
        ErrorCode.INVALID_API_KEY,
        message,
      ),
    };
  }
  const model = token?.model ?? request.model ?? 'mal-realtime-simple';
  const mode = MODEL_MODES[model];
  if (!mode) {
    const message = `unknown model ${JSON.stringify(model)}: use one of ${Object.keys(MODEL_MODES).join(', ')}`;
    return {
      refused: refusal(
        CloseCode.POLICY_VIOLATION,
        'invalid model',
        ErrorCode.INVALID_MODEL,
        message,
      ),
    };
  }
  if (request.live >= limits.capacity) {
    return { refused: { code: CloseCode.SERVER_BUSY, reason: 'server busy' } };
  }
  const overload = limits.shedding && overloadReason(request.health, request.live, limits.shedding);
  if (overload) {
    // As swaram: 1013 with nothing before it; the reason stays swaram's, the cause is counted.
    return { refused: { code: CloseCode.SERVER_BUSY, reason: 'server busy' }, shed: overload };
  }
  const ks = request.keyState(key);
  if (ks.live >= limits.maxConnectionsPerKey) {
    const message = `this key already has ${ks.live} open connection(s), the limit of its plan`;
    return {
      refused: refusal(
        CloseCode.TOO_MANY_CONNECTIONS,
        'too many connections',
        ErrorCode.TOO_MANY_CONNECTIONS,
        message,
      ),
    };
  }
  if (ks.creditsLeftMs <= 0) {
    const message = 'your credits are spent: add credits to continue';
    return {
      refused: refusal(
        CloseCode.OUT_OF_CREDITS,
        'out of credits',
        ErrorCode.INSUFFICIENT_CREDITS,
        message,
      ),
    };
  }
  return { admitted: { key, model, mode, token } };
}

function refusal(code: number, reason: string, errorCode: ErrorCode, message: string): Refusal {
  return { code, reason, error: { code: errorCode, message } };
}

/** Credentials in swaram's order: Bearer header, `?api_key=`, then the subprotocol. */
export function readCredential(req: IncomingMessage, url: URL): string | undefined {
  const bearer = bearerToken(req.headers.authorization);
  if (bearer !== undefined) return bearer;
  const q = url.searchParams.get('api_key');
  if (q) return q;
  const protocols = req.headers['sec-websocket-protocol'];
  if (typeof protocols === 'string') {
    for (const p of protocols.split(',')) {
      const t = p.trim();
      if (t.startsWith('openai-insecure-api-key.'))
        return t.slice('openai-insecure-api-key.'.length);
    }
  }
  return undefined;
}

/**
 * The credential of an `Authorization: Bearer <credential>` header. The scheme is matched
 * case-insensitively (RFC 7235: `bearer`, `BEARER` are the same scheme); undefined when the
 * header is absent, uses another scheme or carries nothing.
 */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^bearer[ \t]+(\S.*)$/is.exec(header.trim());
  return m ? m[1]!.trim() : undefined;
}

/** What a token request asks for (`POST /v1/realtime/client_secrets`), as parsed JSON. */
export interface TokenRequest {
  model?: unknown;
  session?: unknown;
  expires_after?: { seconds?: unknown };
}

/** The range of `expires_after.seconds` a token request may ask for (as OpenAI's). */
export const TOKEN_SECONDS_RANGE = { min: 10, max: 7200 } as const;
/** Unexpired tokens a server keeps at most; minting more answers 429 until some expire. */
export const MAX_LIVE_TOKENS = 10_000;
/** Expired tokens remembered (by value only) so that using one says "expired", not "invalid". */
const MAX_EXPIRED_REMEMBERED = 10_000;

/**
 * The server's book of keys and tokens: key states (live connections, credits) and minted
 * tokens. Decisions are {@link decideAdmission}'s; this only keeps the state.
 *
 * Tokens are bounded: an expired one is pruned (its settings dropped; only its value and expiry
 * are remembered, up to {@link MAX_EXPIRED_REMEMBERED}, so that using it still gets "token
 * expired"), and at most {@link MAX_LIVE_TOKENS} live ones are kept.
 */
export class KeyBook {
  private readonly states = new Map<string, KeyState>();
  private readonly tokens = new Map<string, Token>();
  private readonly expired = new Map<string, Token>();
  private lastPrune = -Infinity;

  constructor(
    readonly limits: AdmissionLimits,
    /** Ms of audio each key may use (Infinity: unlimited). */
    readonly creditsMs: number,
    /** Default token lifetime, ms. */
    private readonly tokenTtlMs: number,
  ) {}

  /** The state of `key`, created on first use. */
  keyState(key: string): KeyState {
    let s = this.states.get(key);
    if (!s) this.states.set(key, (s = { live: 0, creditsLeftMs: this.creditsMs }));
    return s;
  }

  token(credential: string | undefined): Token | undefined {
    if (credential === undefined) return undefined;
    return this.tokens.get(credential) ?? this.expired.get(credential);
  }

  dropToken(credential: string): void {
    this.tokens.delete(credential);
    this.expired.delete(credential);
  }

  /** Live (unexpired) tokens held now. */
  get liveTokens(): number {
    return this.tokens.size;
  }

  /**
   * Moves every token expired at `now` out of the live book (at most once a second unless
   * `force`): its locked settings are let go, its value is remembered a while.
   */
  prune(now: number, force = false): void {
    if (!force && now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const [value, t] of this.tokens) {
      if (now <= t.expiresAt) continue;
      this.tokens.delete(value);
      this.expired.set(value, { key: t.key, expiresAt: t.expiresAt, model: t.model, locked: {} });
    }
    for (const value of this.expired.keys()) {
      if (this.expired.size <= MAX_EXPIRED_REMEMBERED) break;
      this.expired.delete(value);
    }
  }

  /**
   * Mints a token for `key` (already checked) from a request body; returns the answer to send,
   * or an HTTP status, error code and message.
   */
  mint(
    key: string,
    body: TokenRequest,
    now: number,
  ):
    | { ok: true; answer: Record<string, unknown> }
    | { ok: false; status: number; code: string; message: string } {
    const model = typeof body.model === 'string' ? body.model : undefined;
    if (model !== undefined && !MODEL_MODES[model]) {
      const message = `unknown model ${JSON.stringify(model)}`;
      return { ok: false, status: 400, code: 'invalid_model', message };
    }
    const ttl = requestedTtlMs(body.expires_after, this.tokenTtlMs);
    if (typeof ttl === 'string') {
      return { ok: false, status: 400, code: 'invalid_value', message: ttl };
    }
    this.prune(now, this.tokens.size >= MAX_LIVE_TOKENS);
    if (this.tokens.size >= MAX_LIVE_TOKENS) {
      const message = `${MAX_LIVE_TOKENS} unexpired tokens exist: wait for some to expire`;
      return { ok: false, status: 429, code: 'rate_limit_exceeded', message };
    }
    const session =
      body.session && typeof body.session === 'object'
        ? (body.session as Record<string, unknown>)
        : {};
    const value = `swaram_ek_${randomBytes(18).toString('base64url')}`;
    const locked = flattenSession(session);
    this.tokens.set(value, { key, expiresAt: now + ttl, model, locked });
    return {
      ok: true,
      answer: {
        value,
        expires_at: Math.floor(Date.now() / 1000 + ttl / 1000),
        session: { ...(model ? { model } : {}), ...locked },
      },
    };
  }
}

/**
 * The lifetime a token request asks for, in ms: `expires_after.seconds`, a number from
 * {@link TOKEN_SECONDS_RANGE} `min` to `max`, or the server's default when absent; a message
 * saying what is wrong otherwise.
 */
function requestedTtlMs(expiresAfter: unknown, defaultMs: number): number | string {
  if (expiresAfter === undefined) return defaultMs;
  const { min, max } = TOKEN_SECONDS_RANGE;
  const wanted = `expires_after.seconds must be a number of seconds from ${min} to ${max}`;
  if (typeof expiresAfter !== 'object' || expiresAfter === null || Array.isArray(expiresAfter)) {
    return `expires_after must be an object { "seconds": N }: ${wanted}`;
  }
  const seconds = (expiresAfter as { seconds?: unknown }).seconds;
  if (seconds === undefined) return defaultMs;
  if (typeof seconds !== 'number' || !(seconds >= min && seconds <= max)) {
    const got = typeof seconds === 'number' ? String(seconds) : typeof seconds;
    return `${wanted} (got ${got.slice(0, 40)})`;
  }
  return seconds * 1000;
}
