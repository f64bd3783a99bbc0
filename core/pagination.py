"""One page schema for every API list: `Page[T]`, filled by Django Ninja's own pagination.

A list operation answers `response=list[ItemOut]` and is decorated with
`@paginate(Pages, per_page=100)` (closest to the function, under `@needs`). Ninja adds the
`page` query parameter, slices the queryset the handler returns and documents the answer as a
`Page` of the items (the OpenAPI component is named `Paged<ItemOut>`):

    {"count": 230, "page": 2, "pages": 3, "per_page": 100, "results": [...]}

`prepare` turns the page's records into what is sent, after slicing, so that only the records
on the page are audited or reshaped (e.g. visits as a technician may see them).
"""

import math
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase, paginate

T = TypeVar("T")

MAX_PAGE = 1_000_000

__all__ = ["MAX_PAGE", "Page", "Pages", "paginate"]


class Page(Schema, Generic[T]):
    count: int = Field(description="Records in the whole list.")
    page: int
    pages: int
    per_page: int
    results: list[T]


class Pages(PaginationBase):
    """Numbered pages of a fixed size (no page_size parameter: the size is the operation's)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")

    Output = Page  # type: ignore[assignment]  # Ninja subclasses it per item type (Paged<Item>)
    items_attribute = "results"

    def __init__(
        self,
        *,
        per_page: int = 100,
        prepare: Callable[[HttpRequest, Sequence[Any]], Sequence[Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.per_page = per_page
        self.prepare = prepare
        super().__init__(**kwargs)

    def paginate_queryset(
        self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        count = self._items_count(queryset)
        start = (pagination.page - 1) * self.per_page
        items: Sequence[Any] = list(queryset[start : start + self.per_page])
        if self.prepare is not None:
            items = self.prepare(request, items)
        return {
            "count": count,
            "page": pagination.page,
            "pages": max(1, math.ceil(count / self.per_page)),
            "per_page": self.per_page,
            "results": items,
        }
