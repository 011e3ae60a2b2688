"""Stopping generation work whose request has gone: cancelled by the client, past its deadline, or ended.

Generation runs in worker threads, which asyncio cannot interrupt: a cancelled RPC would otherwise leave
its thread making rows until the chunk or document is done (minutes, for a big one). The service sets a
`Cancel` for each request in a context variable; `asyncio.to_thread` copies the context into the worker,
so the engine's loops (`check()` between rows and blocks) see the same object and stop at the next check.
Outside a request (the CLI, tests, benches) there is no token and `check()` costs one lookup.
"""

from __future__ import annotations

import threading
import time
from contextvars import ContextVar


class Cancelled(Exception):
    """The request this work was for is gone; nobody will read the result."""


class Cancel:
    def __init__(self, deadline_s: float | None = None) -> None:
        self._event = threading.Event()
        self.reason = ""
        # A client deadline ends the RPC anyway; checking it here stops the thread at the same moment.
        self.deadline = time.monotonic() + deadline_s if deadline_s is not None else None

    def cancel(self, reason: str = "cancelled") -> None:
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    @property
    def cancelled(self) -> bool:
        if self._event.is_set():
            return True
        if self.deadline is not None and time.monotonic() > self.deadline:
            self.cancel("deadline passed")
            return True
        return False

    def check(self) -> None:
        if self.cancelled:
            raise Cancelled(self.reason)


current: ContextVar[Cancel | None] = ContextVar("generation_cancel", default=None)


def check() -> None:
    """Raises Cancelled when the current request is gone; free outside a request."""
    token = current.get()
    if token is not None:
        token.check()
