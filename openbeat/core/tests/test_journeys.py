"""The journey engine (core.journeys) on a journey of its own: which page is next, back, and what was typed."""

from dataclasses import dataclass

from django import forms
from django.http import QueryDict

from openbeat.core import journeys


@dataclass(frozen=True)
class Page:
    name: str
    key: str


class Pets(journeys.Journey[Page]):
    """Name, then (only for dogs) the breed, then the owner's email."""

    PAGES = (Page("name", "name"), Page("breed", "breed"), Page("email", "email"))

    @property
    def steps(self) -> list[Page]:
        return list(self.PAGES)

    def done(self, step: Page) -> bool:
        return step.key in self.data

    def applies(self, step: Page) -> bool:
        return step.name != "breed" or self.data.get("kind") == "dog"


def page(name: str) -> Page:
    return next(p for p in Pets.PAGES if p.name == name)


def test_the_next_page_is_the_first_that_applies_and_is_not_done():
    assert Pets().first_unfinished() == page("name")
    assert Pets({"name": "Rex"}).first_unfinished() == page("email")
    assert Pets({"name": "Rex", "kind": "dog"}).first_unfinished() == page("breed")
    assert Pets({"name": "Rex", "email": "a@example.com"}).first_unfinished() is None


def test_a_page_asked_for_too_early_is_sent_back_to_the_first_not_done_before_it():
    journey = Pets({"kind": "dog"})
    assert journey.first_unfinished(before=page("email")) == page("name")
    assert journey.first_unfinished(before=page("name")) is None


def test_back_goes_to_the_last_page_that_applies():
    assert Pets().previous(page("email")) == page("name")
    assert Pets({"kind": "dog"}).previous(page("email")) == page("breed")
    assert Pets().previous(None) == page("email")  # from "Check your answers"
    assert Pets().previous(page("name")) is None


def test_steps_are_found_by_name():
    assert Pets().step("breed") == page("breed")
    assert Pets().step("colour") is None


def test_what_was_typed_is_kept_per_page_until_cleared():
    journey = Pets()
    assert journey.typed(page("name")) == {}
    journey.keep_typed(page("name"), {"name": ["R"]})
    assert journey.data["typed"] == {"name": {"name": ["R"]}}
    assert journey.typed(page("name")) == {"name": ["R"]}
    journey.clear_typed(page("name"))
    assert journey.typed(page("name")) == {}
    journey.clear_typed(page("email"))  # nothing typed there: nothing to do


class PetForm(forms.Form):
    name = forms.CharField()
    tricks = forms.MultipleChoiceField(choices=[("sit", "Sit"), ("beg", "Beg")], widget=forms.CheckboxSelectMultiple)
    born = forms.SplitDateTimeField()


def test_only_the_pages_own_fields_are_kept_as_typed_without_nul_characters():
    post = QueryDict(mutable=True)
    post.update({"name": "Re\x00x", "csrfmiddlewaretoken": "t", "other": "x", "born_0": "2020-01-02"})
    post.setlist("tricks", ["sit", "beg"])

    typed = journeys.typed_values(post, PetForm().fields, not_typed={"csrfmiddlewaretoken"})

    assert typed == {"name": ["Rex"], "tricks": ["sit", "beg"], "born": ["2020-01-02", ""]}


def test_a_forms_initial_values_come_back_from_what_was_typed():
    typed = {"name": ["Rex"], "tricks": ["sit"], "born": ["2020-01-02", "10:00"], "gone": ["x"], "empty": []}

    assert journeys.initial_from_typed(PetForm, typed) == {
        "name": "Rex",
        "tricks": ["sit"],
        "born": ["2020-01-02", "10:00"],
    }
