"""Form helpers shared by the HTML views."""

from django import forms

from dangvu.core.dates import check_in_range
from dangvu.core.errors import DomainError, ValidationError, field_errors

__all__ = ["add_service_errors", "ActorForm", "DayField", "date_widget"]


def date_widget():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DayField(forms.DateField):
    """A date within the range Dangvu accepts (core.dates.MIN_DATE to MAX_DATE), with the
    phone's date picker."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", date_widget())
        super().__init__(**kwargs)

    def validate(self, value):
        super().validate(value)
        if value is not None:
            try:
                check_in_range(value)
            except ValueError as exc:
                raise ValidationError(str(exc), code="out_of_range") from None


class ActorForm(forms.Form):
    """A form whose fields need the person filling it in (pickers offer and accept only what
    that person may choose): `Form(data, actor=request.user)`; every field with a `bind`
    method is given the actor."""

    def __init__(self, *args, actor=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
        for field in self.fields.values():
            if hasattr(field, "bind"):
                field.bind(actor)


def add_service_errors(
    form, exc: ValidationError | DomainError, rename: dict | None = None
) -> None:
    """Show a service's errors next to the form fields they name (`rename` maps a service's
    field name to the form's); errors on other names go to the top of the form."""
    for field, msgs in field_errors(exc).items():
        field = (rename or {}).get(field, field)
        form.add_error(field if field in form.fields else None, msgs)
