"""A minimal swaram realtime client on asyncio and `websockets` (the Debian 12 release, 10.4)."""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Optional, Union
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatusCode

from .pcm16 import decode_pcm16, encode_pcm16, ms_to_bytes
from .speaker import Chunk, VirtualSpeaker

log = logging.getLogger("swaram_py")

#: A tool: gets the arguments as swaram sent them (a JSON text) and returns the output string.
ToolHandler = Callable[[str, str], Union[str, Awaitable[str]]]

#: Close codes that end the session for good, and how the app is told (protocol section 2).
_CLOSE_ERRORS = {
    4001: ("auth", "the API key was refused"),
    4003: ("billing", "out of credits"),
    4008: ("rate", "too many concurrent connections"),
    1013: ("transient", "the server is busy (this client does not reconnect)"),
    1011: ("transient", "the server failed (this client does not reconnect)"),
    1008: ("protocol", "the server refused the session"),
}


@dataclass
class _Response:
    status: Optional[str] = None
    cancelled: bool = False
    texts: dict[str, str] = field(default_factory=dict)


class SwaramError(Exception):
    """An error the client reports to the app: a `kind`, a stable `code`, a message."""

    def __init__(self, kind: str, code: str, message: str, fatal: bool = False) -> None:
        super().__init__(message)
        self.kind = kind
        self.code = code
        self.message = message
        self.fatal = fatal


class SwaramClient:
    """
    One swaram voice session over one WebSocket, on the running asyncio loop.

    What it does: `session.update` first and no audio before `session.updated` (the last
    second of microphone audio is held until then); microphone audio cut into 40 ms chunks of
    whole samples; reply audio played in order through a `VirtualSpeaker`, malformed deltas
    dropped and reported, a cancelled reply's audio dropped and its late deltas and text
    ignored; tools run once per `call_id` from `response.function_call_arguments.done` (or the
    `function_call` items of a completed `response.done`) and always answered with a string,
    without `response.create`; `error` events reported and never fatal; unknown events
    ignored; user transcripts by `item_id`, assistant text per item, final at `response.done`;
    each reply's outcome reported once; `end()` closes with 1000 and sends nothing after.

    What it does not do: barge-in (it keeps playing when the user talks over a reply until
    swaram cancels it), interrupt, push-to-talk, Premium, reconnecting (every close ends the
    session; 4001 / 4003 / 4008 with a distinct error).

    Events go to `listener(kind, **fields)`: `connection` (state, attempt, code, reason, by),
    `error` (SwaramError), `transcript` (role, item_id, response_id, text, final), `response`
    (response_id, status, reason), `audio_dropped` (reason, response_id, item_id, bytes, detail).
    """

    CHUNK_MS = 40
    PRE_READY_MS = 1000
    ACK_TIMEOUT_S = 10.0
    TOOL_TIMEOUT_S = 30.0

    def __init__(
        self,
        url: str,
        api_key: str,
        *,
        model: str = "mal-realtime-simple",
        session: Optional[dict[str, Any]] = None,
        tools: Optional[dict[str, ToolHandler]] = None,
        speaker: Optional[VirtualSpeaker] = None,
        listener: Callable[..., None] = lambda kind, **fields: None,
    ) -> None:
        self.url = url
        self.api_key = api_key
        self.model = model
        self.session = session or {}
        self.tools = tools or {}
        self.speaker = speaker
        self.listener = listener
        self.state = "idle"
        self._ws: Optional[websockets.WebSocketClientProtocol] = None
        self._outbox: asyncio.Queue[Optional[dict[str, Any]]] = asyncio.Queue()
        self._ready = False
        self._ended = False
        self._pending = b""
        self._held: deque[bytes] = deque()
        self._held_bytes = 0
        self._responses: dict[str, _Response] = {}
        self._calls: set[str] = set()
        self._user_items: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = asyncio.Event()
        self._ack_timer: Optional[asyncio.TimerHandle] = None
        self._seq = 0

    # --- the app's API --------------------------------------------------------------------

    @property
    def live(self) -> bool:
        return self.state not in ("idle", "closed")

    def connect(self) -> None:
        """Starts connecting; progress arrives as `connection` events."""
        if self.state != "idle":
            raise RuntimeError("connect() once per client")
        self._spawn(self._run())

    def append_audio(self, pcm: bytes) -> None:
        """Microphone audio: PCM16 24 kHz mono, as captured."""
        if self._ended:
            return
        self._pending += pcm
        size = ms_to_bytes(self.CHUNK_MS)
        while len(self._pending) >= size:
            chunk, self._pending = self._pending[:size], self._pending[size:]
            self._queue_audio(chunk)

    def flush_audio(self) -> None:
        """The microphone stopped: what is left goes out, padded to whole samples."""
        if self._ended or not self._pending:
            return
        chunk = self._pending + b"\0" * (len(self._pending) % 2)
        self._pending = b""
        self._queue_audio(chunk.ljust(ms_to_bytes(20), b"\0"))

    def end(self) -> None:
        """Ends the session: playback stops, the socket closes with 1000, nothing is sent after."""
        if self._ended:
            return
        self._ended = True
        self._held.clear()
        if self._ack_timer:
            self._ack_timer.cancel()
        if self.speaker:
            self.speaker.stop("end")
        self._outbox.put_nowait(None)
        if self._ws is None and self.state != "closed":
            self._set_state("closed", code=1000, by="client")

    async def wait_closed(self, timeout: float) -> None:
        try:
            await asyncio.wait_for(self._closed.wait(), timeout)
        except asyncio.TimeoutError:
            pass

    # --- connection -----------------------------------------------------------------------

    def _endpoint(self) -> str:
        parts = urlsplit(self.url)
        query = dict(parse_qsl(parts.query))
        query["model"] = self.model
        return urlunsplit(parts._replace(query=urlencode(query)))

    async def _run(self) -> None:
        self._set_state("connecting")
        try:
            ws = await websockets.connect(
                self._endpoint(),
                extra_headers={"Authorization": f"Bearer {self.api_key}"},
                compression=None,
                max_size=16 * 2**20,
                open_timeout=10,
                ping_interval=15,
                ping_timeout=10,
                close_timeout=2,
            )
        except InvalidStatusCode as e:
            status = e.status_code
            kind = {401: "auth", 402: "billing", 403: "auth", 429: "rate"}.get(status, "network")
            self._error(kind, str(status), f"the server refused to connect: HTTP {status}", True)
            self._finish(None, "server", str(e))
            return
        except (OSError, asyncio.TimeoutError, websockets.WebSocketException) as e:
            self._error("network", "connect_failed", f"could not connect: {e}", True)
            self._finish(None, "network", str(e))
            return
        if self._ended:
            await ws.close(1000, "session ended")
            self._finish(1000, "client", "")
            return
        self._ws = ws
        self._set_state("open")
        writer = self._spawn(self._write(ws))
        self._send(
            {"type": "session.update", "event_id": self._event_id(), "session": self._session()}
        )
        loop = asyncio.get_running_loop()
        self._ack_timer = loop.call_later(self.ACK_TIMEOUT_S, self._ack_missing)
        try:
            async for message in ws:
                if isinstance(message, str):
                    self._receive(message)
        except ConnectionClosed:
            pass
        await self._outbox.put(None)
        await writer
        await ws.wait_closed()
        code = ws.close_code
        if self._ended:
            self._finish(code, "client", "")
            return
        # Audio already received plays out; the app decides whether to stop it.
        if code in _CLOSE_ERRORS:
            kind, message = _CLOSE_ERRORS[code]
            reason = f": {ws.close_reason}" if ws.close_reason else ""
            self._error(kind, str(code), message + reason, True)
        elif code not in (1000, 1001):
            self._error("network", str(code), f"the connection was lost ({code})", True)
        by = "network" if code in (1006, None) else "server"
        self._finish(code, by, ws.close_reason)

    def _finish(self, code: Optional[int], by: str, reason: str) -> None:
        self._ended = True
        self._ws = None
        if self._ack_timer:
            self._ack_timer.cancel()
        fields: dict[str, Any] = {"by": by}
        if code is not None:
            fields["code"] = code
        if reason:
            fields["reason"] = reason
        self._set_state("closed", **fields)
        self._closed.set()

    async def _write(self, ws: websockets.WebSocketClientProtocol) -> None:
        """The one writer: frames leave in the order they were queued; nothing after end()."""
        while True:
            event = await self._outbox.get()
            if event is None or self._ended:
                break
            try:
                await ws.send(json.dumps(event, ensure_ascii=False, separators=(",", ":")))
            except ConnectionClosed:
                break
        if self._ended and ws.open:
            await ws.close(1000, "session ended")

    def _send(self, event: dict[str, Any]) -> bool:
        if self._ended or self._ws is None:
            return False
        self._outbox.put_nowait(event)
        return True

    def _session(self) -> dict[str, Any]:
        keys = ("instructions", "voice", "tools", "tool_choice", "turn_detection")
        return {k: self.session[k] for k in keys if k in self.session}

    def _ack_missing(self) -> None:
        if not self._ready and not self._ended:
            self._error("session", "session_ack_timeout", "no session.updated: audio is held")

    # --- audio out ------------------------------------------------------------------------

    def _queue_audio(self, chunk: bytes) -> None:
        if self._ready:
            self._send({"type": "input_audio_buffer.append", "audio": encode_pcm16(chunk)})
            return
        self._held.append(chunk)
        self._held_bytes += len(chunk)
        while self._held_bytes > ms_to_bytes(self.PRE_READY_MS):
            self._held_bytes -= len(self._held.popleft())

    # --- receiving ------------------------------------------------------------------------

    def _receive(self, text: str) -> None:
        try:
            event = json.loads(text)
        except ValueError:
            self._error("protocol", "invalid_server_message", "the server sent a non-JSON frame")
            return
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return
        handler = self._handlers().get(event["type"])
        if handler is None:
            return  # swaram may add events at any time: unknown ones are ignored
        try:
            handler(event)
        except Exception as e:  # a bug here must not take the session down
            log.exception("handling %s failed", event["type"])
            self._error("other", "client_error", f"handling {event['type']} failed: {e}")

    def _handlers(self) -> dict[str, Callable[[dict[str, Any]], None]]:
        return {
            "session.updated": self._on_session_updated,
            "conversation.item.input_audio_transcription.completed": self._on_user_transcript,
            "response.created": self._on_response_created,
            "response.output_audio.delta": self._on_audio_delta,
            "response.output_audio_transcript.delta": self._on_transcript_delta,
            "response.function_call_arguments.done": self._on_function_call,
            "response.done": self._on_response_done,
            "error": self._on_error,
        }

    def _on_session_updated(self, _event: dict[str, Any]) -> None:
        if self._ready:
            return
        self._ready = True
        if self._ack_timer:
            self._ack_timer.cancel()
        self._set_state("ready")
        held, self._held, self._held_bytes = self._held, deque(), 0
        for chunk in held:
            self._queue_audio(chunk)

    def _on_user_transcript(self, event: dict[str, Any]) -> None:
        item_id, text = event.get("item_id"), event.get("transcript")
        if isinstance(item_id, str) and isinstance(text, str) and item_id not in self._user_items:
            self._user_items.add(item_id)
            self.listener("transcript", role="user", item_id=item_id, text=text, final=True)

    def _on_response_created(self, event: dict[str, Any]) -> None:
        rid = (event.get("response") or {}).get("id")
        if isinstance(rid, str):
            self._responses.setdefault(rid, _Response())

    def _live(self, rid: str) -> bool:
        state = self._responses.get(rid)
        return state is None or (state.status is None and not state.cancelled)

    def _on_audio_delta(self, event: dict[str, Any]) -> None:
        rid, item_id = event.get("response_id"), str(event.get("item_id") or "")
        if not isinstance(rid, str):
            self._dropped("malformed", None, item_id, None, "a delta without response_id")
            return
        delta = event.get("delta")
        if not self._live(rid):
            size = len(delta) * 3 // 4 if isinstance(delta, str) else None
            self._dropped("stale", rid, item_id, size, "a delta of a finished or cancelled reply")
            return
        pcm = decode_pcm16(delta)
        if isinstance(pcm, str):
            self._dropped("malformed", rid, item_id, None, pcm)
        elif self.speaker:
            self.speaker.enqueue(Chunk(rid, item_id, pcm))

    def _on_transcript_delta(self, event: dict[str, Any]) -> None:
        rid, item_id, delta = event.get("response_id"), event.get("item_id"), event.get("delta")
        if not (isinstance(rid, str) and isinstance(item_id, str) and isinstance(delta, str)):
            return
        if not self._live(rid):
            return
        state = self._responses.setdefault(rid, _Response())
        text = state.texts.get(item_id, "") + delta
        state.texts[item_id] = text
        self._assistant_text(rid, item_id, text, final=False)

    def _on_function_call(self, event: dict[str, Any]) -> None:
        call_id = event.get("call_id")
        if not isinstance(call_id, str) or not call_id:
            self._error("protocol", "missing_call_id", "a tool call without call_id")
            return
        args = event.get("arguments")
        args = args if isinstance(args, str) else json.dumps(args or {})
        self._call_tool(call_id, str(event.get("name") or ""), args)

    def _on_response_done(self, event: dict[str, Any]) -> None:
        response = event.get("response") or {}
        rid = response.get("id")
        if not isinstance(rid, str):
            return
        state = self._responses.setdefault(rid, _Response())
        if state.status is not None:
            return  # finalised once, even when response.done is repeated
        status = response.get("status") if isinstance(response.get("status"), str) else "unknown"
        state.status = status
        if status == "completed":
            for item in response.get("output") or []:
                if not isinstance(item, dict) or item.get("type") != "function_call":
                    continue
                if isinstance(item.get("call_id"), str):
                    name, args = str(item.get("name") or ""), str(item.get("arguments") or "{}")
                    self._call_tool(item["call_id"], name, args)
        if status == "cancelled":
            state.cancelled = True
            if self.speaker:
                self.speaker.drop_response(rid, "cancelled")
        for item_id, text in state.texts.items():
            self._assistant_text(rid, item_id, text, final=True)
        reason = (response.get("status_details") or {}).get("reason")
        reason = reason if isinstance(reason, str) else None
        self.listener("response", response_id=rid, status=status, reason=reason)

    def _on_error(self, event: dict[str, Any]) -> None:
        error = event.get("error") or {}
        code = str(error.get("code") or "unknown_error")
        kinds = {
            "invalid_api_key": "auth",
            "insufficient_credits": "billing",
            "too_many_connections": "rate",
            "rate_limit_exceeded": "rate",
            "server_error": "transient",
            "session_locked": "session",
        }
        kind = kinds.get(code, "transient" if error.get("type") == "server_error" else "protocol")
        self._error(kind, code, str(error.get("message") or code))

    # --- tools ----------------------------------------------------------------------------

    def _call_tool(self, call_id: str, name: str, arguments: str) -> None:
        if call_id in self._calls:
            return  # a call delivered twice runs once
        self._calls.add(call_id)
        self._spawn(self._answer(call_id, name, arguments))

    async def _answer(self, call_id: str, name: str, arguments: str) -> None:
        handler = self.tools.get(name)
        try:
            if handler is None:
                raise LookupError(f"unknown tool {name!r}")
            result = handler(call_id, arguments)
            if inspect.isawaitable(result):
                result = await asyncio.wait_for(result, self.TOOL_TIMEOUT_S)
            output = result if isinstance(result, str) else json.dumps(result)
        except Exception as e:
            message = str(e) or type(e).__name__
            self._error("tool", "tool_failed", f"{name}: {message}")
            output = json.dumps({"error": message}, ensure_ascii=False)
        self._send(
            {
                "type": "conversation.item.create",
                "event_id": self._event_id(),
                "item": {"type": "function_call_output", "call_id": call_id, "output": output},
            }
        )

    # --- helpers --------------------------------------------------------------------------

    def _spawn(self, coro: Awaitable[Any]) -> asyncio.Task[Any]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def _event_id(self) -> str:
        self._seq += 1
        return f"evt_py_{self._seq}"

    def _set_state(self, state: str, **fields: Any) -> None:
        self.state = state
        self.listener("connection", state=state, attempt=1, **fields)

    def _error(self, kind: str, code: str, message: str, fatal: bool = False) -> None:
        self.listener("error", error=SwaramError(kind, code, message, fatal))

    def _assistant_text(self, rid: str, item_id: str, text: str, final: bool) -> None:
        self.listener(
            "transcript", role="assistant", item_id=item_id, response_id=rid, text=text, final=final
        )

    def _dropped(
        self, reason: str, rid: Optional[str], item_id: str, size: Optional[int], detail: str
    ) -> None:
        self.listener(
            "audio_dropped",
            reason=reason,
            response_id=rid,
            item_id=item_id,
            bytes=size,
            detail=detail,
        )
