import type { IncomingMessage, ServerResponse } from 'node:http';
import { bearerToken, type KeyBook, type TokenRequest } from './admission.js';
import { nestingDepth } from '../protocol/json-depth.js';

/** The WebSocket endpoint. */
export const REALTIME_PATH = '/v1/realtime';
/** Where ephemeral tokens are minted. */
export const SECRETS_PATH = '/v1/realtime/client_secrets';

/** One HTTP endpoint: a path (or several, or a pattern), the method, and its handler. */
export interface HttpRoute {
  paths: readonly string[];
  /** Paths with parameters (`/sessions/:id/frames`): the handler reads them from `url`. */
  pattern?: RegExp;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  handle(req: IncomingMessage, res: ServerResponse, url: URL): void | Promise<void>;
}

/**
 * The HTTP side of the mock as a route table: to add an endpoint, add a route. A known path
 * with another method gets 405; an unknown path 404 naming what is served.
 */
export function httpHandler(routes: readonly HttpRoute[]) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://mock');
    const onPath = routes.filter(
      (r) => r.paths.includes(url.pathname) || (r.pattern?.test(url.pathname) ?? false),
    );
    const route = onPath.find((r) => r.method === req.method);
    if (route) {
      void Promise.resolve(route.handle(req, res, url)).catch((error: unknown) => {
        if (!res.headersSent) json(res, 500, httpError('server_error', String(error)));
        else res.destroy();
      });
      return;
    }
    if (onPath.length > 0) {
      const allowed = onPath.map((r) => r.method).join(', ');
      return json(res, 405, httpError('method_not_allowed', `use ${allowed}`));
    }
    const served = [`${REALTIME_PATH} (WebSocket)`, ...routes.map((r) => r.paths[0])];
    json(res, 404, httpError('not_found', `swaram-mock serves ${served.join(', ')}`));
  };
}

/** `GET /health` (and `/healthz`): the server's health figures. */
export function healthRoute(health: () => Record<string, unknown>): HttpRoute {
  return {
    paths: ['/health', '/healthz'],
    method: 'GET',
    handle: (_req, res) => json(res, 200, health()),
  };
}

/** The largest token request body, bytes: a larger one is answered 413. */
export const MAX_TOKEN_BODY_BYTES = 64 * 1024;
/** Nesting a token request body may have: deeper is answered 400 (it would be echoed). */
const MAX_TOKEN_BODY_DEPTH = 32;

/** `POST /v1/realtime/client_secrets`: mints an ephemeral token for a secret key. */
export function tokenRoute(book: KeyBook, now: () => number): HttpRoute {
  return {
    paths: [SECRETS_PATH],
    method: 'POST',
    async handle(req, res) {
      const key = bearerToken(req.headers.authorization);
      if (!key || !book.limits.keys.includes(key)) {
        const message =
          'client secrets are minted with a secret key: Authorization: Bearer swaram_…';
        return json(res, 401, httpError('invalid_api_key', message));
      }
      let body: TokenRequest;
      try {
        const raw = await readBody(req, MAX_TOKEN_BODY_BYTES);
        if (nestingDepth(raw, MAX_TOKEN_BODY_DEPTH) > MAX_TOKEN_BODY_DEPTH)
          throw new Error(`nested deeper than ${MAX_TOKEN_BODY_DEPTH} levels`);
        body = raw.length > 0 ? (JSON.parse(raw) as TokenRequest) : {};
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new Error('not an object');
      } catch (error) {
        if (error instanceof BodyTooLarge) {
          const message = `the body is larger than ${MAX_TOKEN_BODY_BYTES} bytes`;
          res.setHeader('connection', 'close');
          return json(res, 413, httpError('request_too_large', message));
        }
        const message = `the body must be a JSON object: ${(error as Error).message}`;
        return json(res, 400, httpError('invalid_json', message));
      }
      const minted = book.mint(key, body, now());
      if (!minted.ok) return json(res, minted.status, httpError(minted.code, minted.message));
      json(res, 200, minted.answer);
    },
  };
}

/** Sends `body` as JSON with `status`. */
export function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** An OpenAI-style HTTP error body. */
export function httpError(code: string, message: string) {
  return { error: { type: 'invalid_request_error', code, message } };
}

/** A request body over the limit (the rest of it was drained, not kept). */
class BodyTooLarge extends Error {}

/** Bytes of an oversized body read and discarded before the socket is cut instead. */
const MAX_DRAINED_BYTES = 16 * 1024 * 1024;

/**
 * Reads a request body of at most `limit` bytes. A larger one rejects with
 * {@link BodyTooLarge} once it has arrived in full (read and discarded, so that the client
 * reads the answer rather than a reset); past {@link MAX_DRAINED_BYTES} the socket is cut.
 */
export function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= limit) chunks.push(c);
      else if (size > MAX_DRAINED_BYTES) {
        reject(new BodyTooLarge());
        req.destroy();
      }
    });
    req.on('end', () =>
      size > limit ? reject(new BodyTooLarge()) : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}
