"""One error type for business-rule violations, and the refusal every policy raises."""

from django.utils.translation import gettext_lazy as _


class BusinessRuleError(Exception):
    """A request that breaks a rule of the domain: shown to the user as it is, with an optional field."""

    def __init__(self, message: object, *, field: str | None = None, code: str = "rule") -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code


class NotAllowed(Exception):
    """The user may not do this. The message never names or describes the record."""

    default_message = _("You do not have permission to do this.")

    def __init__(self, message: object | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(str(self.message))


class TooManyRequests(Exception):
    """The user has done this too often in a short time (a rate in the settings): answered 429 with Retry-After."""

    def __init__(self, message: object, *, retry_after: int) -> None:
        super().__init__(str(message))
        self.message = message
        self.retry_after = max(1, int(retry_after))
