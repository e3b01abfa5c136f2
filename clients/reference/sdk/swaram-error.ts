/**
 * How an error is classified for the app:
 * `auth` (4001, bad key), `billing` (4003), `rate` (4008, rate limits), `transient` (1013,
 * `server_error`: worth retrying), `protocol` (swaram refused something the client sent),
 * `session` (settings rejected or not acknowledged), `network` (socket failure, dead
 * connection), `tool` (a tool could not run), `audio` (audio refused or dropped), `other`.
 */
export type ErrorKind =
  | 'auth'
  | 'billing'
  | 'rate'
  | 'transient'
  | 'protocol'
  | 'session'
  | 'network'
  | 'tool'
  | 'audio'
  | 'other';

/** An error the client reports to the app. `code` is stable; the message is for people. */
export class SwaramError extends Error {
  override readonly name = 'SwaramError';

  constructor(
    readonly kind: ErrorKind,
    /** swaram's `error.code`, the close code as a string, or one of the client's own codes. */
    readonly code: string,
    message: string,
    /** The client gave up the session because of it. */
    readonly fatal = false,
    readonly details: { readonly closeCode?: number; readonly eventId?: string } = {},
  ) {
    super(message);
  }
}

/** What the client does about a closed connection. */
export interface CloseDecision {
  /** Try again on a fresh session (after a backoff delay). */
  readonly reconnect: boolean;
  /** Who ended the connection. */
  readonly by: 'client' | 'server' | 'network';
  /** The error to report, if any (a clean close reports none). */
  readonly error?: SwaramError;
}

/** What the client knew about the connection when it closed. */
export interface CloseContext {
  /** The close reason sent with the close frame. */
  readonly reason: string;
  /** A transient `server_error` arrived on this connection before it closed. */
  readonly transientErrorSeen: boolean;
  /** The client found the connection dead (no pong) and dropped it. */
  readonly deadConnection: boolean;
  /** The socket's own error, e.g. `Unexpected server response: 401` at the upgrade. */
  readonly socketError?: string;
}

/**
 * swaram's close codes (protocol §2) and the client's reaction: 4001 / 4003 / 4008 end the
 * session for good (never an automatic reconnect); 1013, other "try again" codes, network
 * drops and a close after a `server_error` reconnect with backoff; 1000 from the server ends
 * the session quietly; protocol violations end it with an error.
 */
export function classifyClose(code: number, ctx: CloseContext): CloseDecision {
  const reason = ctx.reason ? `: ${ctx.reason}` : '';
  const fatal = (kind: ErrorKind, message: string): CloseDecision => ({
    reconnect: false,
    by: 'server',
    error: new SwaramError(kind, String(code), message + reason, true, { closeCode: code }),
  });
  const retry = (kind: ErrorKind, message: string, by: CloseDecision['by']): CloseDecision => ({
    reconnect: true,
    by,
    error: new SwaramError(kind, String(code), message + reason, false, { closeCode: code }),
  });

  const http = /Unexpected server response: (\d+)/.exec(ctx.socketError ?? '');
  if (http) {
    const status = Number(http[1]);
    const message = `the server refused the connection with HTTP ${status}`;
    const error = (kind: ErrorKind, reconnect: boolean): CloseDecision => ({
      reconnect,
      by: 'server',
      error: new SwaramError(kind, `http_${status}`, message, !reconnect),
    });
    if (status === 401 || status === 403) return error('auth', false);
    if (status === 402) return error('billing', false);
    if (status === 429) return error('rate', false);
    if (status >= 500) return error('transient', true);
    return error('other', false);
  }

  switch (code) {
    case 4001:
      return fatal('auth', 'invalid or missing API key');
    case 4003:
      return fatal('billing', 'out of credits');
    case 4008:
      return fatal('rate', 'too many concurrent connections for the plan');
    case 1000:
      if (ctx.transientErrorSeen) {
        return retry('transient', 'the server closed after a transient error', 'server');
      }
      return { reconnect: false, by: 'server' };
    case 1001:
    case 1011:
    case 1012:
    case 1013:
    case 1014:
      return retry('transient', code === 1013 ? 'server busy' : 'server unavailable', 'server');
    case 1002:
    case 1003:
    case 1007:
    case 1008:
    case 1009:
    case 1010:
      return fatal('protocol', 'the server closed the connection for a protocol violation');
    case 1005:
    case 1006:
      if (ctx.transientErrorSeen) {
        return retry('transient', 'the connection dropped after a transient error', 'network');
      }
      return retry(
        'network',
        ctx.deadConnection
          ? 'the connection went silent (no pong) and was dropped'
          : `the connection was lost${ctx.socketError ? ` (${ctx.socketError})` : ''}`,
        'network',
      );
    default:
      if (code >= 4000) return fatal('other', `the server closed the session with ${code}`);
      return retry('network', `the connection closed with ${code}`, 'server');
  }
}

/** Classifies swaram's `error` event by its `code` and `type`. */
export function classifyServerError(
  error: { readonly code?: string; readonly type?: string },
  context: { readonly isSessionUpdate: boolean },
): ErrorKind {
  const { code = '', type = '' } = error;
  if (code === 'server_error' || type === 'server_error') return 'transient';
  if (context.isSessionUpdate || code === 'session_locked') return 'session';
  if (/api_key|unauthori[sz]ed|authentication|invalid_token/.test(code)) return 'auth';
  if (/credit|quota|billing|payment/.test(code)) return 'billing';
  if (/rate_limit|too_many|concurren/.test(code)) return 'rate';
  if (code === 'invalid_audio') return 'audio';
  return 'protocol';
}
