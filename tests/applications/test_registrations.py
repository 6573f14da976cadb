"""Loan registration (Art 8): draft, commitment, submit under the policy in force, withdraw, bank decision."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from applications import services
from applications.actions import REGISTRATION_CREATE
from applications.models import LoanRegistration
from tests.applications.conftest import make_cooperating, make_patent, make_registration
from tests.conftest import postgres_only, run_in_parallel
from tests.factories import make_user
from yunfu_ipfund.audit.selectors import trail_for
from yunfu_ipfund.audit.workflow import NOOP
from yunfu_ipfund.common.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from yunfu_ipfund.notices.models import Message
from yunfu_ipfund.policy.services import policy_version_update

S = LoanRegistration.Status
ALL = list(S)


@pytest.fixture
def at(enterprise_a, bank_a, enterprise_user, profile_a, patent_a, cooperating, credit_checked_a):
    """at(status) -> a signed registration of enterprise A to bank A in that status."""

    def make(status):
        return make_registration(
            enterprise_a, bank_a, enterprise_user, status=status, assets=[patent_a], signed=True
        )

    return make


def sign(user, registration, **overrides):
    answers = dict(truthful=True, credit_inquiry=True, publication=True, ip="10.1.2.3")
    answers.update(overrides)
    return services.registration_sign(by=user, registration=registration, **answers)


class TestDraft:
    def test_an_enterprise_creates_a_draft_with_an_active_cooperating_bank(
        self, enterprise_user, bank_a, patent_a, profile_a, cooperating
    ):
        registration = services.registration_create(
            by=enterprise_user,
            bank=bank_a,
            amount=Decimal("1000000.00"),
            term_months=12,
            purpose="购买设备",
            assets=[patent_a],
        )
        assert registration.status == S.DRAFT and registration.amount == Decimal("1000000.00")
        assert list(registration.assets.all()) == [patent_a]
        event = trail_for(registration).get()
        assert (event.code, event.action) == (REGISTRATION_CREATE.code, "创建质押融资登记")

    def test_a_bank_that_is_not_an_active_cooperating_bank_is_refused(
        self, enterprise_user, bank_a, bank_b, bureau_approver, profile_a
    ):
        make_cooperating(bank_a, bureau_approver, status="suspended")  # bank_b not admitted at all
        for bank in (bank_a, bank_b):
            with pytest.raises(ValidationFailed, match="第三条"):
                services.registration_create(
                    by=enterprise_user, bank=bank, amount=Decimal("100"), term_months=6, purpose="x"
                )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("amount", Decimal("0")),
            ("amount", Decimal("-5")),
            ("amount", Decimal("1.005")),
            ("amount", "abc"),
            ("amount", None),
            ("term_months", 0),
            ("term_months", "x"),
            ("term_months", True),
            ("purpose", ""),
        ],
    )
    def test_it_refuses_bad_figures(self, enterprise_user, bank_a, cooperating, field, value):
        data = dict(bank=bank_a, amount=Decimal("100000"), term_months=12, purpose="流动资金")
        data[field] = value
        with pytest.raises(ValidationFailed):
            services.registration_create(by=enterprise_user, **data)

    def test_it_refuses_to_pledge_another_enterprises_asset(
        self, enterprise_user, bank_a, enterprise_b, cooperating
    ):
        with pytest.raises(ValidationFailed, match="不属于本企业"):
            services.registration_create(
                by=enterprise_user,
                bank=bank_a,
                amount=Decimal("100"),
                term_months=6,
                purpose="x",
                assets=[make_patent(enterprise_b)],
            )

    def test_a_bank_user_cannot_create_a_registration(self, bank_officer, bank_a, cooperating):
        with pytest.raises(Forbidden):
            services.registration_create(
                by=bank_officer, bank=bank_a, amount=Decimal("100"), term_months=6, purpose="x"
            )

    def test_editing_a_draft_voids_the_signature(self, enterprise_user, at, bank_a):
        registration = at(S.DRAFT)
        assert registration.commitment_signed
        registration = services.registration_update(
            by=enterprise_user,
            registration=registration,
            bank=bank_a,
            amount=Decimal("900000"),
            term_months=12,
            purpose="购买设备",
            assets=list(registration.assets.all()),
        )
        assert not registration.commitment_signed


class TestCommitment:
    def test_signing_records_user_time_and_ip(self, enterprise_user, at):
        registration = sign(enterprise_user, at(S.DRAFT))
        assert registration.commitment_signed_by == enterprise_user
        assert registration.commitment_ip == "10.1.2.3" and registration.commitment_signed_at
        assert trail_for(registration).last().action == "签署承诺书"

    @pytest.mark.parametrize("missing", ["truthful", "credit_inquiry", "publication"])
    def test_every_item_must_be_confirmed(self, enterprise_user, at, missing):
        with pytest.raises(ValidationFailed, match="承诺书"):
            sign(enterprise_user, at(S.DRAFT), **{missing: False})


class TestSubmit:
    def test_a_signed_eligible_draft_is_submitted_under_the_policy_in_force(
        self, enterprise_user, ready_draft, policy, bank_officer
    ):
        registration = services.registration_submit(by=enterprise_user, registration=ready_draft)
        assert registration.status == S.SUBMITTED and registration.submitted_at
        assert registration.policy == policy and {c["rule"] for c in registration.submitted_checks} >= {
            "single_loan_cap",
            "loan_term_cap_months",
            "registered_in_yunfu",
        }
        policy.refresh_from_db()
        assert policy.first_used_at is not None
        assert Message.objects.filter(recipient=bank_officer, url__contains=str(registration.pk)).exists()

    def test_an_unsigned_draft_is_refused(self, enterprise_user, at, enterprise_a, bank_a, patent_a):
        draft = make_registration(enterprise_a, bank_a, enterprise_user, assets=[patent_a])
        with pytest.raises(DomainError, match="承诺书"):
            services.registration_submit(by=enterprise_user, registration=draft)

    def test_it_is_refused_with_each_failure_itemised_over_the_caps_read_from_the_policy(
        self, enterprise_user, ready_draft, policy, administrator
    ):
        # 1,000,000 for 12 months passes the shipped caps; lower them in the version in force.
        policy_version_update(
            by=administrator,
            version=policy,
            reason="测试：下调上限",
            single_loan_cap=Decimal("800000.00"),
            loan_term_cap_months=6,
        )
        with pytest.raises(DomainError) as exc:
            services.registration_submit(by=enterprise_user, registration=ready_draft)
        rules = {d["rule"]: d["message"] for d in exc.value.details}
        assert set(rules) == {"single_loan_cap", "loan_term_cap_months"}
        assert "800,000.00" in rules["single_loan_cap"] and "6 个月" in rules["loan_term_cap_months"]
        ready_draft.refresh_from_db()
        assert ready_draft.status == S.DRAFT

    def test_a_raised_cap_lets_a_large_loan_through(
        self, enterprise_user, ready_draft, policy, administrator
    ):
        LoanRegistration.objects.filter(pk=ready_draft.pk).update(amount=Decimal("6000000.00"))
        with pytest.raises(DomainError):
            services.registration_submit(by=enterprise_user, registration=ready_draft)
        policy_version_update(
            by=administrator, version=policy, reason="测试：上调上限", single_loan_cap=Decimal("8000000")
        )
        assert (
            services.registration_submit(by=enterprise_user, registration=ready_draft).status == S.SUBMITTED
        )

    def test_it_is_refused_on_a_day_no_measures_are_in_force(self, enterprise_user, ready_draft):
        with time_machine.travel(dt.datetime(2031, 1, 6, 10, tzinfo=dt.UTC)):
            with pytest.raises(DomainError, match="施行期"):
                services.registration_submit(by=enterprise_user, registration=ready_draft)

    def test_another_enterprise_cannot_submit_it(self, enterprise_b_user, ready_draft):
        with pytest.raises(NotFound):
            services.registration_submit(by=enterprise_b_user, registration=ready_draft)


def bank_accept(user, registration):
    return services.registration_accept(by=user, registration=registration, reason="材料齐全")


def bank_decline(user, registration):
    return services.registration_decline(by=user, registration=registration, reason="经营数据不符")


MOVES = {
    "submit": (
        lambda ctx, r: services.registration_submit(by=ctx["enterprise_user"], registration=r),
        [S.DRAFT],
        S.SUBMITTED,
    ),
    "withdraw": (
        lambda ctx, r: services.registration_withdraw(by=ctx["enterprise_user"], registration=r),
        [S.SUBMITTED],
        S.WITHDRAWN,
    ),
    "redraft": (
        lambda ctx, r: services.registration_redraft(by=ctx["enterprise_user"], registration=r),
        [S.WITHDRAWN],
        S.DRAFT,
    ),
    "accept": (lambda ctx, r: bank_accept(ctx["bank_officer"], r), [S.SUBMITTED], S.ACCEPTED),
    "decline": (lambda ctx, r: bank_decline(ctx["bank_officer"], r), [S.SUBMITTED], S.DECLINED),
}
ALLOWED = [(move, source) for move, (_, sources, _) in MOVES.items() for source in sources]
REFUSED = [
    (move, source)
    for move, (_, sources, target) in MOVES.items()
    for source in ALL
    if source not in sources and source != target
]


@pytest.fixture
def ctx(enterprise_user, bank_officer):
    return {"enterprise_user": enterprise_user, "bank_officer": bank_officer}


def test_the_declared_workflow_is_the_table_these_tests_walk():
    workflow = LoanRegistration.WORKFLOW
    assert set(workflow.moves) == set(MOVES)
    for name, (_, sources, target) in MOVES.items():
        move = workflow.move(name)
        assert (set(move.sources), move.target, move.repeat) == (set(sources), target, NOOP), name


@pytest.mark.parametrize(("move", "source"), ALLOWED)
def test_each_transition_is_allowed_from_its_source(ctx, at, move, source):
    fn, _, target = MOVES[move]
    registration = fn(ctx, at(source))
    assert registration.status == target
    event = trail_for(registration).last()
    assert (event.from_state, event.to_state) == (source, target)
    label = LoanRegistration.WORKFLOW.move(move).label
    assert (event.code, event.action) == (f"applications.loanregistration.{move}", label)


@pytest.mark.parametrize(("move", "source"), REFUSED)
def test_each_transition_is_refused_from_other_states(ctx, at, move, source):
    fn, _, _ = MOVES[move]
    registration = at(source)
    with pytest.raises(DomainError):  # NotFound for a bank on a draft, wrong state (400) otherwise
        fn(ctx, registration)
    registration.refresh_from_db()
    assert registration.status == source


@pytest.mark.parametrize(("move", "source"), ALLOWED)
def test_each_transition_is_forbidden_to_a_user_of_the_organisation_without_the_role(
    at, enterprise_a, bank_a, move, source
):
    fn, _, _ = MOVES[move]
    bank_move = move in ("accept", "decline")
    roleless = make_user(f"norole-{move}", bank_a if bank_move else enterprise_a)
    registration = at(source)
    with pytest.raises(Forbidden) as exc:
        fn({"enterprise_user": roleless, "bank_officer": roleless}, registration)
    assert exc.value.status == 403
    registration.refresh_from_db()
    assert registration.status == source


@pytest.mark.parametrize("decided", [S.ACCEPTED, S.DECLINED])
def test_withdrawing_after_the_bank_acted_is_a_conflict(enterprise_user, bank_officer, at, decided):
    seen = at(S.SUBMITTED)  # what the enterprise last saw
    decide = bank_accept if decided == S.ACCEPTED else bank_decline
    decide(bank_officer, LoanRegistration.objects.get(pk=seen.pk))  # the bank acts in between
    with pytest.raises(Conflict):
        services.registration_withdraw(by=enterprise_user, registration=seen)


@pytest.mark.parametrize("decided", [S.ACCEPTED, S.DECLINED])
def test_withdrawing_a_registration_known_to_be_decided_is_a_wrong_state(enterprise_user, at, decided):
    with pytest.raises(DomainError) as exc:
        services.registration_withdraw(by=enterprise_user, registration=at(decided))
    assert (exc.value.status, exc.value.code) == (400, "wrong_state")


def test_the_bank_cannot_decide_on_a_withdrawn_registration(bank_officer, enterprise_user, at):
    seen = at(S.SUBMITTED)  # what the bank last saw
    services.registration_withdraw(by=enterprise_user, registration=LoanRegistration.objects.get(pk=seen.pk))
    with pytest.raises(Conflict):
        bank_accept(bank_officer, seen)
    with pytest.raises(DomainError) as exc:
        bank_accept(bank_officer, LoanRegistration.objects.get(pk=seen.pk))
    assert (exc.value.status, exc.value.code) == (400, "wrong_state")


def test_redraft_clears_the_commitment_and_the_submission(enterprise_user, at):
    registration = services.registration_redraft(by=enterprise_user, registration=at(S.WITHDRAWN))
    assert not registration.commitment_signed and registration.submitted_checks == []


class TestBankDecision:
    def test_acceptance_is_stamped_and_the_enterprise_is_told(self, bank_officer, at, enterprise_user):
        registration = bank_accept(bank_officer, at(S.SUBMITTED))
        assert registration.decided_by == bank_officer and registration.decided_at
        assert Message.objects.filter(recipient=enterprise_user, title__contains="受理").exists()

    def test_a_decline_needs_a_reason(self, bank_officer, at):
        with pytest.raises(ValidationFailed, match="理由"):
            services.registration_decline(by=bank_officer, registration=at(S.SUBMITTED), reason=" ")

    def test_the_reason_of_a_decline_reaches_the_enterprise(self, bank_officer, at, enterprise_user):
        bank_decline(bank_officer, at(S.SUBMITTED))
        assert Message.objects.get(recipient=enterprise_user).body == "经营数据不符"

    def test_another_banks_officer_gets_not_found(self, bank_b_officer, at):
        with pytest.raises(NotFound):
            bank_accept(bank_b_officer, at(S.SUBMITTED))

    @pytest.mark.parametrize("persona", ["bank_supervisor"])
    def test_a_bank_user_without_the_officer_role_is_forbidden(self, request, persona, at):
        with pytest.raises(Forbidden):
            bank_accept(request.getfixturevalue(persona), at(S.SUBMITTED))

    @pytest.mark.parametrize("persona", ["enterprise_user", "bureau_approver"])
    def test_non_bank_users_cannot_decide(self, request, persona, at):
        with pytest.raises(NotFound):
            bank_accept(request.getfixturevalue(persona), at(S.SUBMITTED))

    def test_acting_twice_is_a_no_op(self, bank_officer, at):
        registration = bank_accept(bank_officer, at(S.SUBMITTED))
        bank_accept(bank_officer, registration)
        assert trail_for(registration).filter(action="受理").count() == 1


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_racing_the_banks_acceptance_has_one_winner(at, enterprise_user, bank_officer):
    registration = at(S.SUBMITTED)
    withdraw, accept = run_in_parallel(
        lambda: services.registration_withdraw(by=enterprise_user, registration=registration),
        lambda: bank_accept(bank_officer, registration),
    )
    outcomes = {
        name: "conflict" if isinstance(r, Conflict) else "done"
        for name, r in (("withdraw", withdraw), ("accept", accept))
    }
    registration.refresh_from_db()
    assert sorted(outcomes.values()) == ["conflict", "done"]
    winner = next(name for name, result in outcomes.items() if result == "done")
    assert registration.status == {"withdraw": S.WITHDRAWN, "accept": S.ACCEPTED}[winner]
    assert trail_for(registration).filter(to_state__in=[S.WITHDRAWN, S.ACCEPTED]).count() == 1
