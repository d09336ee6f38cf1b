"""Failed sign-ins, counted per client address: guessing tokens gets slow, quickly.

Kept in the process: a deployment with several API processes limits each on its own, which
still bounds guessing to a small multiple of the limit. Nothing here touches the views, so a
flood of wrong tokens costs no projection work and no database round trip beyond the lookup.
"""

import threading
import time
from collections import deque
from collections.abc import Callable


class SignInLimit:
    def __init__(
        self, failures: int, window_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.failures = failures
        self.window = window_seconds
        self._clock = clock
        self._failed: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """Seconds until this address may try again; 0 when it may try now."""
        with self._lock:
            recent = self._recent(address)
            if len(recent) < self.failures:
                return 0
            return max(1, round(recent[0] + self.window - self._clock() + 0.5))

    def failed(self, address: str) -> None:
        with self._lock:
            self._recent(address).append(self._clock())
            if len(self._failed) > 100_000:
                # Bounded memory under a spray of addresses: forget the quiet ones.
                for quiet in [a for a, times in self._failed.items() if not self._recent(a)]:
                    del self._failed[quiet]

    def _recent(self, address: str) -> deque[float]:
        times = self._failed.setdefault(address, deque())
        horizon = self._clock() - self.window
        while times and times[0] <= horizon:
            times.popleft()
        return times
