"""English page text counts its nouns: "1 working day", "2 working days" (the Chinese has no plural)."""
from __future__ import annotations

from flask import Flask

from api.pages.i18n import EN, gettext, singular


def test_one_reads_in_the_singular_and_other_counts_in_the_plural() -> None:
    app = Flask(__name__)
    app.secret_key = "test"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert gettext("{n} 个工作日", n=1) == "1 working day"
        assert gettext("{n} 个工作日", n=2) == "2 working days"
        assert gettext("{n} 个工作日", n=0) == "0 working days"
        assert gettext("缺少关键材料 {n} 项：{names}", n=1, names="身份证明") == "1 key material missing: 身份证明"
        assert gettext("登录失败次数过多，请 {n} 分钟后再试。", n=1) == "Too many failed logins: try again in 1 minute."
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert gettext("{n} 个工作日", n=1) == "1 个工作日"


def test_a_flag_is_no_count_and_every_text_counting_working_days_has_its_singular() -> None:
    assert singular("{n} copies", {"n": True}) == "{n} copies"
    assert singular("{n} copies", {"n": "1"}) == "{n} copy"
    counting = [text for text in EN.values() if "{n} working days" in text]
    assert len(counting) > 10
    assert all("{n} working day" in singular(text, {"n": 1}) and "{n} working days" not in singular(text, {"n": 1})
               for text in counting)
