"""The worker's queue: django-tasks-db's backend (a table of the same database), its row written by
`core.fastinsert` — the same row `DBTaskResult.objects.create` writes, with the same signals (the library's
pre_save fills in `run_after`), without the ORM's compiler (issue 20: a filing queues one task inside its
transaction, so the cost is paid while its locks are held). `enqueue` builds the task's result once (the library
builds it twice: for the `task_enqueued` signal and for the caller)."""

from typing import Any

from django.db import router
from django_tasks_db import DatabaseBackend as DjangoTasksDatabaseBackend
from django_tasks_db.compat import normalize_json, task_enqueued
from django_tasks_db.models import DBTaskResult

from . import fastinsert


class DatabaseBackend(DjangoTasksDatabaseBackend):
    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult[Any, Any]:
        row: DBTaskResult[Any, Any] = fastinsert.new(
            DBTaskResult,
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
        fastinsert.save_new(row, using=router.db_for_write(DBTaskResult))
        return row

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> Any:
        self.validate_task(task)
        result = self._task_to_db_task(task, args, kwargs).task_result
        task_enqueued.send(type(self), task_result=result)
        return result
