"""Writes for the awareness app, one module per topic, each write in one transaction with its audit entry:
travel declarations (`travel`), return reports and their upward filing (`returns`), random checks (`checks`),
mainland delegations (`delegations`), activities, alerts and the calendar days (`activities`); `common` holds what
they share. Callers use the writes from here (`services.declare_travel`)."""

from .activities import create_activity, remove_calendar_day, send_alert, set_calendar_day, sign_in
from .checks import check_population, draw_random_check, draw_selection, eligible_for_check
from .common import role_people
from .delegations import create_delegation, report_anomaly
from .returns import file_return_report, file_upward, remind_returns
from .travel import (
    acknowledge_briefing,
    calendar_warning,
    category_for,
    decide_exit,
    declare_travel,
    grade_of,
    judge,
    late_message,
    needs_exit_approval,
)

__all__ = [
    "acknowledge_briefing",
    "calendar_warning",
    "category_for",
    "check_population",
    "create_activity",
    "create_delegation",
    "decide_exit",
    "declare_travel",
    "draw_random_check",
    "draw_selection",
    "eligible_for_check",
    "file_return_report",
    "file_upward",
    "grade_of",
    "judge",
    "late_message",
    "needs_exit_approval",
    "remind_returns",
    "remove_calendar_day",
    "report_anomaly",
    "role_people",
    "send_alert",
    "set_calendar_day",
    "sign_in",
]
