"""The worker's queue: django-tasks-db's backend (a table of the same database), its row written by
`core.fastinsert` — the same row `DBTaskResult.objects.create` writes, with the same signals (the library's
pre_save fills in `run_after`), without the ORM's compiler (issue 20: a filing queues one task inside its
transaction, so the cost is paid while its locks are held). `enqueue` builds the task's result once (the library
builds it twice: for the `task_enqueued` signal and for the caller)."""

from typing import Any

from django.db import router, transaction
from django_tasks_db import DatabaseBackend as DjangoTasksDatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

from . import fastinsert, newrow


class DatabaseBackend(DjangoTasksDatabaseBackend):
    def _new_row(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        row: DBTaskResult[Any, Any] = newrow.new(
            DBTaskResult,
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        return row

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        row = self._new_row(task, args, kwargs)
        fastinsert.save_new(row, using=router.db_for_write(DBTaskResult))
        return row

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result


class Planned:
    """A task's queue row made before the caller's transaction — its key, its task, checked — so that
    `enqueue(*args)` inside only puts the arguments in and writes it, and announces it (`task_enqueued`) once the
    transaction has committed (issue 20: a filing's one task, made while no other filer waits for its lock). The
    same row as `task.enqueue(*args)`; enqueued once."""

    def __init__(self, backend: DatabaseBackend, task: Any) -> None:
        backend.validate_task(task)
        self.backend, self.row = backend, backend._new_row(task, (), {})
        self.enqueued = False

    def enqueue(self, *args: Any, batch: fastinsert.Together | None = None) -> None:
        """Put the arguments in and write the row — in the caller's `fastinsert.together` block when given one."""
        if self.enqueued:
            raise RuntimeError("a planned task is enqueued once")
        self.enqueued, row = True, self.row
        row.args_kwargs = normalize_json({"args": args, "kwargs": {}})
        if batch is not None:
            batch.save_new(row)
        else:
            fastinsert.save_new(row, using=router.db_for_write(DBTaskResult))
        sender = type(self.backend)
        transaction.on_commit(lambda: task_enqueued.send(sender, task_result=row.task_result), robust=True)


def plan(task: Any) -> Planned | None:
    """The task's row made now, to be written later (`Planned`); None when its queue is not this backend's."""
    backend = task.get_backend()
    return Planned(backend, task) if isinstance(backend, DatabaseBackend) else None
