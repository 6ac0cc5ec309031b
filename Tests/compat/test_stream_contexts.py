"""A stream keeps the async contexts of every function on its path for its whole life, so their sizes are per-stream
memory (at 2,000 streams, 1 KiB more on the path is 2 MiB more RSS). Read from the release binary's async function
pointers (bench/tools/async-frames.py); a change that makes them balloon again — session 9's large values built inside
the relay took the chat stream's path from ~7 to ~20 KiB and 2,000 streams from 129 to 168 MiB — fails here."""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# The chat stream's path, outermost first; a name the optimizer inlined into its caller is simply absent.
PATH = ["GatewayHandler.respond(", "GatewayHandler.dispatch(", "GatewayHandler.authenticated(", "ClientDisconnectMonitor.run",
        "ChatCompletionsEndpoint.handle(", "ChatCompletionsEndpoint.stream(", "StreamRelay.run(", "StreamRelay.relay(",
        "CheckedOpenAIStream.AsyncIterator.next()"]
BUDGET = 8 * 1024


def contexts(binary: str) -> list[tuple[int, str]]:
    listing = subprocess.run([sys.executable, str(ROOT / "bench" / "tools" / "async-frames.py"), binary, "100000"],
                             capture_output=True, text=True, check=True).stdout
    return [(int(size), name.strip()) for size, name in (line.split(maxsplit=1) for line in listing.splitlines())]


def test_the_chat_stream_path_keeps_small_async_contexts():
    binary = os.environ.get("LLM_GATEWAY_STATIC_BIN")
    assert binary, "scripts/test.sh builds it with scripts/build-static.sh release and sets LLM_GATEWAY_STATIC_BIN"
    listed = contexts(binary)
    on_path = {}
    for size, name in listed:
        for part in PATH:
            # The largest specialization of each (`authenticated` has one per route's operation).
            if part in name and not name.startswith(("closure", "protocol witness")):
                on_path[part] = max(on_path.get(part, 0), size)
    assert "StreamRelay.run(" in on_path and "ChatCompletionsEndpoint.handle(" in on_path, "the path's names moved: update PATH"
    total = sum(on_path.values())
    assert total <= BUDGET, f"{total} bytes of async context on a chat stream's path (budget {BUDGET}): {on_path}"
