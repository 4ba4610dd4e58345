"""Text cleaning at the input boundary."""

import re

# C0 and C1 control characters, DEL, and the Unicode line and paragraph separators: a title, a name or a subject is
# one line, and a line break in it would end up in an e-mail header (where Python refuses it) or a CSV row.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def single_line(value: str) -> str:
    """`value` as one line: each run of control characters (line breaks and tabs included) becomes one space, and
    the ends are trimmed."""
    return _CONTROLS.sub(" ", value).strip()
