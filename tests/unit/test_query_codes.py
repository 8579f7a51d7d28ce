"""Query codes: unambiguous characters, salted slow hashes, and forgiving input."""
from __future__ import annotations

from engine import query_codes
from engine.users import check_password


def test_codes_use_eight_characters_without_look_alikes():
    codes = {query_codes.generate() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c) == 8 and set(c) <= set(query_codes.ALPHABET) for c in codes)
    assert not set("IO01") & set(query_codes.ALPHABET) and len(query_codes.ALPHABET) == 32


def test_a_code_is_stored_as_a_salted_scrypt_hash_that_only_the_code_opens():
    first, second = query_codes.hash_code("ABCD2345"), query_codes.hash_code("ABCD2345")
    assert first != second and "ABCD2345" not in first  # a salt per hash
    assert first.split("$")[:4] == ["scrypt", "4096", "8", "1"]
    assert check_password(first, "ABCD2345") and check_password(second, "ABCD2345")
    assert not check_password(first, "ABCD2346")


def test_codes_are_read_as_people_type_them():
    assert query_codes.normalize(" abcd-2345 ") == "ABCD2345"
    assert query_codes.normalize("ab cd\t23 45") == "ABCD2345"
    assert check_password(query_codes.hash_code("abcd-2345"), query_codes.normalize("ABCD 2345"))


def test_full_width_input_of_a_chinese_input_method_is_read_as_ascii():
    assert query_codes.normalize("ＶＷ４ＥＫＹＨＺ") == "VW4EKYHZ"
    assert query_codes.normalize("ｖｗ４ｅ－ｋｙｈｚ\u3000") == "VW4EKYHZ"  # full-width hyphen and space
    assert query_codes.case_number("\u3000ＳＸ－ＱＡ－０００１ ") == "SX-QA-0001"
    assert query_codes.case_number("sx-qa-0001") == "sx-qa-0001"  # case numbers keep their case
