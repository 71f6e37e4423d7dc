"""The portal's forms: they check shape (required, dates, numbers); the engine's functions check meaning."""

from datetime import date, timedelta
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from coaching.agendas.state import MAX_ONE_ON_ONE, MAX_TEXT, MIN_ONE_ON_ONE
from coaching.gaps.catalogue import defaults_for
from coaching.gaps.rule import THRESHOLD_HELP
from coaching.models import AgendaItem, Commitment, Membership

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=AgendaItem.Status.choices)
    reason = forms.CharField(required=False, max_length=MAX_TEXT, widget=forms.TextInput())


class NoteForm(forms.Form):
    text = forms.CharField(
        max_length=MAX_TEXT, widget=forms.Textarea(attrs={"rows": 2, "placeholder": "What was said, what to remember"})
    )


class CommitmentForm(forms.Form):
    text = forms.CharField(max_length=MAX_TEXT, label="Commitment", widget=forms.TextInput())
    owner_sf_id = forms.ChoiceField(label="Who")
    due_date = forms.DateField(label="By", widget=DATE_INPUT)

    def __init__(self, *args, owners: list[tuple[str, str]], week_start: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        owner = self.fields["owner_sf_id"]
        assert isinstance(owner, forms.ChoiceField)  # declared above
        owner.choices = owners
        # Friday of the following week: the next 1:1 is when it gets checked.
        self.fields["due_date"].initial = week_start + timedelta(days=11)


class CommitmentStatusForm(forms.Form):
    status = forms.ChoiceField(choices=Commitment.Status.choices)


class SnoozeForm(forms.Form):
    reason = forms.CharField(
        max_length=2000, widget=forms.TextInput(attrs={"placeholder": "Why, for whoever reads it"})
    )
    until = forms.DateField(widget=DATE_INPUT)

    def __init__(self, *args, today: date, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["until"].initial = today + timedelta(weeks=4)


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class OneOnOneForm(forms.Form):
    minutes = forms.IntegerField(
        min_value=MIN_ONE_ON_ONE,
        max_value=MAX_ONE_ON_ONE,
        label="1:1 length (minutes)",
        help_text="Agendas are sized to it from the next build.",
    )
    weekday = forms.TypedChoiceField(
        choices=[("", "not set"), *((str(n), day) for n, day in enumerate(WEEKDAYS))],
        coerce=int,
        empty_value=None,
        required=False,
        label="Usual day",
    )
    at = forms.TimeField(required=False, label="Usual time", widget=forms.TimeInput(attrs={"type": "time"}))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("weekday") is None) != (data.get("at") is None) and not self.errors:
            raise forms.ValidationError("Give both a day and a time for your 1:1s, or neither.")
        return data


class RuleForm(forms.Form):
    """One rule's switch and thresholds; a blank threshold means the documented default."""

    enabled = forms.BooleanField(required=False)

    def __init__(self, *args, code: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.code = code
        for key, default in defaults_for(code).items():
            self.fields[key] = forms.FloatField(
                required=False,
                min_value=0,
                label=key,
                help_text=THRESHOLD_HELP.get(key, ""),
                widget=forms.NumberInput(attrs={"placeholder": f"{default:g}", "step": "any"}),
            )

    def thresholds(self) -> dict[str, float]:
        return {key: value for key, value in self.cleaned_data.items() if key != "enabled" and value is not None}


FROM_THE_TREE = ""


class InviteForm(forms.Form):
    """Its defaults make a valid invite: the first CRM user without a login, with the role their place in
    the manager tree implies (the rule of linking by email on a first sign-in)."""

    role = forms.ChoiceField(
        choices=[
            (FROM_THE_TREE, "As their place in Salesforce says (director, frontline manager or rep)"),
            *Membership.Role.choices,
        ],
        required=False,
    )
    person_sf_id = forms.ChoiceField(label="CRM user", required=False)
    email = forms.EmailField(required=False, help_text="Blank: the CRM user's email.")

    def __init__(self, *args, people: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person_sf_id"]
        assert isinstance(person, forms.ChoiceField)  # declared above
        person.choices = [*people, ("", "— none (an org admin outside the CRM) —")]
        person.initial = people[0][0] if people else ""
        self.fields["role"].initial = FROM_THE_TREE if people else Membership.Role.ADMIN

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("role") == FROM_THE_TREE and not cleaned.get("person_sf_id"):
            cleaned["role"] = Membership.Role.ADMIN  # nobody in the tree to read a role from: an admin
        return cleaned


class AcceptInviteForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):  # type: ignore[name-defined]  # the stub leaves out the form's Meta
        model = get_user_model()
        fields = ("username",)
