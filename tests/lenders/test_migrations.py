"""The migrations that move the suspension proposals from the fund to the lenders app (fund 0006,
lenders 0006) and give the old reminders their kinds (lenders 0007, fund 0007) keep every row: a
proposal written under the fund comes out under lenders with its id, its reminder with its kind and
derived key; and back again."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("fund", "0005_cover_pause"), ("lenders", "0005_idempotencyrecord_to_common")]
MOVED = [("fund", "0007_reminder_kinds"), ("lenders", "0007_reminder_kinds")]


def migrate(targets):
    """Migrate to `targets`; the historical models of every migration applied then."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


@pytest.mark.django_db(transaction=True)
def test_the_proposals_and_their_reminders_survive_the_move_and_come_back():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Organisation = old.get_model("accounts", "Organisation")
        bank = Organisation.objects.create(kind="bank", name="迁移测试银行")
        proposal = old.get_model("fund", "SuspensionProposal").objects.create(
            bank=bank,
            grounds="在保不良率超标。",
            figures={"npl_ratio": "0.0600"},
            proposed_on=dt.date(2026, 11, 26),
        )
        Reminder = old.get_model("notices", "Reminder")
        common = {"title": "t", "due_date": dt.date(2026, 11, 26), "recipient_role": "bureau_approver"}
        Reminder.objects.create(
            key=f"fund-suspension-{proposal.pk}",
            subject_type="fund.suspensionproposal",
            subject_id=str(proposal.pk),
            **common,
        )
        Reminder.objects.create(
            key="lenders-filing-42-deadline", subject_type="lenders.loanfiling", subject_id="42", **common
        )
        Reminder.objects.create(
            key="fund-period-signoff-7", subject_type="fund.statementperiod", subject_id="7", **common
        )

        new = migrate(MOVED)
        moved = new.get_model("lenders", "SuspensionProposal").objects.get(pk=proposal.pk)
        assert (moved.bank_id, moved.grounds, moved.figures, moved.status) == (
            bank.pk,
            "在保不良率超标。",
            {"npl_ratio": "0.0600"},
            "proposed",
        )
        Reminder = new.get_model("notices", "Reminder")
        keys = set(Reminder.objects.values_list("kind", "subject_type", "key"))
        assert keys == {
            (
                "lenders.suspensionproposal.decision",
                "lenders.suspensionproposal",
                f"lenders.suspensionproposal.decision:lenders.suspensionproposal:{proposal.pk}",
            ),
            (
                "lenders.loanfiling.deadline",
                "lenders.loanfiling",
                "lenders.loanfiling.deadline:lenders.loanfiling:42",
            ),
            (
                "fund.statementperiod.sign_off",
                "fund.statementperiod",
                "fund.statementperiod.sign_off:fund.statementperiod:7",
            ),
        }
        # One open proposal per bank, enforced under its new name.
        with connection.cursor() as cursor:
            constraints = connection.introspection.get_constraints(cursor, "lenders_suspensionproposal")
        assert "lenders_one_open_proposal_per_bank" in constraints

        back = migrate(BEFORE)
        assert (
            back.get_model("fund", "SuspensionProposal").objects.get(pk=proposal.pk).grounds
            == "在保不良率超标。"
        )
        assert set(back.get_model("notices", "Reminder").objects.values_list("key", flat=True)) == {
            f"fund-suspension-{proposal.pk}",
            "lenders-filing-42-deadline",
            "fund-period-signoff-7",
        }
    finally:
        migrate(latest)
