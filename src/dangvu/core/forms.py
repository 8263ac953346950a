"""Form helpers shared by the HTML views."""

from abc import ABCMeta, abstractmethod

from django import forms

from dangvu.core.dates import check_in_range, time_of_day
from dangvu.core.errors import DomainError, ValidationError, field_errors

__all__ = [
    "add_service_errors",
    "ActorForm",
    "DayField",
    "TimeOfDayField",
    "date_widget",
    "PickerField",
    "PickerWidget",
]


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


class TimeOfDayField(forms.TimeField):
    """A time of day (HH:MM) with the phone's time picker; the same rule as the API's Clock
    (core.dates.time_of_day)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value is None:
            return None
        try:
            return time_of_day(value)
        except ValueError as exc:
            raise ValidationError(str(exc), code="time_zone") from None


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


# --- pickers: a thing chosen by name -----------------------------------------------------------


class PickerWidget(forms.Widget):
    """A text box where a name (or a code) is typed; as-you-type choices under it (htmx, from
    the field's pick URL) put the chosen key in a hidden input. Without JavaScript the form is
    sent with the typed text and answered, when several things match, with a choice of them
    (radio buttons) next to the field. The field (PickerField) does the finding."""

    template_name = "core/widgets/picker.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.field = None

    def value_from_datadict(self, data, files, name):
        return (data.get(name, ""), data.get(f"{name}_q"))

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_q" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        field = self.field
        key, text = value if isinstance(value, tuple) else (value, None)
        if field is not None and field.chosen is not None:
            # Resolved from what was sent (a name typed, a choice made): shown as chosen.
            key, text = field.chosen, field.label_of(field.chosen)
        if field is not None and not isinstance(key, str | int | type(None)):
            key = field.key_of(key)
        key = str(key or "")
        if text is None and key and field is not None:
            found = field.find(key)
            text = field.label_of(found) if found is not None else key
        context["widget"].update(
            {
                "code": key,
                "text": text or "",
                "candidates": [
                    {"key": field.key_of(o), "label": field.label_of(o), "gone": field.gone(o)}
                    for o in field.candidates
                ]
                if field is not None
                else [],
                "pick_url": field.pick_url(name) if field is not None else "",
                "placeholder": field.placeholder if field is not None else "",
            }
        )
        return context


class PickerField(forms.Field, metaclass=ABCMeta):
    """A thing chosen by name among those the actor may choose; cleans to the thing. A subclass
    says how to find one by its key (`find`), search by text (`search`: the best matches
    first), name it (`label_of`, the text the box shows once chosen), key it (`key_of`), where
    the as-you-type choices come from (`pick_url`) and what to say when nothing or several
    match (`error`): abstract methods, so a subclass missing one cannot be made."""

    widget = PickerWidget
    placeholder = ""

    def __init__(self, **kwargs):
        self.actor = None
        self.candidates = []
        self.chosen = None
        super().__init__(**kwargs)
        self.widget.field = self

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result.widget.field = result
        result.candidates = []
        result.chosen = None
        return result

    def clean(self, value):
        self.chosen = None
        found = super().clean(value)
        self.chosen = found
        return found

    def bind(self, actor) -> None:
        self.actor = actor

    # What a subclass provides.
    @abstractmethod
    def find(self, key: str):
        """The thing whose key is `key` among those the actor may choose, or None."""

    @abstractmethod
    def search(self, text: str) -> list:
        """The things `text` names, the best matches first."""

    @abstractmethod
    def label_of(self, obj) -> str:
        """The text the box shows once `obj` is chosen."""

    @abstractmethod
    def key_of(self, obj) -> str:
        """The key the form sends for `obj`."""

    @abstractmethod
    def pick_url(self, name: str) -> str:
        """Where the as-you-type choices of the field `name` come from."""

    @abstractmethod
    def error(self, kind: str, text: str = "") -> str:
        """The message for an unknown key ("unknown_key"), no match ("none") or several
        ("several"); `text` is what was typed."""

    def gone(self, obj) -> bool:
        return False

    def prepare_value(self, value):
        return value if isinstance(value, tuple | str | int | type(None)) else self.key_of(value)

    def to_python(self, value):
        key, text = value if isinstance(value, tuple) else (value, None)
        if key is not None and not isinstance(key, str | int):
            return key  # already the thing (an initial value)
        key = str(key or "").strip()
        text = (text or "").strip()
        if not key and not text:
            return None
        chosen = self.find(key) if key else None
        if chosen is not None and (not text or text == self.label_of(chosen)):
            return chosen
        if not text:
            raise forms.ValidationError(self.error("unknown_key"), code="unknown")
        matches = self.search(text)
        if chosen is not None and chosen in matches:
            return chosen
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise forms.ValidationError(self.error("none", text[:80]), code="unknown")
        self.candidates = matches
        raise forms.ValidationError(self.error("several", text[:80]), code="ambiguous")
