"""The one question tlm asks of the network: can this host be reached, now?

tlm runs offline. The two things it may fetch (NLTK's Gutenberg corpus and
gensim-data vectors) first ask `reachable`, which answers within its timeout
whatever happens underneath: the connection runs in a daemon thread, so a name
lookup that hangs (the resolver ignores socket timeouts and may wait a minute
for a name server that never answers) cannot keep a learner waiting.
"""

from __future__ import annotations

import socket
import threading

#: Seconds to wait for a host before saying it cannot be reached.
TIMEOUT = 3.0


def reachable(host: str, port: int = 443, timeout: float | None = None) -> bool:
    """Whether a connection to `host`:`port` opens within `timeout` seconds
    (default `TIMEOUT`), the name lookup included."""
    timeout = TIMEOUT if timeout is None else timeout
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])
