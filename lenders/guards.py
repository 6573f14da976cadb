"""The rules that admit or refuse a move of a bank-side record, beside the moves that declare them
(lenders.models). Each guard takes (obj, user or None for the system) and raises to refuse: NotFound
for a user of another bank (a record one may not see is "not found"), Forbidden for a person who may
not (four eyes). `audit.workflow.transition` runs them under the lock, `available_moves` to decide the
buttons. They read the object's own fields, and the four-eyes guard its change rows (lenders.changes); an
unsaved object is judged on its fields alone.
"""

from yunfu_ipfund.common.errors import MSG_SAME_PERSON, Forbidden, NotFound

from .changes import refuse_if_changed_since_prepared


def of_the_bank(obj, user):
    """A bank's move on its own record (a filing, a covered loan) is made by a user of that bank."""
    if user is not None and (
        not getattr(user, "is_authenticated", False) or obj.bank_id != user.organisation_id
    ):
        raise NotFound()


def not_the_preparer(filing, user):
    """The supervisor who countersigns and submits is not the officer who prepared the filing."""
    if user is not None and filing.prepared_by_id is not None and filing.prepared_by_id == user.pk:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")


def not_changed_by_the_submitter(filing, user):
    """Four eyes by last change: the supervisor who submits did not change the filing's terms, pledges or
    documents since the officer last prepared it (lenders.changes)."""
    if filing.pk:
        refuse_if_changed_since_prepared(filing.changes.all(), user, move="复核报送该备案")


def not_the_reviewer(filing, user):
    """The approver who decides is not the clerk who made the first review (passed or returned it), nor
    the one who submitted it (four eyes: two bureau people on every filing)."""
    people = {filing.first_reviewed_by_id, filing.returned_by_id, filing.submitted_by_id} - {None}
    if user is not None and user.pk in people:
        raise Forbidden(MSG_SAME_PERSON, code="same_person")
