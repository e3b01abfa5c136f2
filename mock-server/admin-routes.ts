import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Fault } from '../protocol/fixture/fault-schema.js';
import { checkFault, FaultSyntaxError } from '../protocol/fixture/parse-fault.js';
import { httpError, json, readBody, type HttpRoute } from './http-endpoints.js';
import type { FrameFilter, Journal, SessionRecord } from './journal.js';

/** What the admin endpoints act on (the running server provides it). */
export interface AdminDesk {
  /** The accepted secret keys: an admin request needs one as Bearer. */
  keys(): readonly string[];
  journal: Journal;
  /** Live and recent sessions, for `GET /sessions`. */
  listSessions(): SessionRecord[];
  /** Adds a fault to live and future sessions (as `server.inject()`). */
  injectAll(fault: Fault): void;
  /** Adds a fault to one live session; false when it is not live. */
  injectInto(session: string, fault: Fault): boolean;
  /** What `POST /reset` does (see `MockServer.reset`). */
  reset(): void;
}

const FRAMES = /^\/sessions\/([^/]+)\/frames$/;
const SESSION_FAULTS = /^\/sessions\/([^/]+)\/faults$/;

/**
 * The look-in endpoints, on the API's port and behind the API's auth (a secret key as
 * Bearer): `GET /sessions`, `GET /sessions/:id/frames`, `POST /sessions/:id/faults`,
 * `POST /faults`, `POST /reset`. See docs/mock-server.md, "Looking in".
 */
export function adminRoutes(desk: AdminDesk): HttpRoute[] {
  const guarded =
    (handle: HttpRoute['handle']): HttpRoute['handle'] =>
    (req, res, url) =>
      authorized(req, res, desk) ? handle(req, res, url) : undefined;
  return [
    {
      paths: ['/sessions'],
      method: 'GET',
      handle: guarded((_req, res) => json(res, 200, { sessions: desk.listSessions() })),
    },
    {
      paths: ['/sessions/:id/frames'],
      pattern: FRAMES,
      method: 'GET',
      handle: guarded((_req, res, url) => framesOf(desk.journal, res, url)),
    },
    {
      paths: ['/sessions/:id/faults'],
      pattern: SESSION_FAULTS,
      method: 'POST',
      handle: guarded(async (req, res, url) => {
        const id = decodeURIComponent(SESSION_FAULTS.exec(url.pathname)![1]!);
        const fault = await readFault(req, res);
        if (!fault) return;
        if (!desk.injectInto(id, fault)) {
          return json(res, 404, httpError('session_not_live', `no live session ${id}`));
        }
        json(res, 201, { injected: fault, session: id });
      }),
    },
    {
      paths: ['/faults'],
      method: 'POST',
      handle: guarded(async (req, res) => {
        const fault = await readFault(req, res);
        if (!fault) return;
        desk.injectAll(fault);
        json(res, 201, { injected: fault });
      }),
    },
    {
      paths: ['/reset'],
      method: 'POST',
      handle: guarded((_req, res) => {
        desk.reset();
        json(res, 200, { reset: true });
      }),
    },
  ];
}

function framesOf(journal: Journal, res: ServerResponse, url: URL): void {
  const id = decodeURIComponent(FRAMES.exec(url.pathname)![1]!);
  if (!journal.has(id)) {
    return json(res, 404, httpError('unknown_session', `the journal has no session ${id}`));
  }
  const dir = url.searchParams.get('dir');
  if (dir !== null && dir !== 'in' && dir !== 'out') {
    return json(res, 400, httpError('invalid_dir', `dir must be "in" or "out" (got "${dir}")`));
  }
  const type = url.searchParams.get('type');
  const filter: FrameFilter = {
    session: id,
    ...(type !== null ? { type } : {}),
    ...(dir !== null ? { dir } : {}),
  };
  json(res, 200, { session: id, frames: journal.frames(filter) });
}

/** A secret key as Bearer, else 401 (ephemeral tokens are for clients, not for admin). */
function authorized(req: IncomingMessage, res: ServerResponse, desk: AdminDesk): boolean {
  const auth = req.headers.authorization;
  // The auth scheme is case-insensitive (RFC 7235), as on the API itself.
  const key = /^bearer\s+(.+)$/i.exec(auth ?? '')?.[1]?.trim();
  if (key && desk.keys().includes(key)) return true;
  json(
    res,
    401,
    httpError('invalid_api_key', 'the look-in endpoints need a secret key: Bearer swaram_…'),
  );
  return false;
}

/** The body as a checked `Fault`, or undefined after answering 400 with the violation. */
async function readFault(req: IncomingMessage, res: ServerResponse): Promise<Fault | undefined> {
  let body: unknown;
  try {
    body = JSON.parse(await readBody(req, 64 * 1024));
  } catch (error) {
    json(res, 400, httpError('invalid_json', `the body must be a JSON Fault: ${String(error)}`));
    return undefined;
  }
  try {
    return checkFault(body);
  } catch (error) {
    if (!(error instanceof FaultSyntaxError)) throw error;
    // The first line names every violation; the rest is the compact syntax's help.
    json(res, 400, httpError('invalid_fault', error.message.split('\n')[0]!));
    return undefined;
  }
}
