"""GET /api/v1/todo: the signed-in user's to-do list, the same items as the home page and the navigation count
(core.todo.for_user)."""

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from . import todo

router = Router(tags=["todo"])


class TodoItemOut(Schema):
    kind: str
    title: str
    due_at: datetime | None
    url: str
    detail: str


@router.get("", response=list[TodoItemOut])
def my_todo(request: HttpRequest) -> list[todo.TodoItem]:
    """What waits for the signed-in user, soonest due first: reports to acknowledge (acknowledge), requests to
    decide (approve), tasks of the unit (task), calls to make (must_call), corrective actions, copies or take-outs
    to bring back (return_due), task reports due (report_due)."""
    return todo.for_user(request.user)
