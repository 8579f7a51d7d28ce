"""File sizes on the pages: a small scan reads in bytes, not "0.0 KB"."""
from __future__ import annotations

import pytest

from api.pages.form_values import file_size


@pytest.mark.parametrize(("size", "shown"), [
    (0, "0 B"), (38, "38 B"), (1023, "1023 B"), (1024, "1 KB"), (1536, "1.5 KB"), (65536, "64 KB"),
    (20 * 2**20, "20 MB"), (int(2.25 * 2**20), "2.2 MB"),
])
def test_sizes_read_as_a_reader_takes_them_in(size: int, shown: str) -> None:
    assert file_size(size) == shown
