"""2026-12-06: each notify/report clock names the body it concerns; illicit-liquor reports reach 財政處 and police.

A clock used to be met only when every notification of the report was delivered, so one failed e-mail made
"陳報政風機構" overdue. The law and the seed plan measure whether a *body* was reached: the ethics office (陳報政風
機構, DOMAIN §5), the Investigation Bureau station and the national cyber-incident process (seed plan 執行重點（1）8:
重大資安異常案件，應即通報當地調查處站，並循行政院國家資通安全會報資安事件通報應變作業流程辦理; 資通安全事件通報
及應變辦法 第11條: within 1 hour), the police ("supervisor, ethics office and police at once"). The rules keep
their dates — the law did not change, only how its clock is recorded — and gain a `body` on each notify/report
deadline: the cyber rule's one notify clock becomes one per outside body. Existing clocks get the body their rule
meant.

Seed plan 執行重點（2）7: 為防範民眾飲用私劣酒，請本府財政處加強查緝來路不明、可疑的米酒與洋酒 — a liquor report gives
the finance unit (coded "finance") its check and tells the police, with whom it checks. The data is written out
here, so the migration stays what it was when later rule tables change."""

from datetime import date
from typing import Any

from django.db import migrations

CYBER_NOTIFY = "Cyber incident: notify within 1 hour, investigation report 1 month after recovery"
POLICE_AT_ONCE = [f"{code}: supervisor, ethics office and police at once" for code in ("sabotage", "arson", "explosion", "terror", "theft")]
SEED = "DOMAIN §1 — 花蓮縣政府103年春節安全維護計畫 (seed)"
LIQUOR = {
    "name": "Illicit liquor: the finance unit checks, with the police",
    "category": "illicit-liquor",
    "recipients": ["org:police"],
    "tasks": [{"title": "查緝來路不明、可疑的米酒與洋酒 (check for illicit liquor)", "unit_code": "finance", "hours": 24}],
    "source": SEED + ", 執行重點（2）強化安全維護 7: 請本府財政處加強查緝私劣酒 (with the police [practice])",
    "effective_from": date(2014, 1, 1),
}


def _with_bodies(deadlines: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for spec in deadlines:
        if spec.get("code") == "report" and not spec.get("body"):
            out.append({**spec, "body": "ethics"})
        elif spec.get("code") == "notify" and not spec.get("body") and name == CYBER_NOTIFY:
            out += [{**spec, "body": "org:cyber"}, {**spec, "body": "org:investigation"}]
        else:
            out.append(spec)
    if name in POLICE_AT_ONCE and not any(s.get("body") == "org:police" for s in out):
        out.append({"code": "notify", "hours": 1, "body": "org:police"})
    return out


def forward(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    Deadline = apps.get_model("incidents", "Deadline")
    for rule in RoutingRule.objects.all():
        changed = _with_bodies(list(rule.deadlines or []), rule.name)
        if changed != rule.deadlines:
            rule.deadlines = changed
            rule.save(update_fields=["deadlines"])
    Deadline.objects.filter(code="report", body="").update(body="ethics")
    Deadline.objects.filter(code="notify", body="", incident__category="cyber").update(body="org:cyber")
    if not RoutingRule.objects.filter(name=LIQUOR["name"], category=LIQUOR["category"]).exists():
        RoutingRule.objects.create(**LIQUOR)


def backward(apps: Any, schema_editor: Any) -> None:
    RoutingRule = apps.get_model("incidents", "RoutingRule")
    RoutingRule.objects.filter(name=LIQUOR["name"], source=LIQUOR["source"]).delete()
    for rule in RoutingRule.objects.all():
        kept, seen = [], set()
        for spec in rule.deadlines or []:
            if rule.name in POLICE_AT_ONCE and spec.get("body") == "org:police":
                continue
            plain = {k: v for k, v in spec.items() if k != "body"}
            if (key := repr(sorted(plain.items()))) not in seen:
                seen.add(key)
                kept.append(plain)
        if kept != rule.deadlines:
            rule.deadlines = kept
            rule.save(update_fields=["deadlines"])


class Migration(migrations.Migration):
    dependencies = [("incidents", "0006_clock_body")]
    operations = [migrations.RunPython(forward, backward)]
