"""Forms type the input at the edge (common.parsing); the services then take dates, Decimals and ints."""

import datetime as dt
from decimal import Decimal

import pytest

from applications.forms import AssetUpdateForm, DecisionForm, ProfileForm, RegistrationForm
from applications.models import LoanRegistration
from applications.selectors import assets_of
from yunfu_ipfund.accounts.models import Organisation


def profile_form(**overrides):
    data = {
        "uscc": "x",
        "legal_representative": "陈法人",
        "registered_address": "云城区",
        "district": "yuncheng",
        "sector": "industry",
        "declared_size": "small",
        "employees": "50",
        "revenue": "1,850.50",
        "total_assets": "600",
        "annual_report_year": "2025",
        "is_independent_legal_person": "yes",
    }
    data.update(overrides)
    return ProfileForm(data)


def test_figures_typed_as_text_reach_the_service_as_decimals_and_ints():
    form = profile_form()
    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data
    assert (cleaned["revenue"], cleaned["total_assets"]) == (Decimal("1850.50"), Decimal("600.00"))
    assert (cleaned["employees"], cleaned["annual_report_year"]) == (50, 2025)
    assert cleaned["is_independent_legal_person"] is True


@pytest.mark.parametrize(("typed", "cleaned"), [("yes", True), ("no", False)])
def test_the_legal_person_answer_is_explicit(typed, cleaned):
    form = profile_form(is_independent_legal_person=typed)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["is_independent_legal_person"] is cleaned


def test_a_figure_left_blank_reaches_the_service_as_none():
    form = profile_form(revenue="", total_assets="", employees="")
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["revenue"], form.cleaned_data["employees"]) == (None, None)


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("revenue", "12.345", "上年营业收入"),
        ("total_assets", "abc", "资产总额"),
        ("revenue", "1e999", "上年营业收入"),
        ("revenue", "-5", "上年营业收入"),
        ("revenue", "1" * 21, "不能超过"),
        ("is_independent_legal_person", "", "必填"),
    ],
)
def test_a_figure_that_is_not_an_amount_is_refused_on_the_form_naming_the_field(field, value, says):
    form = profile_form(**{field: value})
    assert not form.is_valid()
    assert says in " ".join(form.errors[field])


def test_dates_are_read_by_the_one_parser():
    form = AssetUpdateForm({"title": "x", "grant_date": "2024/3/1", "expiry_date": "2034年3月1日"})
    assert form.is_valid(), form.errors
    assert (form.cleaned_data["grant_date"], form.cleaned_data["expiry_date"]) == (
        dt.date(2024, 3, 1),
        dt.date(2034, 3, 1),
    )
    form = AssetUpdateForm({"title": "x", "grant_date": "2024-02-30"})
    assert not form.is_valid() and "授权/核准注册日" in form.errors["grant_date"][0]


@pytest.mark.django_db
@pytest.mark.parametrize(("amount", "valid"), [("1,000,000.00", True), ("0", False), ("0.001", False)])
def test_the_registration_amount_is_positive_money(amount, valid):
    banks = Organisation.objects.filter(kind=Organisation.Kind.BANK)
    form = RegistrationForm(
        {"amount": amount, "term_months": "12", "purpose": "x"}, banks=banks, assets=assets_of(None)
    )
    form.is_valid()
    assert ("amount" not in form.errors) is valid
    if valid:
        assert form.cleaned_data["amount"] == Decimal("1000000.00")


def test_the_decision_choices_are_the_workflows_labels():
    choices = dict(DecisionForm.base_fields["decision"].choices)
    assert choices == {name: LoanRegistration.WORKFLOW.move(name).label for name in ("accept", "decline")}
