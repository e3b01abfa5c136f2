import { budget } from '../metrics/budgets.js';
import { functionCallOutputId, toolRoundTrips } from '../metrics/episodes.js';
import { summarise } from '../metrics/statistics.js';
import type { ToolRoundTrip } from '../metrics/episodes.js';
import type { Evidence, Rule, RuleContext } from './rule.js';
import type { Trace } from '../trace/trace.js';
import {
  actionsOf,
  hasApp,
  hasFeature,
  obj,
  observationsOf,
  str,
  wireEvents,
} from '../trace/trace-query.js';
import { fmtMs, plural } from '../trace/format.js';
import { fail, frameEvidence, observationEvidence, pass, warn } from './verdict.js';

/**
 * When a missing answer to a call may be called missing: `tool.answerWaitMs` after the tool
 * returned (the runner's `tool.result`) or, when the harness did not run it, after the call.
 * Undefined when the connection or the trace ended before then.
 */
function answerDeadline(
  trace: Trace,
  trip: ToolRoundTrip,
  context: RuleContext,
): number | undefined {
  const deadline = (trip.result?.at ?? trip.call.at) + budget(context, 'tool.answerWaitMs');
  const conn = trace.connections.find((c) => c.number === trip.call.connection);
  const horizon = Math.min(conn?.closedAt ?? trace.endedAt, trace.endedAt);
  return horizon >= deadline ? deadline : undefined;
}

/** Client `function_call_output` frames. */
function outputFrames(trace: Trace) {
  return wireEvents(trace, 'in', 'conversation.item.create').filter(
    (e) => obj(e.event.item)?.type === 'function_call_output',
  );
}

/** Tool names the app declared in its `connect` (runner action), when known. */
function declaredTools(trace: Trace): Set<string> | undefined {
  const connect = actionsOf(trace, 'connect')[0];
  const tools = obj(connect?.data.session)?.tools;
  if (!Array.isArray(tools)) return undefined;
  return new Set(tools.map((t) => str(obj(t)?.name)).filter((n): n is string => n !== undefined));
}

/** TOOL-ANSWER: every tool call gets exactly one string output with the same call_id. */
export const toolAnswer: Rule = {
  id: 'TOOL-ANSWER',
  level: 'MUST',
  title: 'Every tool call answered once, by call_id',
  section: 'protocol §4 (conversation.item.create), §6 (tool turn)',
  description:
    'Every `response.function_call_arguments.done` gets exactly one `conversation.item.create` ' +
    'with a `function_call_output` item on the same connection, carrying the same `call_id` ' +
    '(not the `item_id`) and a string `output`, also for unknown tools, tools that throw and ' +
    'unparseable arguments. A call still unanswered `tool.answerWaitMs` after its tool ' +
    'returned (or after the call, when the harness did not run the tool) is unanswered; if ' +
    'the connection or the trace ended first, that call is not judged. Outputs for a ' +
    '`call_id` swaram never issued fail here (the usual cause is the `item_id` used instead); ' +
    'outputs for a call of an earlier connection are TOOL-STALE. L_tool_out (output received ' +
    '− call sent − tool run time) over `L_tool_out.p95` warns: the answer was right, only ' +
    'slow. Real-world failure: swaram waits for the output forever and the conversation ' +
    'hangs; an `item_id` instead of the `call_id` gets `unknown_call_id`.',
  sources: ['openai/openai-agents-python#3286', 'livekit/agents#6785'],
  needs: { features: ['tools'] },
  metrics: ['L_tool_out'],
  check(trace, context) {
    const limit = budget(context, 'L_tool_out.p95');
    const trips = toolRoundTrips(trace).filter((t) => t.callId !== undefined);
    const outputs = outputFrames(trace);
    if (trips.length === 0 && outputs.length === 0) return undefined;
    const calls = wireEvents(trace, 'out', 'response.function_call_arguments.done');
    const callIds = new Set(calls.map((c) => str(c.event.call_id)));
    const itemIds = new Set(calls.map((c) => str(c.event.item_id)));
    const evidence: Evidence[] = [];
    const problems = new Set<string>();

    let judged = 0;
    for (const t of trips) {
      const mine = t.outputs.filter((o) => o.connection === t.call.connection);
      if (mine.length === 0 && answerDeadline(trace, t, context) === undefined) continue;
      judged += 1;
      if (mine.length === 0) {
        const byItem = outputs.find(
          (o) =>
            o.connection === t.call.connection &&
            functionCallOutputId(o.event) === str(t.call.event.item_id),
        );
        problems.add(byItem ? 'answered with the item_id' : 'call never answered');
        evidence.push(
          byItem
            ? frameEvidence(
                trace,
                byItem.index,
                `answered ${t.callId} with its item_id ${str(t.call.event.item_id)}`,
              )
            : frameEvidence(
                trace,
                t.call.index,
                `${t.callId} (${str(t.call.event.name) ?? 'tool'}) never got a function_call_output`,
              ),
        );
        continue;
      }
      if (mine.length > 1) {
        problems.add('call answered more than once');
        evidence.push(
          frameEvidence(trace, mine[1]!.index, `${t.callId} answered ${mine.length} times`),
        );
      }
      for (const o of mine) {
        const output = obj(o.event.item)?.output;
        if (typeof output !== 'string') {
          problems.add('output not a string');
          evidence.push(
            frameEvidence(
              trace,
              o.index,
              `output of ${t.callId} is ${output === undefined ? 'missing' : typeof output}`,
            ),
          );
        }
      }
    }
    for (const o of outputs) {
      const id = functionCallOutputId(o.event);
      if (id !== undefined && !callIds.has(id) && !itemIds.has(id)) {
        problems.add('output for a call_id never issued');
        evidence.push(
          frameEvidence(
            trace,
            o.index,
            `function_call_output for ${id}, which swaram never issued`,
          ),
        );
      }
    }

    const s = summarise(trips.flatMap((t) => (t.lToolOut === undefined ? [] : [t.lToolOut])));
    const figures = s.count > 0 ? ` (L_tool_out p95 ${fmtMs(s.p95!)})` : '';
    if (evidence.length > 0)
      return fail(`Tool calls were mis-answered: ${[...problems].join(', ')}${figures}.`, evidence);
    if (judged === 0) return undefined;
    if (s.count > 0 && s.p95! > limit) {
      return warn(
        `Tool calls were answered correctly but slowly: L_tool_out p95 ${fmtMs(s.p95!)} over the ${limit} ms budget.`,
      );
    }
    return pass(`${plural(judged, 'tool call')} answered once each, by call_id${figures}.`);
  },
};

/** TOOL-TRIGGER: a tool call is acted on from `…arguments.done`. */
export const toolTrigger: Rule = {
  id: 'TOOL-TRIGGER',
  level: 'MUST',
  title: 'Tool calls acted on from arguments.done',
  section: 'protocol §5 (response.function_call_arguments.done; no response.output_item.*)',
  description:
    'A tool call is acted on from `response.function_call_arguments.done` (or the ' +
    '`function_call` item of `response.done`); swaram never sends `response.output_item.done`, ' +
    'so a client waiting for it never acts. Acting means the adapter reported a `tool.invoke` ' +
    'for the `call_id`, or the client answered it on the wire. A call with neither within ' +
    '`tool.answerWaitMs` (while the connection stayed open) fails. When the app declared its ' +
    'tools in `connect`, a call to a declared tool that was answered without ever running the ' +
    'tool fails too (typically a timeout answer), unless its arguments are not a JSON object ' +
    '(swaram can send broken arguments; refusing them with an error output is right). Real-world failure: an SDK built on ' +
    "OpenAI's `output_item.done` never runs its tool against swaram and the call hangs.",
  sources: ['@openai/agents-realtime 0.20 (observed while preparing the catalogue)'],
  needs: { features: ['tools'] },
  check(trace, context) {
    const trips = toolRoundTrips(trace).filter((t) => t.callId !== undefined);
    if (trips.length === 0) return undefined;
    const declared = hasApp(trace) && hasFeature(trace, 'tools') ? declaredTools(trace) : undefined;
    const evidence: Evidence[] = [];
    let judged = 0;
    for (const t of trips) {
      const answered = t.outputs.some((o) => o.connection === t.call.connection);
      if (!answered && !t.invoke) {
        if (answerDeadline(trace, t, context) === undefined) continue;
        judged += 1;
        evidence.push(
          frameEvidence(
            trace,
            t.call.index,
            `${t.callId}: no tool.invoke and no answer (waiting for response.output_item.done?)`,
          ),
        );
        continue;
      }
      judged += 1;
      const name = str(t.call.event.name);
      // Arguments that are not a JSON object cannot run the tool: an answer without running
      // it (an error output) is what an honest client does with them.
      const runnable = jsonObjectText(t.call.event.arguments);
      if (declared && name !== undefined && declared.has(name) && !t.invoke && runnable) {
        evidence.push(
          frameEvidence(
            trace,
            t.call.index,
            `${t.callId}: answered without running the declared tool ${name}`,
          ),
        );
      }
    }
    if (judged === 0) return undefined;
    if (evidence.length === 0)
      return pass(`The client acted on ${plural(judged, 'tool call')} from arguments.done.`);
    return fail(
      `${plural(evidence.length, 'tool call')} were not acted on from arguments.done.`,
      evidence,
    );
  },
};

/** Whether a call's `arguments` is a string holding a JSON object (what a tool can run on). */
function jsonObjectText(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** TOOL-ONCE: a call delivered twice runs once. */
export const toolOnce: Rule = {
  id: 'TOOL-ONCE',
  timingFree: true,
  level: 'MUST',
  title: 'A tool call runs once',
  section: 'protocol §6 (tool turn)',
  description:
    'A call delivered twice (a duplicated event, a redelivery after reconnect) runs once: at ' +
    'most one `tool.invoke` per `call_id`, and at most one answer per `call_id` on the wire. ' +
    'Exercised when some `call_id` was delivered more than once, or ran more than once. ' +
    'Real-world failure: a duplicated call books the table twice or sends the email twice.',
  sources: ['openai/openai-realtime-api-beta#31', 'mastra-ai/mastra#22969'],
  needs: { features: ['tools'], app: true },
  check(trace) {
    const calls = wireEvents(trace, 'out', 'response.function_call_arguments.done');
    const invokes = observationsOf(trace, 'tool.invoke');
    const outputs = outputFrames(trace);
    const delivered = new Map<string, number>();
    for (const c of calls) {
      const id = str(c.event.call_id);
      if (id !== undefined) delivered.set(id, (delivered.get(id) ?? 0) + 1);
    }
    const ran = new Map<string, number[]>();
    for (const o of invokes) {
      const id = o.data.call_id;
      if (id !== undefined) ran.set(id, [...(ran.get(id) ?? []), o.index]);
    }
    const ids = [...new Set([...delivered.keys(), ...ran.keys()])].filter(
      (id) => (delivered.get(id) ?? 0) > 1 || (ran.get(id)?.length ?? 0) > 1,
    );
    if (ids.length === 0) return undefined;
    const evidence: Evidence[] = [];
    for (const id of ids) {
      const runs = ran.get(id) ?? [];
      if (runs.length > 1)
        evidence.push(observationEvidence(trace, runs[1]!, `${id} ran ${runs.length} times`));
      const answers = outputs.filter((o) => functionCallOutputId(o.event) === id);
      if (answers.length > 1)
        evidence.push(
          frameEvidence(trace, answers[1]!.index, `${id} answered ${answers.length} times`),
        );
    }
    if (evidence.length === 0) {
      return pass(`${plural(ids.length, 'duplicated tool call')} ran and were answered once.`);
    }
    return fail('A duplicated tool call ran or was answered more than once.', evidence);
  },
};

/** TOOL-NO-NUDGE: no `response.create` after a tool result. */
export const toolNoNudge: Rule = {
  id: 'TOOL-NO-NUDGE',
  level: 'SHOULD',
  title: 'No response.create after a tool result',
  section: 'protocol §6 (tool turn: swaram continues on its own)',
  description:
    'After sending a `function_call_output`, the client does not send `response.create`: ' +
    'swaram continues on its own. Judged on the wire: a `response.create` on the same ' +
    'connection after the output and before the next user turn (the next `speech_started` or ' +
    'client `input_audio_buffer.commit`) fails. If one is sent, the error it may get must be ' +
    "tolerated; that is RACE-TOLERANT's business. Real-world failure: clients ported from " +
    "OpenAI's API nudge after every tool result and get " +
    '`conversation_already_has_active_response`, or a second, duplicate reply in Simple mode.',
  sources: ['openai/openai-agents-python#3405'],
  needs: { features: ['tools'] },
  check(trace) {
    const outputs = outputFrames(trace);
    if (outputs.length === 0) return undefined;
    const boundaries = wireEvents(trace, undefined, [
      'input_audio_buffer.speech_started',
      'input_audio_buffer.commit',
    ]);
    const creates = wireEvents(trace, 'in', 'response.create');
    const evidence: Evidence[] = [];
    for (const o of outputs) {
      const boundary = boundaries.find((b) => b.connection === o.connection && b.index > o.index);
      const nudge = creates.find(
        (c) =>
          c.connection === o.connection &&
          c.index > o.index &&
          (!boundary || c.index < boundary.index),
      );
      if (nudge) {
        evidence.push(
          frameEvidence(
            trace,
            nudge.index,
            `response.create ${fmtMs(nudge.at - o.at)} after a function_call_output`,
          ),
        );
      }
    }
    const unique = [...new Map(evidence.map((e) => [e.frame, e])).values()];
    if (unique.length === 0) {
      return pass(`No response.create followed ${plural(outputs.length, 'tool result')}.`);
    }
    return fail(
      `The client nudged with response.create after ${plural(unique.length, 'tool result')}.`,
      unique,
    );
  },
};

/** TOOL-STALE: no output for a call_id of a previous connection. */
export const toolStale: Rule = {
  id: 'TOOL-STALE',
  level: 'MUST',
  title: 'No tool output across connections',
  section: 'protocol §1 (a reconnect is a fresh session), §4 (conversation.item.create)',
  description:
    'A `function_call_output` is only sent on the connection whose swaram session issued the ' +
    '`call_id`; a reconnect is a fresh session that knows nothing of earlier calls. An output ' +
    'for a `call_id` issued only on another connection fails. Exercised when the trace has ' +
    'more than one connection and a tool call or output. Real-world failure: a client ' +
    'finishing a slow tool after reconnecting sends the result into the new session, which ' +
    'answers `unknown_call_id` (or worse, attaches it to the wrong turn).',
  sources: [],
  needs: { features: ['tools'] },
  check(trace) {
    const calls = wireEvents(trace, 'out', 'response.function_call_arguments.done');
    const outputs = outputFrames(trace);
    if (trace.connections.length < 2 || (calls.length === 0 && outputs.length === 0))
      return undefined;
    const issuedOn = new Map<string, Set<number>>();
    for (const c of calls) {
      const id = str(c.event.call_id);
      if (id === undefined) continue;
      issuedOn.set(id, (issuedOn.get(id) ?? new Set()).add(c.connection));
    }
    const stale = outputs.filter((o) => {
      const id = functionCallOutputId(o.event);
      const on = id === undefined ? undefined : issuedOn.get(id);
      return on !== undefined && !on.has(o.connection);
    });
    if (stale.length === 0)
      return pass('Every tool output went to the connection that issued its call.');
    return fail(
      `${plural(stale.length, 'tool output')} were sent for a call of another connection.`,
      stale.map((o) => {
        const id = functionCallOutputId(o.event)!;
        return frameEvidence(
          trace,
          o.index,
          `${id} was issued on connection ${[...issuedOn.get(id)!].join(', ')}, answered on ${o.connection}`,
        );
      }),
    );
  },
};

/** The tools family, in catalogue order. */
export const TOOL_RULES: readonly Rule[] = [
  toolAnswer,
  toolTrigger,
  toolOnce,
  toolNoNudge,
  toolStale,
];
