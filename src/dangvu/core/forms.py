"""Form helpers shared by the HTML views."""

from dangvu.core.errors import DomainError, ValidationError, field_errors

__all__ = ["add_service_errors"]


def add_service_errors(
    form, exc: ValidationError | DomainError, rename: dict | None = None
) -> None:
    """Show a service's errors next to the form fields they name (`rename` maps a service's
    field name to the form's); errors on other names go to the top of the form."""
    for field, msgs in field_errors(exc).items():
        field = (rename or {}).get(field, field)
        form.add_error(field if field in form.fields else None, msgs)
