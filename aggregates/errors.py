"""Domain errors: why the model refused a change. Each maps to one HTTP status."""


class DomainError(Exception):
    """A change the domain refuses; nothing is recorded."""

    code = "domain_error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidValue(DomainError):
    """A value that can never be right, whatever the state (a malformed phone).

    ``location`` says where the caller put the value: the request ``body`` (the default for
    anything a command carries), the ``query`` string, the ``path`` or a ``header``."""

    code = "invalid_value"

    def __init__(self, field: str, message: str, location: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.location = location


class RuleViolated(DomainError):
    """A change that the current state does not allow (a forbidden client, a closed deal)."""

    code = "rule_violated"


class NotFound(DomainError):
    code = "not_found"


class AccessDenied(DomainError):
    code = "access_denied"


class ConcurrentChange(DomainError):
    """The aggregate moved on since the caller read it: the expected version is stale."""

    code = "concurrent_change"
