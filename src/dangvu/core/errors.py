"""Domain errors: services raise them, views and the API turn them into messages."""

from django.core.exceptions import ValidationError

__all__ = ["DomainError", "ValidationError", "field_errors"]


class DomainError(Exception):
    """A rule refused an action that is well-formed (e.g. an event for a dead member)."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def field_errors(exc: ValidationError | DomainError) -> dict[str, list[str]]:
    """{field: [messages]} for a ValidationError or DomainError ("__all__" when unnamed)."""
    if isinstance(exc, DomainError):
        return {exc.field or "__all__": [str(exc.message)]}
    if hasattr(exc, "error_dict"):
        return {f: [str(m) for e in errs for m in e.messages] for f, errs in exc.error_dict.items()}
    return {"__all__": [str(m) for m in exc.messages]}
