"""Where each view stands: its position, version and pace, why it stopped, and any build
beside it; what ``/health`` and ``crm projections status`` show."""

from dataclasses import dataclass
from typing import Literal

from projections.builds import Build
from projections.failures import ViewFailure

State = Literal["running", "stopped", "rebuilding"]


@dataclass(frozen=True)
class ViewStatus:
    name: str
    position: int
    failure: ViewFailure | None
    version: int
    """The version the live tables were built by."""
    current_version: int
    """The version this code builds."""
    build: Build | None = None
    events_per_second: float | None = None
    """How fast the view last moved along the log."""

    @property
    def state(self) -> State:
        """Stopped at an event its handlers cannot apply; rebuilding while a build is under way
        beside the live tables (they answer until it takes their place); else running."""
        if self.failure is not None:
            return "stopped"
        if self.build is not None or self.version != self.current_version:
            return "rebuilding"
        return "running"

    def behind(self, head: int) -> int:
        """Log positions still to apply: to the live view, or to its build while one runs."""
        return max(0, head - (self.build.position if self.build is not None else self.position))

    @property
    def pace(self) -> float | None:
        """Log positions a second, of the build while one runs, else of the live view."""
        return self.build.events_per_second if self.build is not None else self.events_per_second

    def eta_seconds(self, head: int) -> float | None:
        """At that pace, how long until nothing is left to apply; None before any pace."""
        behind = self.behind(head)
        if behind == 0:
            return 0.0
        return behind / self.pace if self.pace else None
