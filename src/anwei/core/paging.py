"""Pages of a list too long to count: the audit log holds millions of entries, and `COUNT(*)` over them (through
the reader's need-to-know filter) costs far more than the page itself. An `UncountedPage` fetches one row more than it
shows, so it knows whether an older page exists without counting; it offers what the templates use of Django's
`Page` (number, has_next/has_previous, the neighbouring numbers), but no total."""

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet


class UncountedPage:
    def __init__(self, queryset: QuerySet[Any], per_page: int, number: Any) -> None:
        try:
            self.number = max(1, int(number))
        except (TypeError, ValueError):
            self.number = 1
        start = (self.number - 1) * per_page
        rows = list(queryset[start : start + per_page + 1])
        self.object_list = rows[:per_page]
        self._more = len(rows) > per_page

    def __iter__(self) -> Iterator[Any]:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    def has_next(self) -> bool:
        return self._more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1
