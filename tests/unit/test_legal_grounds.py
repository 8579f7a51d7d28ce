"""Decision documents cite their legal bases in one sentence, each law named once (engine.document_templates
``grounds``): the guide's bases and the provision a decision adds."""
from __future__ import annotations

from engine.document_templates import ENV, grounds

PERMIT_LAW = "《中华人民共和国行政许可法》"


def test_a_law_the_guide_names_is_cited_once_with_the_article_the_decision_adds():
    cited = grounds([f"{PERMIT_LAW}第三十二条", "《中华人民共和国食品安全法》第三十五条"], f"{PERMIT_LAW}第三十八条第一款")
    assert cited == f"《中华人民共和国食品安全法》第三十五条和{PERMIT_LAW}第三十二条、第三十八条第一款"
    assert cited.count(PERMIT_LAW) == 1


def test_without_bases_the_added_provision_alone_and_plain_text_is_kept_as_written():
    assert grounds(None, f"{PERMIT_LAW}第三十八条第一款") == f"{PERMIT_LAW}第三十八条第一款"
    assert grounds("《甲法》第一条\n国务院有关规定\n《甲法》第一条") == "《甲法》第一条和国务院有关规定"


def test_templates_use_it_as_a_filter():
    template = ENV.from_string('根据{{ bases|grounds("' + PERMIT_LAW + '第三十八条第一款") }}的规定')
    assert template.render(bases=[f"{PERMIT_LAW}第三十二条"]) == f"根据{PERMIT_LAW}第三十二条、第三十八条第一款的规定"


def test_articles_listed_together_are_each_cited_once():
    assert grounds(["《甲法》第一条", "《甲法》第一条、第二条"], "《甲法》第二条") == "《甲法》第一条、第二条"
