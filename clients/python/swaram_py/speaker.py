"""A speaker without a sound card, for headless apps, tests and conformance runs."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass
from typing import Callable, Optional

from .pcm16 import BYTES_PER_MS


@dataclass(frozen=True)
class Chunk:
    """A piece of reply audio for the speaker."""

    response_id: str
    item_id: str
    pcm: bytes


class VirtualSpeaker:
    """
    Consumes PCM16 24 kHz mono at real time (48 bytes per ms, times `speed`) on the asyncio
    loop, one chunk after the other, and says when each chunk has been played.

    A chunk starts when the previous one was reported played (or when it is queued, if the
    speaker was idle) and lasts exactly its duration, so chunks never overlap for an observer
    that places each at [report time - duration, report time].

    `on_played(chunk, played_bytes)` is called when a chunk (or the played part of a cut one)
    has been played to its end; `on_stopped(reason, dropped_bytes, response_ids)` when queued or
    playing audio was discarded.
    """

    def __init__(
        self,
        on_played: Callable[[Chunk, int], None],
        on_stopped: Callable[[str, int, list], None],
        speed: float = 1.0,
    ) -> None:
        self._on_played = on_played
        self._on_stopped = on_stopped
        self._bytes_per_s = BYTES_PER_MS * 1000 * speed
        self._queue: deque[Chunk] = deque()
        self._current: Optional[tuple[Chunk, float, float, asyncio.TimerHandle]] = None
        self._closed = False

    @property
    def busy(self) -> bool:
        return self._current is not None or bool(self._queue)

    def enqueue(self, chunk: Chunk) -> None:
        if self._closed or not chunk.pcm:
            return
        self._queue.append(chunk)
        if self._current is None:
            self._start_next()

    def stop(self, reason: str) -> None:
        """Stops what is playing and discards everything queued."""
        self._discard(lambda c: True, reason)

    def drop_response(self, response_id: str, reason: str) -> None:
        """Discards the audio of one response, playing or queued; the rest plays on."""
        self._discard(lambda c: c.response_id == response_id, reason)

    def close(self) -> None:
        if self._current is not None:
            self._current[3].cancel()
        self._current = None
        self._queue.clear()
        self._closed = True

    def _start_next(self) -> None:
        if not self._queue:
            self._current = None
            return
        chunk = self._queue.popleft()
        loop = asyncio.get_running_loop()
        start = loop.time()
        end = start + len(chunk.pcm) / self._bytes_per_s
        self._current = (chunk, start, end, loop.call_at(end, self._finish))

    def _finish(self) -> None:
        if self._current is None:
            return
        chunk, start, end, _ = self._current
        loop = asyncio.get_running_loop()
        if loop.time() < end:  # timers may fire a little early: play to the very end
            self._current = (chunk, start, end, loop.call_at(end, self._finish))
            return
        self._current = None
        self._on_played(chunk, len(chunk.pcm))
        self._start_next()

    def _discard(self, match: Callable[[Chunk], bool], reason: str) -> None:
        dropped = 0
        ids: list[str] = []
        touched = False
        current = self._current
        if current is not None and match(current[0]):
            chunk, start, end, timer = current
            timer.cancel()
            self._current = None
            touched = True
            now = asyncio.get_running_loop().time()
            elapsed = max(0.0, min(now, end) - start)
            played = min(len(chunk.pcm), int(elapsed * self._bytes_per_s) // 2 * 2)
            if played > 0:
                self._on_played(chunk, played)
            dropped += len(chunk.pcm) - played
            ids.append(chunk.response_id)
        kept: deque[Chunk] = deque()
        for chunk in self._queue:
            if match(chunk):
                touched = True
                dropped += len(chunk.pcm)
                if chunk.response_id not in ids:
                    ids.append(chunk.response_id)
            else:
                kept.append(chunk)
        self._queue = kept
        if touched:
            self._on_stopped(reason, dropped, ids)
        if self._current is None:
            self._start_next()
