"""
The swaram-py adapter: swaram-adapter/1 (docs/adapter-protocol.md) on stdin / stdout around
`swaram_py.SwaramClient`. It only translates, commands into the calls an app would make and the
client's events into observations, and never corrects the client.

Run it with Debian's Python (`/usr/bin/python3 -u adapter.py`): it needs `python3-websockets`.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import os
import sys
import threading
from typing import Any, Optional

import swaram_py
from swaram_py import Chunk, SwaramClient, SwaramError, VirtualSpeaker

PROTOCOL = "swaram-adapter/1"

#: What this client and adapter really do. No barge-in, cancel, push-to-talk, reconnect or
#: premium: the rules that need them are reported "skipped".
FEATURES = ["playback", "tools", "transcripts", "responses"]


def log(line: str) -> None:
    sys.stderr.write(f"adapter: {line}\n")
    sys.stderr.flush()


def send(message: dict[str, Any]) -> None:
    """One JSON line on stdout, flushed (stdout carries the protocol only)."""
    line = json.dumps(message, ensure_ascii=False, separators=(",", ":"))
    sys.stdout.buffer.write(line.encode("utf-8") + b"\n")
    sys.stdout.buffer.flush()


class CommandError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class Adapter:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.client: Optional[SwaramClient] = None
        self.pending: dict[str, asyncio.Future[str]] = {}
        self.report_audio = False
        self.stopping = False
        self.done = asyncio.Event()

    # --- commands -------------------------------------------------------------------------

    def handle_line(self, line: str) -> None:
        if not line.strip():
            return
        try:
            command = json.loads(line)
        except ValueError:
            return self.refuse(None, "invalid_json", "the line is not JSON")
        if not isinstance(command, dict):
            return self.refuse(None, "invalid_json", "the line is not a JSON object")
        cid = command.get("id")
        if not isinstance(cid, int) or isinstance(cid, bool) or cid < 1:
            return self.refuse(None, "invalid_command", "a command needs an integer id >= 1")
        kind = command.get("type")
        try:
            if kind == "connect":
                self.connect(command)
            elif kind == "mic.audio":
                self.require_client("mic.audio").append_audio(self.audio(command.get("audio")))
            elif kind == "mic.end":
                if self.client:
                    self.client.flush_audio()
            elif kind in ("commit", "interrupt"):
                raise CommandError("unsupported", f"swaram-py has no {kind}")
            elif kind == "tool.result":
                self.tool_result(command)
            elif kind == "end":
                self.end_session()
            elif kind == "shutdown":
                asyncio.ensure_future(self.shutdown(cid))
                return
            else:
                raise CommandError("unknown_command", f"unknown command {kind!r}")
        except CommandError as e:
            return self.refuse(cid, e.code, str(e))
        except Exception as e:
            log(f"{kind} failed: {e!r}")
            return self.refuse(cid, "internal", str(e))
        self.ok(cid)

    def connect(self, command: dict[str, Any]) -> None:
        url, key, model = command.get("url"), command.get("apiKey"), command.get("model")
        if not all(isinstance(v, str) for v in (url, key, model)):
            raise CommandError("invalid_command", "connect needs url, apiKey and model strings")
        if self.client is not None and self.client.live:
            raise CommandError("bad_state", "a session is live: end it before connecting again")
        session = command.get("session") or {}
        options = command.get("options") or {}
        self.report_audio = options.get("reportAudio") is True
        speed = options.get("speed")
        names = [t.get("name") for t in session.get("tools") or [] if isinstance(t, dict)]
        tools = {name: self.tool(name) for name in names if isinstance(name, str)}
        speaker = VirtualSpeaker(
            on_played=self.on_played,
            on_stopped=lambda reason, dropped, ids: send(
                {
                    "type": "playback.stopped",
                    "reason": reason,
                    "droppedBytes": dropped,
                    "response_ids": ids,
                }
            ),
            speed=speed if isinstance(speed, (int, float)) and speed > 0 else 1.0,
        )
        self.client = SwaramClient(
            url,
            key,
            model=model,
            session=session,
            tools=tools,
            speaker=speaker,
            listener=self.on_event,
        )
        self.client.connect()

    @staticmethod
    def audio(value: Any) -> bytes:
        try:
            pcm = base64.b64decode(value, validate=True) if isinstance(value, str) else None
        except (binascii.Error, ValueError):
            pcm = None
        if not pcm or len(pcm) % 2:
            raise CommandError("invalid_command", "audio: base64 of an even, non-zero byte count")
        return pcm

    def require_client(self, what: str) -> SwaramClient:
        if self.client is None:
            raise CommandError("bad_state", f"{what} before connect")
        return self.client

    def tool_result(self, command: dict[str, Any]) -> None:
        call_id = command.get("call_id")
        output, error = command.get("output"), command.get("error")
        if not isinstance(call_id, str):
            raise CommandError("invalid_command", "call_id is required")
        if isinstance(output, str) == isinstance(error, str):
            raise CommandError("invalid_command", "give exactly one of output and error")
        future = self.pending.pop(call_id, None)
        if future is None or future.done():
            raise CommandError("unknown_call", f"no pending tool.invoke with call_id {call_id}")
        if isinstance(error, str):
            future.set_exception(RuntimeError(error))
        else:
            future.set_result(output)

    def end_session(self) -> None:
        if self.client:
            self.client.end()
        for future in self.pending.values():
            if not future.done():
                future.set_exception(RuntimeError("session ended"))
        self.pending.clear()

    async def shutdown(self, cid: Optional[int]) -> None:
        if not self.stopping:
            self.stopping = True
            self.end_session()
            if self.client and self.client.live:
                await self.client.wait_closed(1.0)
        if cid is not None:
            self.ok(cid)
        self.done.set()

    # --- the client's side ----------------------------------------------------------------

    def tool(self, name: str):
        """A declared tool: asks the runner (tool.invoke) and waits for its tool.result."""

        async def run(call_id: str, arguments: str) -> str:
            future: asyncio.Future[str] = self.loop.create_future()
            self.pending[call_id] = future
            send({"type": "tool.invoke", "call_id": call_id, "name": name, "arguments": arguments})
            return await future

        return run

    def on_played(self, chunk: Chunk, played: int) -> None:
        message: dict[str, Any] = {
            "type": "audio.played",
            "response_id": chunk.response_id,
            "item_id": chunk.item_id,
            "bytes": played,
        }
        if self.report_audio:
            message["audio"] = base64.b64encode(chunk.pcm[:played]).decode("ascii")
        send(message)

    def on_event(self, kind: str, **fields: Any) -> None:
        if kind == "connection":
            send({"type": "connection", **fields})
        elif kind == "error":
            e: SwaramError = fields["error"]
            error = {"kind": e.kind, "code": e.code, "message": e.message, "fatal": e.fatal}
            send({"type": "error", **error})
        elif kind == "transcript":
            send({"type": "transcript", **{k: v for k, v in fields.items() if v is not None}})
        elif kind == "response":
            if fields["status"] in ("completed", "cancelled", "failed", "incomplete"):
                send({"type": "response", **{k: v for k, v in fields.items() if v is not None}})
        elif kind == "audio_dropped":
            send({"type": "audio.dropped", **{k: v for k, v in fields.items() if v is not None}})

    # --- replies --------------------------------------------------------------------------

    def ok(self, cid: int) -> None:
        send({"type": "reply", "id": cid, "ok": True})

    def refuse(self, cid: Optional[int], code: str, message: str) -> None:
        send({"type": "reply", "id": cid, "ok": False, "error": {"code": code, "message": message}})


def resident_bytes() -> Optional[int]:
    """This process's resident bytes (Linux /proc), or None where it cannot be read."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


async def sample_memory(adapter: "Adapter") -> None:
    """A `memory` observation every second (BOUNDED-MEMORY) while the adapter runs."""
    while not adapter.done.is_set():
        await asyncio.sleep(1)
        rss = resident_bytes()
        if rss is None:
            return
        if not adapter.done.is_set():
            send({"type": "memory", "rss": rss})


def read_stdin(loop: asyncio.AbstractEventLoop, adapter: Adapter) -> None:
    """Reads commands on a thread and hands each line to the loop; end of input is shutdown."""
    for raw in sys.stdin.buffer:
        loop.call_soon_threadsafe(adapter.handle_line, raw.decode("utf-8", errors="replace"))
    loop.call_soon_threadsafe(lambda: asyncio.ensure_future(adapter.shutdown(None)))


async def main() -> None:
    loop = asyncio.get_running_loop()
    adapter = Adapter(loop)
    client = {"name": "swaram-py", "version": swaram_py.__version__, "language": "python"}
    send({"type": "hello", "protocol": PROTOCOL, "client": client, "features": FEATURES})
    threading.Thread(target=read_stdin, args=(loop, adapter), daemon=True).start()
    sampler = asyncio.ensure_future(sample_memory(adapter))
    await adapter.done.wait()
    sampler.cancel()


if __name__ == "__main__":
    asyncio.run(main())
    sys.stdout.flush()
    sys.stderr.flush()
    # The stdin reader thread may still be blocked in a read: leave without finalising it.
    os._exit(0)
