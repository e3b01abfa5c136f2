import { Ajv2020 } from 'ajv/dist/2020.js';
import { faultSchema, type Fault, type FaultAction, type FaultTrigger } from './fault-schema.js';

const validate = new Ajv2020({ strict: true, allErrors: true, useDefaults: false }).compile<Fault>(
  faultSchema,
);

/** A fault given on the command line or in a file could not be read. */
export class FaultSyntaxError extends Error {
  readonly code = 'fault_syntax';
  constructor(
    readonly input: string,
    message: string,
  ) {
    super(`cannot read fault ${JSON.stringify(input)}: ${message}\n${FAULT_SYNTAX_HELP}`);
    this.name = 'FaultSyntaxError';
  }
}

/** The compact syntax, for `--help` and error messages. */
export const FAULT_SYNTAX_HELP = `A fault is ACTION@TRIGGER, or a JSON object {"when": …, "do": …}.
  actions:  close:CODE[:ERROR_CODE]  terminate  stall[:MS]  delay:MS[:JITTER_MS]
            duplicate[:EVENT_TYPE]  drop[:EVENT_TYPE[:COUNT]]  corrupt-delta:bad-base64|odd-length|empty
            raw:TEXT  hold-session-updated[:MS]
  triggers: connect  delta:N  tool-call:N  time:MS  server-event:TYPE[:N]  client-event:TYPE[:N]
  add #S to apply to the S-th connection only, and + to repeat (every N-th).
  examples: close:1013@delta:5   close:4008:too_many_connections@connect   stall@tool-call:1
            delay:200:100@connect   corrupt-delta:odd-length@delta:3   terminate@time:2500#2`;

/**
 * Reads a fault from the command line: the compact `ACTION@TRIGGER` syntax or JSON. The
 * result is the same JSON value a fixture's script or `server.inject()` takes.
 */
export function parseFault(input: string): Fault {
  const text = input.trim();
  let fault: unknown;
  if (text.startsWith('{')) {
    try {
      fault = JSON.parse(text);
    } catch (error) {
      throw new FaultSyntaxError(input, `invalid JSON (${(error as Error).message})`);
    }
  } else {
    fault = parseCompact(input, text);
  }
  return checkFault(fault, input);
}

/** Validates a fault value against the fault schema; throws with every problem listed. */
export function checkFault(fault: unknown, source = JSON.stringify(fault)): Fault {
  if (validate(fault)) return fault;
  const problems = (validate.errors ?? [])
    .map((e) => `${e.instancePath || '(fault)'} ${e.message ?? 'is invalid'}`)
    .join('; ');
  throw new FaultSyntaxError(source, problems);
}

function parseCompact(input: string, text: string): Fault {
  let rest = text;
  let session: number | undefined;
  const hash = rest.lastIndexOf('#');
  if (hash > rest.lastIndexOf('@')) {
    session = Number(rest.slice(hash + 1));
    if (!Number.isInteger(session) || session < 1) {
      throw new FaultSyntaxError(
        input,
        `"#${rest.slice(hash + 1)}" must be a connection number ≥ 1`,
      );
    }
    rest = rest.slice(0, hash);
  }
  const repeat = rest.endsWith('+');
  if (repeat) rest = rest.slice(0, -1);
  const at = rest.lastIndexOf('@');
  if (at < 0) throw new FaultSyntaxError(input, 'missing "@TRIGGER"');
  const action = parseAction(input, rest.slice(0, at));
  const when = parseTrigger(input, rest.slice(at + 1));
  return {
    when,
    do: action,
    ...(session !== undefined ? { session } : {}),
    ...(repeat ? { repeat } : {}),
  } as Fault;
}

function parseAction(input: string, text: string): FaultAction {
  const [name, ...args] = text.split(':');
  const num = (i: number, what: string): number | undefined => {
    const a = args[i];
    if (a === undefined || a === '') return undefined;
    const n = Number(a);
    if (!Number.isFinite(n))
      throw new FaultSyntaxError(input, `${what} must be a number, got "${a}"`);
    return n;
  };
  switch (name) {
    case 'close': {
      const code = num(0, 'the close code');
      if (code === undefined) throw new FaultSyntaxError(input, 'close needs a code: close:4008');
      return { action: 'close', code, ...(args[1] ? { error: { code: args[1] } } : {}) };
    }
    case 'terminate':
      return { action: 'terminate' };
    case 'stall': {
      const ms = num(0, 'stall time');
      return { action: 'stall', ...(ms !== undefined ? { ms } : {}) };
    }
    case 'delay': {
      const ms = num(0, 'delay');
      if (ms === undefined)
        throw new FaultSyntaxError(input, 'delay needs milliseconds: delay:200');
      const jitterMs = num(1, 'jitter');
      return { action: 'delay', ms, ...(jitterMs !== undefined ? { jitterMs } : {}) };
    }
    case 'duplicate':
      return { action: 'duplicate', ...(args[0] ? { type: args[0] } : {}) };
    case 'drop': {
      const count = num(1, 'drop count');
      return {
        action: 'drop',
        ...(args[0] ? { type: args[0] } : {}),
        ...(count !== undefined ? { count } : {}),
      };
    }
    case 'corrupt-delta':
      return { action: 'corrupt-delta', kind: args[0] as 'bad-base64' };
    case 'raw':
      return { action: 'raw', text: args.join(':') };
    case 'hold-session-updated': {
      const ms = num(0, 'hold time');
      return { action: 'hold-session-updated', ...(ms !== undefined ? { ms } : {}) };
    }
    default:
      throw new FaultSyntaxError(input, `unknown action "${name}"`);
  }
}

function parseTrigger(input: string, text: string): FaultTrigger {
  const [on, a, b] = text.split(':');
  const count = (s: string | undefined): number | undefined => {
    if (s === undefined || s === '') return undefined;
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1)
      throw new FaultSyntaxError(input, `count must be ≥ 1, got "${s}"`);
    return n;
  };
  switch (on) {
    case 'connect':
      return { on: 'connect' };
    case 'delta':
    case 'tool-call': {
      const n = count(a);
      return { on, ...(n !== undefined ? { count: n } : {}) };
    }
    case 'time': {
      const afterMs = Number(a);
      if (a === undefined || !Number.isFinite(afterMs)) {
        throw new FaultSyntaxError(input, 'time needs milliseconds: time:2500');
      }
      return { on: 'time', afterMs };
    }
    case 'server-event':
    case 'client-event': {
      if (!a)
        throw new FaultSyntaxError(input, `${on} needs an event type: ${on}:response.created`);
      const n = count(b);
      return { on, type: a, ...(n !== undefined ? { count: n } : {}) };
    }
    default:
      throw new FaultSyntaxError(input, `unknown trigger "${on}"`);
  }
}
