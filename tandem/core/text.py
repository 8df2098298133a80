"""What every input must be before it reaches the database, for pages and the API alike.

PostgreSQL refuses text holding a NUL character and integers beyond 64 bits, with an error that
became a 500; SQLite stored the NUL silently. The pages' forms, their filters and the API refuse
both under the field that carries them, in the words below.
"""

from collections.abc import Iterator, Mapping
from typing import Any

from tandem.core import formats

# Django's forms refuse NUL with ProhibitNullCharactersValidator; the API and the query strings say it the same way.
NUL_MESSAGE = "Null characters are not allowed."

# The range of a 64-bit database integer: every id and every whole number a list may filter by.
ID_MAX = 2**63 - 1
ID_MIN = -(2**63)


def id_range_message() -> str:
    return f"Ids are whole numbers up to {formats.number(ID_MAX)}."


def has_nul(value: str) -> bool:
    return "\x00" in value


def nul_paths(value: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The paths (field names, list indexes) of the texts in `value` that hold a NUL character."""
    if isinstance(value, str):
        if has_nul(value):
            yield prefix
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from nul_paths(item, (*prefix, str(key)))
    elif isinstance(value, list | tuple | set | frozenset):
        for index, item in enumerate(value):
            yield from nul_paths(item, (*prefix, str(index)))
