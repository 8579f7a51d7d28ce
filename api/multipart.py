"""A multipart body werkzeug cannot read is a 400 that says why, not an empty form.

werkzeug parses form bodies silently: a part whose headers are not UTF-8 (a file name in GBK, as some
Windows tools still send it) or a body cut short left ``request.files`` empty, and the caller read "no files
to deploy" about a file it did send.
"""
from __future__ import annotations

import io

from flask import Request
from werkzeug.formparser import FormDataParser

from engine.errors import InvalidRequest


class UnreadableForm(InvalidRequest):
    """A 400: the multipart body could not be read. ``not_utf8``: a part's headers (a file name) were not UTF-8."""

    def __init__(self, message: str, *, not_utf8: bool) -> None:
        super().__init__(message)
        self.not_utf8 = not_utf8


class FormCheckedRequest(Request):
    def make_form_data_parser(self) -> FormDataParser:
        parser = super().make_form_data_parser()
        parser.silent = False
        return parser

    def _load_form_data(self) -> None:
        try:
            super()._load_form_data()
        except ValueError as exc:
            # Empty, so that an error page reading the form does not parse it again.
            self.__dict__.update(stream=io.BytesIO(), form=self.parameter_storage_class(),
                                 files=self.parameter_storage_class())
            if isinstance(exc, UnicodeDecodeError):
                raise UnreadableForm("the multipart body could not be read: a part's headers are not UTF-8 (a "
                                     "file name in another encoding, such as GBK?); send its name in UTF-8",
                                     not_utf8=True) from None
            raise UnreadableForm(f"the multipart body could not be read: {exc}", not_utf8=False) from None
