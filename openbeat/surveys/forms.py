"""Forms: a section's questions as a public GOV.UK form (built from the frozen definition), and the back office's
builder forms."""

from __future__ import annotations

from typing import Any

from django import forms

from openbeat.areas.models import Division
from openbeat.areas.postcodes import postcode_hint
from openbeat.core.forms import _WIDGET_CLASSES, GovukForm
from openbeat.core.users import RequestUser
from openbeat.staff.scope import scope_for
from openbeat.surveys import logic
from openbeat.surveys.models import Option, Question, Survey


def _name(question: dict[str, Any], statement: dict[str, Any] | None = None) -> str:
    return f"q{question['id']}" + (f"_{statement['id']}" if statement else "")


def _label(text: str, question: dict[str, Any]) -> str:
    return text if question.get("required") else f"{text} (optional)"


class SectionForm(GovukForm):
    """One field per shown question of a section (one per statement for a grid). Every field is optional to Django:
    the survey's own rules (logic.question_errors) say what is required and what is wrong, with their messages."""

    def __init__(self, *args: Any, questions: list[dict[str, Any]], **kwargs: Any) -> None:
        self.questions = questions
        super().__init__(*args, **kwargs)
        for question in questions:
            kind, hint = question["kind"], question.get("hint", "")
            choices = [(str(o["id"]), o["label"]) for o in question.get("options", [])]
            if kind == logic.SINGLE:
                field: forms.Field = forms.ChoiceField(choices=choices, widget=forms.RadioSelect)
            elif kind == logic.MULTIPLE:
                field = forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple)
            elif kind in (logic.SCALE_5, logic.SCALE_10):
                low, high = logic.SCALES[kind]
                numbers = [(str(n), str(n)) for n in range(low, high + 1)]
                field = forms.ChoiceField(choices=numbers, widget=forms.RadioSelect)
                hint = hint or f"{low} is the lowest, {high} the highest"
            elif kind == logic.GRID:
                grid = [(str(n), label) for n, label in logic.GRID_LABELS.items()]
                for statement in question.get("options", []):
                    self.fields[_name(question, statement)] = forms.ChoiceField(
                        label=_label(f"{question['text']}: {statement['label']}", question),
                        choices=grid,
                        widget=forms.RadioSelect,
                        required=False,
                        help_text=hint,
                        error_messages={"invalid_choice": "Choose an answer from the list"},
                    )
                continue
            elif kind == logic.TEXT:
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}))
                hint = hint or "Do not include personal details such as names. To report a crime, call 101."
            else:
                field = forms.CharField()
                field.widget.attrs.update({"autocomplete": "postal-code", "spellcheck": "false"})
                field.govuk_width = 10  # type: ignore[attr-defined]
                hint = hint or postcode_hint
            field.required = False
            field.error_messages["invalid_choice"] = "Choose an answer from the list"
            field.label = _label(question["text"], question)
            field.help_text = hint
            self.fields[_name(question)] = field
        # GovukFormMixin styles widgets in its __init__, before these fields existed: style them the same way now.
        self._style()

    def _style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            css = next((c for w, c in _WIDGET_CLASSES.items() if isinstance(widget, w)), "ob-input")
            width = getattr(field, "govuk_width", None)
            if width:
                css += f" ob-input--width-{width}"
            if css not in widget.attrs.get("class", ""):
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def raw_answers(self) -> dict[str, Any]:
        """What was typed or chosen, as logic's answer values (not yet checked)."""
        data = self.cleaned_data
        answers: dict[str, Any] = {}
        for question in self.questions:
            key, kind = str(question["id"]), question["kind"]
            if kind == logic.GRID:
                answers[key] = {
                    str(s["id"]): int(data[_name(question, s)])
                    for s in question.get("options", [])
                    if data.get(_name(question, s))
                }
            elif kind == logic.MULTIPLE:
                answers[key] = [int(v) for v in data.get(_name(question), [])]
            elif kind in (logic.SINGLE, logic.SCALE_5, logic.SCALE_10):
                value = data.get(_name(question))
                answers[key] = int(value) if value else None
            else:
                answers[key] = data.get(_name(question), "")
        return answers

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for question in self.questions:
            names = [_name(question, s) for s in question.get("options", [])] if question["kind"] == logic.GRID else []
            if any(name in self.errors for name in [_name(question), *names]):
                continue  # Django's own message (a choice not offered) already says what is wrong
            _value, error = logic.question_errors(question, self.raw_answers()[str(question["id"])])
            if error:
                if question["kind"] == logic.GRID:
                    missing = [s for s in question["options"] if not cleaned.get(_name(question, s))]
                    self.add_error(_name(question, (missing or question["options"])[0]), error)
                else:
                    self.add_error(_name(question), error)
        return cleaned

    @staticmethod
    def initial_for(questions: list[dict[str, Any]], answers: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for question in questions:
            value = answers.get(str(question["id"]))
            if value is None:
                continue
            if question["kind"] == logic.GRID:
                for sid, number in value.items():
                    initial[f"q{question['id']}_{sid}"] = str(number)
            elif isinstance(value, list):
                initial[_name(question)] = [str(v) for v in value]
            else:
                initial[_name(question)] = str(value)
        return initial


def display_answer(question: dict[str, Any], value: Any) -> str:
    """An answer in words, for "Check your answers"."""
    if value is None:
        return "Not answered"
    labels = {o["id"]: o["label"] for o in question.get("options", [])}
    kind = question["kind"]
    if kind == logic.SINGLE:
        return labels.get(value, "")
    if kind == logic.MULTIPLE:
        return ", ".join(labels.get(v, "") for v in value)
    if kind == logic.GRID:
        return "; ".join(f"{labels.get(int(k), '')}: {logic.GRID_LABELS[v]}" for k, v in value.items())
    return str(value)


# Back office


class SurveyForm(forms.ModelForm):
    division = forms.ModelChoiceField(
        queryset=Division.objects.none(),
        required=False,
        empty_label="The whole force",
        help_text="Whose survey this is. Only force-wide staff can run one for the whole force.",
    )

    class Meta:
        model = Survey
        fields = ["title", "slug", "intro", "privacy_notice", "division"]

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.fields["division"].queryset = scope.filter(Division.objects.all(), "pk")  # type: ignore[attr-defined]
        if not scope.force_wide:
            self.fields["division"].required = True
            self.fields["division"].empty_label = None  # type: ignore[attr-defined]


class SectionEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    intro = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    show_when = forms.ModelChoiceField(
        queryset=Option.objects.none(),
        required=False,
        empty_label="Always",
        label="Show this section only when",
        help_text="An answer to an earlier question (one answer, or several answers).",
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_when"].queryset = choice_options(survey)  # type: ignore[attr-defined]
        self.fields["show_when"].label_from_instance = _option_label  # type: ignore[attr-defined]


def choice_options(survey: Survey) -> Any:
    return Option.objects.filter(
        question__section__survey=survey, question__kind__in=logic.CHOICE_KINDS
    ).select_related("question")


def _option_label(option: Option) -> str:
    return f"{option.question.text}: {option.label}"


class QuestionForm(forms.Form):
    kind = forms.ChoiceField(choices=Question.Kind.choices)
    text = forms.CharField(max_length=300, label="Question")
    hint = forms.CharField(max_length=300, required=False)
    required = forms.BooleanField(required=False, initial=True, label="An answer is required")
    show_when = forms.ModelChoiceField(
        queryset=Option.objects.none(), required=False, empty_label="Always", label="Ask only when"
    )

    def __init__(self, *args: Any, survey: Survey, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["show_when"].queryset = choice_options(survey)  # type: ignore[attr-defined]
        self.fields["show_when"].label_from_instance = _option_label  # type: ignore[attr-defined]


class OptionForm(forms.Form):
    option_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    label = forms.CharField(max_length=200, required=False, label="Answer (or statement, for a grid)")


OptionFormSet = forms.formset_factory(OptionForm, extra=3, can_delete=True, max_num=30)


class ResultsFilterForm(forms.Form):
    breakdown = forms.ChoiceField(required=False, choices=[])
    division = forms.ModelChoiceField(queryset=Division.objects.none(), required=False, empty_label="Any division")
    neighbourhood = forms.IntegerField(required=False, widget=forms.HiddenInput)
    channel = forms.ChoiceField(required=False, choices=[])
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, divisions: Any, **kwargs: Any) -> None:
        from openbeat.surveys.selectors import BREAKDOWNS, channel_choices

        super().__init__(*args, **kwargs)
        self.fields["breakdown"].choices = list(BREAKDOWNS.items())  # type: ignore[attr-defined]
        self.fields["channel"].choices = channel_choices()  # type: ignore[attr-defined]
        self.fields["division"].queryset = divisions  # type: ignore[attr-defined]


# --- Indices (helper "indices") -------------------------------------------------------------------------------


class IndexForm(forms.ModelForm):
    division = forms.ModelChoiceField(
        queryset=Division.objects.none(),
        required=False,
        empty_label="The whole force",
        help_text="Whose index this is. Only force-wide staff can define one for the whole force.",
    )

    class Meta:
        from openbeat.surveys.models import SurveyIndex

        model = SurveyIndex
        fields = ["name", "slug", "description", "division"]

    def __init__(self, *args: Any, user: RequestUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scope = scope_for(user)
        self.fields["division"].queryset = scope.filter(Division.objects.all(), "pk")  # type: ignore[attr-defined]
        if not scope.force_wide:
            self.fields["division"].required = True
            self.fields["division"].empty_label = None  # type: ignore[attr-defined]


class ComponentForm(forms.Form):
    """A question's weight and, for a single choice question or a grid statement, a score per answer (blank: the
    answer is left out of the index, as "Don't know" is)."""

    weight = forms.FloatField(
        min_value=0.01, initial=1.0, help_text="How much this question counts against the others."
    )

    def __init__(self, *args: Any, options: tuple[tuple[int, str], ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.options = options
        for key, label in options:
            self.fields[f"score_{key}"] = forms.FloatField(
                label=f"Score for '{label}'",
                required=False,
                min_value=0,
                max_value=100,
                help_text="From 0 to 100. Leave blank to leave this answer out.",
            )

    def scores(self) -> dict[str, float | None]:
        return {str(key): self.cleaned_data.get(f"score_{key}") for key, _ in self.options}


class IndexFilterForm(forms.Form):
    by = forms.ChoiceField(
        label="Areas", required=False, choices=[("division", "Divisions"), ("neighbourhood", "Neighbourhoods")]
    )
    period = forms.ChoiceField(label="Period", required=False, choices=[("month", "Months"), ("quarter", "Quarters")])
    division = forms.ModelChoiceField(queryset=Division.objects.none(), required=False, empty_label="Any division")
    since = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, divisions: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["division"].queryset = divisions  # type: ignore[attr-defined]
