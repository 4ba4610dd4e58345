"""core.fastinsert writes what bulk_create writes (issue 20), and the worker queue's row is the library's."""

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models.functions import Now
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult, get_date_max

from anwei.core import ahead, fastinsert, newrow
from anwei.core.models import IdempotencyKey
from anwei.notifications import tasks

pytestmark = pytest.mark.django_db

AT = datetime(2027, 1, 22, 1, 30, tzinfo=UTC)


def _keys(user: Any, prefix: str) -> list[IdempotencyKey]:
    plain = [
        IdempotencyKey(user=user, key=f"{prefix}-{i}", method="POST", path="/api/v1/incidents", fingerprint="f" * 64)
        for i in range(3)
    ]
    full = IdempotencyKey(user=user, key=f"{prefix}-x", method="POST", path="/p", fingerprint="", status=201)
    full.body, full.content_type, full.created_at = b"\x00{}", "application/json", AT
    return [*plain, full]


def _stored(prefix: str) -> list[dict[str, Any]]:
    rows = IdempotencyKey.objects.filter(key__startswith=f"{prefix}-").order_by("key").values()
    return [{**r, "id": None, "key": r["key"].split("-", 1)[1], "body": bytes(r["body"])} for r in rows]


def test_the_rows_are_those_bulk_create_writes_and_get_their_ids(django_user_model: Any) -> None:
    user = django_user_model.objects.create(username="fast")
    fast, slow = _keys(user, "fast"), _keys(user, "slow")
    with CaptureQueriesContext(connection) as queries:
        fastinsert.insert(fast)
    assert len(queries) == 1 and "RETURNING" in queries[0]["sql"]
    IdempotencyKey.objects.bulk_create(slow)
    for a, b in zip(_stored("fast"), _stored("slow"), strict=True):  # created_at defaults differ by microseconds
        assert {**a, "created_at": None} == {**b, "created_at": None}
    assert _stored("fast")[-1]["created_at"] == AT and _stored("fast")[-1]["body"] == b"\x00{}"
    with connection.cursor() as cursor:  # the same stored form, not only the same moment read back (SQLite: text)
        table = IdempotencyKey._meta.db_table
        cursor.execute(f"SELECT key, created_at FROM {table} WHERE key IN ('fast-x', 'slow-x') ORDER BY key")  # noqa: S608
        (_, fast_at), (_, slow_at) = cursor.fetchall()
    assert fast_at == slow_at
    taipei = IdempotencyKey(user=user, key="tpe", method="POST", path="/p", fingerprint="")
    taipei.created_at = AT.astimezone(ZoneInfo("Asia/Taipei"))  # not UTC: prepared by the field, the same moment
    fastinsert.insert([taipei])
    assert IdempotencyKey.objects.get(key="tpe").created_at == AT
    assert [r.pk for r in fast] == list(
        IdempotencyKey.objects.filter(key__startswith="fast-").order_by("pk").values_list("pk", flat=True)
    )
    assert all(not r._state.adding and r._state.db == "default" for r in fast)


def test_the_statement_is_made_once_per_shape(django_user_model: Any) -> None:
    user = get_user_model().objects.create(username="shape")
    fastinsert.insert(_keys(user, "a"))
    known = dict(fastinsert._statements)
    fastinsert.insert(_keys(user, "b"))
    assert fastinsert._statements == known
    assert IdempotencyKey.objects.filter(user=user).count() == 8


def test_what_does_not_fit_goes_to_bulk_create(django_user_model: Any) -> None:
    user = get_user_model().objects.create(username="expr")
    with_expression = IdempotencyKey(user=user, key="now", method="POST", path="/", fingerprint="", created_at=Now())
    given_id = IdempotencyKey(id=987654, user=user, key="given", method="POST", path="/", fingerprint="")
    without = IdempotencyKey(user=user, key="without", method="POST", path="/", fingerprint="")
    fastinsert.insert([with_expression])
    fastinsert.insert([given_id, without])  # some keys given, some not
    assert IdempotencyKey.objects.get(key="now").created_at is not None
    assert IdempotencyKey.objects.get(key="given").pk == 987654
    assert IdempotencyKey.objects.get(key="without").pk == without.pk is not None


def _take(keys: ahead.KeysAhead) -> None:
    """The rows' keys taken (`KeysAhead`), in a statement of their own (the filing adds them to its number's)."""
    columns, params = keys.columns()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1{columns}", params)
        keys.take(cursor.fetchone()[1:])


def test_keys_taken_ahead_let_rows_that_point_at_each_other_go_in_one_statement() -> None:
    """`KeysAhead`: the keys the database would give next, in order, as `Later` values the rows pointing at them
    take along; the statements made before the keys are known (`prepare`), written with them (no RETURNING) in one
    round trip on PostgreSQL, the units before their agency; the next row the ORM writes gets a key after them."""
    from django.db import transaction

    from anwei.directory.models import Agency, Unit

    before = Agency.objects.create(name="先有機關", code="ahead-0")
    Agency.objects.filter(pk=before.pk).delete()  # its key is not given again
    agency = Agency(name="預取機關", code="ahead-1")
    units = [Unit(agency=agency, name=f"預取單位{i}") for i in range(3)]
    keys = ahead.KeysAhead([[agency], [], units])
    assert keys.width == 2 and all(type(row.__dict__["id"]) is ahead.Later for row in [agency, *units])
    prepared = [fastinsert.prepare(units), fastinsert.prepare([agency])]  # the keys not known yet
    with transaction.atomic():
        _take(keys)
        with CaptureQueriesContext(connection) as queries, fastinsert.together() as batch:
            for statement in prepared:  # the units before the agency they point at: its key is known
                batch.write(statement)
        assert len(queries) == (1 if connection.vendor == "postgresql" else 2)
        assert not any("RETURNING" in q["sql"] for q in queries.captured_queries)
    keys = [u.pk for u in units]
    assert type(agency.pk) is int and agency.pk > before.pk and keys == sorted(keys) and len(set(keys)) == 3
    assert all(u.agency_id == agency.pk and not u._state.adding for u in units) and not agency._state.adding
    assert list(Unit.objects.filter(agency=agency).order_by("pk").values_list("pk", "name")) == [
        (pk, f"預取單位{i}") for i, pk in enumerate(keys)
    ]
    after = Agency.objects.create(name="後來機關", code="ahead-2")
    assert after.pk > agency.pk
    more = [Unit(agency=after, name="直接寫入")]  # written by insert: its Later key put in as it is written
    _take(ahead.KeysAhead([more]))
    fastinsert.insert(more)
    assert type(more[0].pk) is int and Unit.objects.get(pk=more[0].pk).name == "直接寫入"
    with pytest.raises(ValueError, match="unsaved related object 'agency'"):  # a key not taken is still refused
        fastinsert.insert([Unit(agency=Agency(name="未存機關", code="never"), name="孤兒單位")])


def test_a_later_value_made_from_others_is_written_where_it_stands() -> None:
    """A `Later` value made from another (the reference from the number) goes into the prepared statement and the
    row once the other is set; read before, it is refused."""
    from anwei.directory.models import Agency

    number = ahead.Later()
    code = ahead.Later(lambda: f"later-{number.value:04d}")
    agency = Agency(name="後定機關")
    ahead.set_later(agency, code=code)
    prepared = fastinsert.prepare([agency])
    with pytest.raises(LookupError):
        _ = code.value
    number.set(7)
    with fastinsert.together() as batch:
        batch.write(prepared)
    assert agency.code == "later-0007" and Agency.objects.get(pk=agency.pk).code == "later-0007"


def test_statements_together_write_their_rows_with_their_ids_in_one_round_trip_on_postgresql() -> None:
    """`together`: the rows of two models, a row given its own key and an UPDATE; each row gets the id the
    database gave it (the rows' order kept), the UPDATE is done — on PostgreSQL in one statement."""
    from anwei.directory.models import Agency, Unit

    agency = Agency.objects.create(name="同送機關", code="together")
    units = [Unit(agency=agency, name=f"同送單位{i}") for i in range(3)]
    others = [Agency(name=f"同送他機關{i}", code=f"together-{i}") for i in range(2)]
    task = newrow.new(DBTaskResult, id="7c1f2b1e-0000-4000-8000-000000000001", args_kwargs={}, task_path="x.y")
    task.queue_name, task.backend_name, task.run_after = "default", "default", get_date_max()
    with CaptureQueriesContext(connection) as queries, fastinsert.together() as batch:
        batch.insert(units)
        batch.insert([task])
        batch.insert(others)
        batch.execute("UPDATE directory_agency SET name = %s WHERE id = %s", ["同送機關（改）", agency.pk])
        assert all(u.pk is None for u in units)  # the ids come when the block ends
    assert len(queries) == (1 if connection.vendor == "postgresql" else 4)
    assert [Unit.objects.get(pk=u.pk).name for u in units] == [u.name for u in units]
    assert [Agency.objects.get(pk=a.pk).code for a in others] == ["together-0", "together-1"]
    assert DBTaskResult.objects.filter(pk=task.pk).exists() and not task._state.adding
    assert Agency.objects.get(pk=agency.pk).name == "同送機關（改）"


def test_a_refused_statement_together_refuses_the_block() -> None:
    from django.db import IntegrityError, transaction

    from anwei.directory.models import Agency

    Agency.objects.create(name="既有機關", code="taken")
    with pytest.raises(IntegrityError), transaction.atomic(), fastinsert.together() as batch:
        batch.insert([Agency(name="新機關", code="fresh")])
        batch.insert([Agency(name="重號機關", code="taken")])  # the code is unique
    assert not Agency.objects.filter(code="fresh").exists()


def test_save_new_sends_the_signals_of_save_and_the_queue_row_is_the_librarys() -> None:
    seen: list[tuple[str, bool]] = []

    def before(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(("pre", instance.pk is not None))

    def after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append(("post", created))

    pre_save.connect(before, sender=DBTaskResult)
    post_save.connect(after, sender=DBTaskResult)
    try:
        result = tasks.deliver.enqueue(1, 2, 3)  # through anwei.core.taskqueue → fastinsert.save_new
    finally:
        pre_save.disconnect(before, sender=DBTaskResult)
        post_save.disconnect(after, sender=DBTaskResult)
    assert seen == [("pre", True), ("post", True)]  # a UUID key given in advance, created
    row = DBTaskResult.objects.get(pk=result.id)
    assert row.args_kwargs == {"args": [1, 2, 3], "kwargs": {}}
    assert row.run_after == get_date_max()  # filled in by the library's own pre_save receiver
    assert row.status == "READY" and row.backend_name == "default" and row.task_path.endswith("tasks.deliver")
    assert row.enqueued_at is not None


def test_a_related_row_saved_after_assignment_gives_its_key_and_an_unsaved_one_is_refused() -> None:
    from anwei.directory.models import Agency, Unit

    agency = Agency(name="後存機關", code="later")
    unit = Unit(agency=agency, name="後存單位")
    unsaved = Unit(agency=Agency(name="未存機關", code="never"), name="孤兒單位")
    agency.save()  # saved after it was assigned: the unit's agency_id is still None until the insert
    assert unit.agency_id is None
    fastinsert.insert([unit])
    assert Unit.objects.get(pk=unit.pk).agency_id == agency.pk
    with pytest.raises(ValueError, match="unsaved related object 'agency'") as fast:
        fastinsert.insert([unsaved])
    with pytest.raises(ValueError, match="unsaved related object 'agency'") as slow:
        Unit.objects.bulk_create([unsaved])
    assert str(fast.value) == str(slow.value)
    other = Agency.objects.create(name="另一機關", code="other")
    moved = Unit(agency=agency, name="改隸單位")
    moved.agency_id = other.pk  # the key changed after the row was assigned: the key is written, the cache dropped
    fastinsert.insert([moved])
    assert Unit.objects.get(pk=moved.pk).agency_id == other.pk and moved.agency == other


def test_the_queue_announces_each_task_once() -> None:
    from django.tasks.signals import task_enqueued

    seen: list[Any] = []

    def heard(sender: Any, task_result: Any, **kwargs: Any) -> None:
        seen.append(task_result)

    task_enqueued.connect(heard)
    try:
        result = tasks.deliver.enqueue(7)
    finally:
        task_enqueued.disconnect(heard)
    assert [r.id for r in seen] == [result.id] and result.args == [7]


def test_a_planned_task_writes_the_row_enqueue_writes_and_is_announced_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    """taskqueue.plan: the row made before the transaction, written by `enqueue` inside it — the same columns as
    `task.enqueue` writes — and announced once the transaction commits (not before: a rolled-back one never ran)."""
    from django.tasks.signals import task_enqueued

    from anwei.core import taskqueue

    seen: list[Any] = []

    def heard(sender: Any, task_result: Any, **kwargs: Any) -> None:
        seen.append(task_result)

    planned = taskqueue.plan(tasks.deliver)
    assert planned is not None
    task_enqueued.connect(heard)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            planned.enqueue(5, 6)
            assert seen == []  # not yet: the transaction has not committed
        reference = tasks.deliver.enqueue(5, 6)
    finally:
        task_enqueued.disconnect(heard)
    assert len(callbacks) == 1 and [r.id for r in seen] == [str(planned.row.pk), reference.id]
    columns = ["args_kwargs", "priority", "task_path", "queue_name", "run_after", "backend_name", "status"]
    planned_row = DBTaskResult.objects.values(*columns).get(pk=planned.row.pk)
    assert planned_row == DBTaskResult.objects.values(*columns).get(pk=reference.id)
    with pytest.raises(RuntimeError, match="once"):
        planned.enqueue(7)


def _fields(row: Any) -> dict[str, Any]:
    """The row's values, a time default (the moment of each call) as a mark of its presence."""
    return {k: "a time" if isinstance(v, datetime) and v != AT else v for k, v in row.__dict__.items() if k != "_state"}


def test_new_builds_the_row_the_model_builds() -> None:
    from anwei.audit.models import AuditEntry
    from anwei.directory.models import Agency, Person, Unit
    from anwei.incidents.models import Deadline, Incident
    from anwei.notifications.models import Delivery, Notification

    agency = Agency(pk=3, name="機關", code="a")
    person = Person(pk=5, name="王")
    incident = Incident(agency=agency, title="t")
    cases: list[tuple[Any, dict[str, Any]]] = [
        (Unit, {"agency": agency, "name": "單位"}),
        (Unit, {"agency_id": 3, "name": "單位", "code": "u"}),
        (Notification, {"person": person, "require_ack": True}),
        (Delivery, {"notification": Notification(person=person), "channel": "email", "address": "a@b.tw"}),
        (Deadline, {"incident": incident, "code": "report", "body": "ethics", "due_at": AT, "source": "s"}),
        (Incident, {"agency": agency, "title": "失竊", "category": "theft", "aware_at": AT, "unit": None}),
    ]
    for model, values in cases:
        made, built = model(**values), newrow.new(model, **values)
        assert type(built) is model and _fields(built) == _fields(made), model
        assert built._state.fields_cache == made._state.fields_cache
        assert (built._state.adding, built._state.db) == (made._state.adding, made._state.db)
    one, two = newrow.new(AuditEntry), newrow.new(AuditEntry)
    assert one.changes == two.changes == {} and one.changes is not two.changes  # a made default is not shared


def test_new_does_what_the_model_does_where_it_does_not_fit() -> None:
    from django.db.models.signals import post_init

    from anwei.directory.models import Agency, Unit

    with pytest.raises(TypeError, match="unexpected keyword arguments: 'colour'"):
        newrow.new(Unit, name="單位", colour="red")
    with pytest.raises(ValueError, match='must be a "Agency" instance'):
        newrow.new(Unit, agency=Unit(name="不是機關"))
    seen: list[Any] = []

    def heard(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(instance)

    post_init.connect(heard, sender=Unit)
    try:
        row = newrow.new(Unit, agency=Agency(pk=1, name="機關"), name="單位")
    finally:
        post_init.disconnect(heard, sender=Unit)
    assert seen == [row]  # a model with init receivers is built by the model, so they are told


def test_psycopg_keeps_the_conversion_of_a_many_row_insert(django_user_model: Any) -> None:
    from psycopg import _queries

    assert _queries.MAX_CACHED_STATEMENT_PARAMS >= fastinsert.MAX_PARAMS
    user = django_user_model.objects.create(username="shapes")
    keys = [[*_keys(user, f"a{i}"), *_keys(user, f"b{i}")] for i in range(2)]  # twice one shape: 8 rows
    assert 8 * (len(IdempotencyKey._meta.concrete_fields) - 1) > 50  # over psycopg's own limit
    if connection.vendor != "postgresql":
        return  # SQLite's own conversion is kept per statement text (core.sqlite)
    fastinsert.insert(keys[0])
    before = _queries._query2pg.cache_info().hits
    fastinsert.insert(keys[1])
    assert _queries._query2pg.cache_info().hits > before
