"""swaram-py: a minimal swaram realtime client (Python 3, asyncio, websockets 10.4)."""

from .client import SwaramClient, SwaramError, ToolHandler
from .pcm16 import BYTES_PER_MS, decode_pcm16, encode_pcm16, ms_to_bytes
from .speaker import Chunk, VirtualSpeaker

__version__ = "0.1.0"

__all__ = [
    "BYTES_PER_MS",
    "Chunk",
    "SwaramClient",
    "SwaramError",
    "ToolHandler",
    "VirtualSpeaker",
    "decode_pcm16",
    "encode_pcm16",
    "ms_to_bytes",
    "__version__",
]
