"""The nested numbering of Taiwanese official documents (公文): 一、 （一） 1、 1. (1) （1） 甲、, full- or half-width.

A plan may use the same marker style at several depths (the Hualien seed writes `1、` for sections, for items
of a section and for items of a group), so a numbered line goes where its number continues an open list:
- number 1 opens a list under the item just read;
- otherwise the open list of the same style whose last number is one less takes it; when several lists could
  (e.g. `3、` after `2、` at two depths), the one whose items are written alike wins — short headings such as
  `狀況反映：` go with `執行重點：`, sentences with sentences — and, failing that, the deepest;
- a known section name (依據, 目的, …) that continues the top list is a section.
Lines without a number continue the item before them (a line wrapped in a .txt); after a heading — an item that
ends with a colon (`狀況反映：`) or a short label without punctuation (`目的`) — they are its paragraphs (items
without a number; a blank line starts a new paragraph)."""

import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from anwei.core.rocdate import chinese_number

CN = "一二三四五六七八九十百"
TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_OPEN, _CLOSE = "[(（]", "[)）]"
_DIGITS = "[0-9０-９]{1,3}"
_MARKER_RE = re.compile(
    rf"^[\s\u3000]*(?:"
    rf"(?P<cn>[{CN}]+)[、，,]"
    rf"|{_OPEN}(?P<cn_paren>[{CN}]+){_CLOSE}"
    rf"|(?P<num>{_DIGITS})[、，,]"
    rf"|(?P<num_dot>{_DIGITS})[.．](?![0-9０-９])"
    rf"|{_OPEN}(?P<num_paren>{_DIGITS}){_CLOSE}"
    rf"|(?P<tiangan>[{TIANGAN}])[、，,]"
    rf"|{_OPEN}(?P<tiangan_paren>[{TIANGAN}]){_CLOSE}"
    rf")[\s\u3000]*"
)

SECTION_NAMES = (
    "依據",
    "目的",
    "任務",
    "執行",
    "執行要領",
    "實施要領",
    "實施方式",
    "工作要領",
    "工作項目",
    "實施期間",
    "計畫期間",
    "協調配合",
    "通信聯絡",
    "聯絡方式",
    "督導考核",
    "獎懲",
    "經費",
    "預期效益",
    "附則",
    "附記",
)
_LABEL_RE = re.compile(r"^[^，,。；;：:「」『』()（）、\s]{2,10}[：:]")
_PUNCT = "，,。；;「」『』、"


@dataclass(frozen=True)
class Marker:
    style: str
    number: int
    written: str  # the marker as the document writes it, e.g. "（1）"
    text: str  # the rest of the line


def marker_of(line: str) -> Marker | None:
    match = _MARKER_RE.match(line)
    if not match:
        return None
    style = next(name for name, value in match.groupdict().items() if value is not None)
    raw = match.group(style)
    if style.startswith("tiangan"):
        number = TIANGAN.index(raw) + 1
    else:
        number = chinese_number(unicodedata.normalize("NFKC", raw))
    text = line[match.end() :].strip()
    if not text and style in ("num_dot",):
        return None
    return Marker(style=style, number=number, written=match.group(0).strip(), text=text)


@dataclass
class Item:
    number: str
    text: str
    line: int
    children: list["Item"] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        return {"number": self.number, "text": self.text, "children": [c.to_dict() for c in self.children]}

    def walk(self) -> "list[Item]":
        found = [self]
        for child in self.children:
            found.extend(child.walk())
        return found


def is_heading(text: str) -> bool:
    """`執行重點：`, `工作期間：…`, `依據` — a short label, as against a sentence."""
    bare = text.strip().rstrip("：:")
    if bare in SECTION_NAMES:
        return True
    if _LABEL_RE.match(text.strip()):
        return True
    return len(bare) <= 8 and not any(c in bare for c in _PUNCT)


def section_name(text: str) -> str | None:
    bare = re.sub(r"[\s\u3000]", "", text).rstrip("：:")
    return bare if bare in SECTION_NAMES else None


@dataclass
class _Level:
    style: str
    last: int
    items: list[Item]


@dataclass
class Outline:
    preamble: list[tuple[int, str]]  # lines before the first number: the title lines
    roots: list[Item]  # the top list: the sections
    warnings: list[str]


def build_outline(lines: list[str]) -> Outline:
    preamble: list[tuple[int, str]] = []
    roots: list[Item] = []
    warnings: list[str] = []
    stack: list[_Level] = []
    blank_before = False
    for index, raw in enumerate(lines, start=1):
        line = raw.strip().strip("\u3000").strip()
        if not line:
            blank_before = True
            continue
        after_blank, blank_before = blank_before, False
        marker = marker_of(line)
        if marker is None or (not stack and marker.number != 1):
            if not stack:
                preamble.append((index, line))
                continue
            last = stack[-1].items[-1]
            if is_heading(last.text) or last.text.rstrip().endswith(("：", ":")) or last.children:
                target = last.children
                if target and not target[-1].number and not after_blank:  # a paragraph wrapped over lines
                    target[-1].text += line
                else:
                    target.append(Item(number="", text=line, line=index))
            else:
                last.text += line
            continue
        item = Item(number=marker.written, text=marker.text, line=index)
        depth = None if marker.number == 1 else _continues(stack, marker)
        if depth is None and marker.number != 1:
            warnings.append(
                _("line %(line)d: the number %(number)s does not follow the numbering before it.")
                % {"line": index, "number": marker.written}
            )
            same = [d for d, level in enumerate(stack) if level.style == marker.style]
            depth = same[-1] if same else None
        if depth is None:  # a new list under the item just read
            items = stack[-1].items[-1].children if stack else roots
            items.append(item)
            stack.append(_Level(style=marker.style, last=marker.number, items=items))
            continue
        del stack[depth + 1 :]
        stack[depth].items.append(item)
        stack[depth].last = marker.number
    return Outline(preamble=preamble, roots=roots, warnings=warnings)


def _continues(stack: list[_Level], marker: Marker) -> int | None:
    """The depth of the open list that a numbered line continues, or None."""
    candidates = [d for d, level in enumerate(stack) if level.style == marker.style and level.last + 1 == marker.number]
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    if 0 in candidates and section_name(marker.text):
        return 0
    alike = [d for d in candidates if is_heading(stack[d].items[-1].text) == is_heading(marker.text)]
    return (alike or candidates)[-1]
