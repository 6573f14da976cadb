"""One family of domain errors, each carrying a Chinese message for the person in front of the screen.

Services raise these; the DRF exception handler (common.api) and the HTML middleware
(common.middleware) turn them into a clear answer. Nothing here is ever a 500.
"""


class DomainError(Exception):
    """A rule of the Measures or of the workflow refuses the action. HTTP 400."""

    status = 400
    code = "refused"

    def __init__(self, message, *, code=None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        # details: a list of {"field"/"rule": ..., "message": ...} items shown itemised
        self.details = list(details or [])

    def __str__(self):
        return self.message


class ValidationFailed(DomainError):
    code = "invalid"


class NotFound(DomainError):
    """Missing, or not visible to this user: the two are never told apart. HTTP 404."""

    status = 404
    code = "not_found"

    def __init__(self, message="未找到该记录，或您无权查看。", **kwargs):
        super().__init__(message, **kwargs)


class Forbidden(DomainError):
    """The user may see the record but not do this to it (wrong role, same person twice). HTTP 403."""

    status = 403
    code = "forbidden"


class Conflict(DomainError):
    """The record moved on under the user's feet (someone else acted first). HTTP 409."""

    status = 409
    code = "conflict"


MSG_WRONG_STATE = "当前状态为“{current}”，不能执行“{action}”。"
MSG_ALREADY_DONE = "该记录已由他人处理（当前状态：{current}），请刷新后查看。"
MSG_NO_ROLE = "您的角色无权执行此操作。"
MSG_SAME_PERSON = "同一人不能既经办又复核（四眼原则）。"
