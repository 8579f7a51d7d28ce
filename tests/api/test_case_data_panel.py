"""The case page's 案件数据: each value under the label of the form that asked it, options by their labels,
yes or no for a tick, Chinese as written; what no form asks under its name."""
from __future__ import annotations

import html
import re

from tests.api.test_pages_intake import Browser
from tests.helpers import ApiClient, complete_open_task
from tests.service_items import deploy_item, supply_materials

CODE, KEY = "window-acceptance", "window_acceptance"


def data_rows(page: str) -> list[tuple[str, str, str]]:
    """(label, name, value) of the 案件数据 panel."""
    panel = re.search(r'<dl class="facts data" id="case-data">(.*?)</dl>', page, re.DOTALL)
    assert panel, "no case data on the page"
    return [(html.unescape(label), html.unescape(name), html.unescape(value)) for name, label, value in
            re.findall(r'<dt title="([^"]*)"[^>]*>(.*?)</dt><dd>(.*?)</dd>', panel.group(1), re.DOTALL)]


def test_the_case_data_reads_as_the_forms_asked_it(api: ApiClient) -> None:
    deploy_item(api, CODE)
    case_id = int(api.start(KEY, business_key="SX-2026-000901", variables={
        "applicant_name": "张三", "portal_ref": {"渠道": "网上办事大厅", "编号": 7}})["id"])
    supply_materials(api, case_id, CODE)
    complete_open_task(api, case_id, "accept", user="window_clerk", decision="accept", materials_complete=True,
                       opinion="材料齐全")
    rows = data_rows(Browser(api, "window_clerk").get(f"/cases/{case_id}").text)
    by_name = {name: (label, value) for label, name, value in rows}
    assert by_name["decision"] == ("受理决定", "受理")  # the option's label, not its value
    assert by_name["materials_complete"] == ("材料齐全、符合法定形式", "是")
    assert by_name["applicant_name"] == ("申请人", "张三")
    # What no form asks keeps its name, after the labelled ones, and reads as written.
    assert by_name["portal_ref"] == ("portal_ref", '{"渠道": "网上办事大厅", "编号": 7}')
    names = [name for _, name, _ in rows]
    assert names.index("portal_ref") > names.index("decision")
