"""swaram's one audio format: PCM16, 24 kHz, mono, little-endian, base64 on the wire."""

from __future__ import annotations

import base64
import re

#: Bytes per millisecond of PCM16 24 kHz mono.
BYTES_PER_MS = 48

# Canonical, padded, standard-alphabet base64 without whitespace or a `data:` prefix.
_STRICT_BASE64 = re.compile(r"(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?")


def decode_pcm16(text: object) -> bytes | str:
    """The bytes of a base64 audio payload, or why it is not playable PCM16 (never raises)."""
    if not isinstance(text, str):
        return "audio is not a string"
    if text == "":
        return "audio is empty"
    if not _STRICT_BASE64.fullmatch(text):
        return "audio is not strict base64"
    pcm = base64.b64decode(text)
    if len(pcm) % 2:
        return f"audio has an odd number of bytes ({len(pcm)})"
    return pcm


def encode_pcm16(pcm: bytes) -> str:
    """Canonical, padded base64 of PCM16 bytes."""
    return base64.b64encode(pcm).decode("ascii")


def ms_to_bytes(ms: float) -> int:
    """Bytes in `ms` milliseconds, rounded to whole samples (always even)."""
    return round(ms * BYTES_PER_MS / 2) * 2
