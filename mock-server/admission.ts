import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { CloseCode } from '../protocol/close-codes.js';
import { ErrorCode } from '../protocol/error-codes.js';
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
}

/**
 * Decides whether a connection gets in, checking in swaram's order (credential, model,
 * capacity, connections per key, credits) and stopping at the first that fails. Pure: it
 * changes nothing (the caller counts the connection in and drops an expired token).
 */
export function decideAdmission(
  request: AdmissionRequest,
  limits: AdmissionLimits,
): { admitted: Admitted } | { refused: Refusal; expiredToken?: true } {
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
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7).trim();
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

/** What a token request asks for (`POST /v1/realtime/client_secrets`), as parsed JSON. */
export interface TokenRequest {
  model?: unknown;
  session?: unknown;
  expires_after?: { seconds?: unknown };
}

/**
 * The server's book of keys and tokens: key states (live connections, credits) and minted
 * tokens. Decisions are {@link decideAdmission}'s; this only keeps the state.
 */
export class KeyBook {
  private readonly states = new Map<string, KeyState>();
  private readonly tokens = new Map<string, Token>();

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
    return credential === undefined ? undefined : this.tokens.get(credential);
  }

  dropToken(credential: string): void {
    this.tokens.delete(credential);
  }

  /**
   * Mints a token for `key` (already checked) from a request body; returns the answer to send,
   * or an error code and message for a 400.
   */
  mint(
    key: string,
    body: TokenRequest,
    now: number,
  ): { ok: true; answer: Record<string, unknown> } | { ok: false; code: string; message: string } {
    const model = typeof body.model === 'string' ? body.model : undefined;
    if (model !== undefined && !MODEL_MODES[model]) {
      return {
        ok: false,
        code: 'invalid_model',
        message: `unknown model ${JSON.stringify(model)}`,
      };
    }
    const session =
      body.session && typeof body.session === 'object'
        ? (body.session as Record<string, unknown>)
        : {};
    const ttl =
      typeof body.expires_after?.seconds === 'number'
        ? body.expires_after.seconds * 1000
        : this.tokenTtlMs;
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
