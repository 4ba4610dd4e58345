"""The zh-Hant catalogues agree with each other.

Django merges every catalogue into one (LOCALE_PATHS first, then the apps in INSTALLED_APPS order): for a msgid
that several catalogues translate, one translation wins on every page. Two catalogues translating the same
(msgctxt, msgid) differently is therefore always a bug on one of the pages; where the meaning differs by place
the string needs a context (pgettext / `{% translate … context "…" %}`) and an entry with that msgctxt.

The tests read the .po sources (not the compiled, git-ignored .mo files), so they need no compilemessages."""

import ast
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings

SRC = Path(__file__).resolve().parent.parent / "src" / "anwei"
LOCALE = Path("locale") / "zh_Hant" / "LC_MESSAGES"
KEYWORD = re.compile(r"^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+(\".*\")\s*$")


@dataclass
class Entry:
    line: int
    context: str | None = None
    msgid: str = ""
    plural: str | None = None
    msgstr: dict[str, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def key(self) -> tuple[str | None, str]:
        return self.context, self.msgid

    @property
    def translation(self) -> tuple[str, ...]:
        """The forms zh-Hant uses: one (nplurals=1), even for an entry with msgid_plural."""
        return tuple(self.msgstr[k] for k in sorted(self.msgstr) if k in ("msgstr", "msgstr[0]"))


def parse_po(path: Path) -> Iterator[Entry]:
    """The live entries of a .po file (obsolete `#~` entries are not compiled and are left out), with the
    continuation lines of msgctxt, msgid and msgstr joined."""
    entry: Entry | None = None
    part = ""
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None and not line:
                yield entry
                entry = None
            continue
        starts_entry = line.startswith("#") or line.startswith(("msgctxt ", "msgid "))
        if entry is not None and entry.msgstr and starts_entry:
            yield entry  # entries need not be separated by a blank line
            entry = None
        if entry is None:
            entry = Entry(line=number)
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = KEYWORD.match(line)
        if match:
            part, text = match.group(1), ast.literal_eval(match.group(2))
        elif line.startswith('"'):
            text = ast.literal_eval(line)
        else:
            raise AssertionError(f"{path}:{number}: cannot read {raw!r}")
        if part == "msgctxt":
            entry.context = (entry.context or "") + text
        elif part == "msgid":
            entry.msgid += text
        elif part == "msgid_plural":
            entry.plural = (entry.plural or "") + text
        else:
            entry.msgstr[part] = entry.msgstr.get(part, "") + text
    if entry is not None:
        yield entry


def catalogues() -> list[Path]:
    found = sorted(SRC.glob(f"**/{LOCALE}/django.po"))
    assert len(found) >= 10, found  # the project catalogue and one per app
    return found


def name(path: Path) -> str:
    return str(path.relative_to(SRC.parent))


def describe(key: tuple[str | None, str]) -> str:
    context, msgid = key
    return f"msgid {msgid!r}" if context is None else f"msgctxt {context!r} msgid {msgid!r}"


def test_every_entry_is_translated() -> None:
    problems = []
    for path in catalogues():
        for entry in parse_po(path):
            if not entry.msgid:
                if "nplurals=1;" not in entry.translation[0]:  # Entry.translation keeps the one zh-Hant form
                    problems.append(f"{name(path)}:{entry.line}: the header does not say nplurals=1")
                continue
            if not any(entry.translation):
                problems.append(f"{name(path)}:{entry.line}: {describe(entry.key)} has an empty msgstr")
            elif "fuzzy" in entry.flags:
                problems.append(f"{name(path)}:{entry.line}: {describe(entry.key)} is fuzzy (never compiled)")
    assert not problems, "\n".join(problems)


def test_no_msgid_is_translated_twice_in_one_catalogue() -> None:
    problems = []
    for path in catalogues():
        seen: dict[tuple[str | None, str], int] = {}
        for entry in parse_po(path):
            if entry.key in seen:
                problems.append(
                    f"{name(path)}:{entry.line}: {describe(entry.key)} again (first on line {seen[entry.key]})"
                )
            seen.setdefault(entry.key, entry.line)
    assert not problems, "\n".join(problems)


def test_catalogues_agree_on_every_translation() -> None:
    found: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = {}
    for path in catalogues():
        for entry in parse_po(path):
            if entry.msgid and entry.msgstr:
                found.setdefault(entry.key, {}).setdefault(entry.translation, []).append(name(path))
    conflicts = [
        f"{describe(key)}: "
        + "; ".join(f"{' / '.join(text)} in {', '.join(files)}" for text, files in translations.items())
        for key, translations in found.items()
        if len(translations) > 1
    ]
    assert not conflicts, (
        f"{len(conflicts)} msgids are translated differently in different catalogues, but only one translation "
        "can show on every page: use one wording, or give the string a context (pgettext, "
        '{% translate "…" context "…" %}) and the .po entry a msgctxt.\n' + "\n".join(conflicts)
    )


def test_no_installed_package_overrides_an_app_translation() -> None:
    """Apps listed before ours in INSTALLED_APPS (django.contrib.auth, django_otp, axes…) win over our apps'
    catalogues; only the project catalogue (LOCALE_PATHS) wins over them. An app msgid they translate otherwise
    would never show our translation."""
    project = {
        entry.key
        for path in settings.LOCALE_PATHS
        for entry in parse_po(Path(path) / LOCALE.relative_to("locale") / "django.po")
    }
    order = [config.name for config in apps.get_app_configs()]
    theirs: dict[str, dict[str, str]] = {}
    for config in apps.get_app_configs():
        compiled = Path(config.path) / LOCALE / "django.mo"
        if not config.name.startswith("anwei.") and compiled.exists():
            with compiled.open("rb") as handle:
                catalog = gettext.GNUTranslations(handle)._catalog  # type: ignore[attr-defined]
            theirs[config.name] = {k: v for k, v in catalog.items() if isinstance(k, str) and k}
    problems = []
    for config in apps.get_app_configs():
        path = Path(config.path) / LOCALE / "django.po"
        if not config.name.startswith("anwei.") or not path.exists():
            continue
        for entry in parse_po(path):
            if not entry.msgid or entry.plural is not None or entry.key in project:
                continue
            key = entry.msgid if entry.context is None else f"{entry.context}\x04{entry.msgid}"
            for package, catalog in theirs.items():
                shown = catalog.get(key)
                if shown not in (None, entry.translation[0]) and order.index(package) < order.index(config.name):
                    problems.append(
                        f"{describe(entry.key)}: {package} translates it {shown!r}, which shows instead of "
                        f"{entry.translation[0]!r} from {name(path)}"
                    )
    assert not problems, "\n".join(problems)
