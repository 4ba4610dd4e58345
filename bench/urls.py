"""Bench-only URLs: everything the product serves, plus `/bench/insert`, a bare view doing one INSERT (the
ceiling P1 divides by). Lives only under bench/, never in the product."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from anwei.urls import urlpatterns as product

TABLE = "bench_raw_insert"


def ensure_table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {TABLE} (title varchar(200) NOT NULL, at varchar(40) NOT NULL)")


@login_not_required
def ping(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})


@login_not_required
@csrf_exempt
def raw_insert(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (title, at) VALUES (%s, %s)",  # noqa: S608 - a constant table name
            [request.body[:200].decode(), str(timezone.now())],
        )
    return JsonResponse({"ok": True}, status=201)


urlpatterns = [path("bench/insert", raw_insert), path("bench/ping", ping), *product]
