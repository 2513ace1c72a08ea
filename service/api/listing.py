"""Paging and output format, the same on every list the career office reads or exports."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request

from service.api.csv_export import Format, wants_csv
from service.api.errors import ApiError

#: A page of JSON: enough to fill a screen, small enough to answer at once.
MAX_PAGE_SIZE = 100
#: A CSV export may take a whole list of this size in one file.
MAX_CSV_PAGE_SIZE = 5_000


@dataclass(frozen=True)
class Listing:
    page: int
    page_size: int
    csv: bool

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size

    def pages(self, total: int) -> int:
        return math.ceil(total / self.page_size) if total else 0

    def counts(self, total: int) -> dict[str, int]:
        """What a page's answer says of where it stands: ``total``, ``page``, ``page_size``
        and ``pages``."""
        return {"total": total, "page": self.page, "page_size": self.page_size, "pages": self.pages(total)}


async def listing(
    request: Request,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="1-based page number")] = 1,
    page_size: Annotated[
        int | None,
        Query(
            ge=1,
            le=MAX_CSV_PAGE_SIZE,
            description=f"Items per page: at most {MAX_PAGE_SIZE} for JSON (default 20), "
            f"{MAX_CSV_PAGE_SIZE} for CSV (default {MAX_CSV_PAGE_SIZE})",
        ),
    ] = None,
    format: Annotated[
        Format | None, Query(description="json (default) or csv; `Accept: text/csv` also asks for CSV")
    ] = None,
) -> Listing:
    as_csv = wants_csv(request, format)
    if page_size is None:
        page_size = MAX_CSV_PAGE_SIZE if as_csv else 20
    elif not as_csv and page_size > MAX_PAGE_SIZE:
        raise ApiError(
            422,
            f"page_size is at most {MAX_PAGE_SIZE} for JSON",
            details={"fields": [{"field": "page_size", "problem": f"at most {MAX_PAGE_SIZE} for JSON"}]},
        )
    return Listing(page, page_size, as_csv)


async def output_format(
    request: Request,
    format: Annotated[
        Format | None, Query(description="json (default) or csv; `Accept: text/csv` also asks for CSV")
    ] = None,
) -> bool:
    """True when the answer should be CSV (for routes without paging)."""
    return wants_csv(request, format)


ListingDep = Annotated[Listing, Depends(listing)]
CsvDep = Annotated[bool, Depends(output_format)]
