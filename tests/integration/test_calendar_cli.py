"""``govflow calendar import|show|create|list`` and the seeding done by ``govflow db upgrade``."""
from __future__ import annotations

import json
from datetime import date

from engine import calendar

YEAR_2027 = {"calendar": "CN", "year": 2027,
             "holidays": [{"date": "2027-01-01", "name": "元旦"}]
             + [{"date": f"2027-02-{d:02d}", "name": "春节"} for d in range(6, 14)],
             "workdays": [{"date": "2027-02-20", "name": "春节"}]}


def test_db_upgrade_seeds_the_national_calendar_once(cli, runtime):
    first = cli("db", "upgrade")
    assert first.exit_code == 0, first.output
    assert "calendar CN: loaded 2004–2026 from the chinese-calendar package" in first.stdout
    assert "calendar CN" not in cli("db", "upgrade").stdout
    assert calendar.get_year(runtime.uow(), 2026).working_days == 248


def test_import_loads_a_json_year_and_prints_what_it_loaded(cli, runtime, tmp_path):
    file = tmp_path / "2027.json"
    file.write_text(json.dumps(YEAR_2027, ensure_ascii=False, indent=2), encoding="utf-8")
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["CN 2027: 9 holidays, 1 make-up working days, 256 working days"]
    assert calendar.for_runtime(runtime).add_working_days(date(2027, 2, 5), 1) == (date(2027, 2, 15), False)


def test_an_invalid_file_prints_file_line_field_message_exits_1_and_loads_nothing(cli, runtime, tmp_path):
    file = tmp_path / "2027.csv"
    file.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-31,holiday,春节\n2027-02-10,workday,春节\n",
                    encoding="utf-8")
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{file}:3: date: 2027-02-31 is not a day: February 2027 has 28 days",
        (f"{file}:4: date: 2027-02-10 is a Wednesday, a working day anyway: a make-up working day (调休) falls on "
         "a Saturday or Sunday"),
        "error: invalid calendar file: 2 problem(s), nothing was loaded"]
    assert calendar.get_year(runtime.uow(), 2027).provisional


def test_show_prints_holiday_ranges_and_make_up_days(cli):
    assert cli("db", "upgrade").exit_code == 0
    result = cli("calendar", "show", "2025")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("CN 2025: 248 working days; from chinese-calendar")
    assert "  2025-01-28 – 2025-02-04   春节 (8 days)" in lines
    assert "  2025-10-11 周六  国庆节" in lines
    assert "PROVISIONAL" in cli("calendar", "show", "2027").stdout
    outside = cli("calendar", "show", "1800")
    assert outside.exit_code != 0 and "from 1900 to 2200, not 1800" in outside.output  # the range, not just "invalid"


def test_show_csv_prints_a_file_that_imports_back_unchanged(cli, runtime, tmp_path):
    assert cli("db", "upgrade").exit_code == 0
    exported = cli("calendar", "show", "2026", "--csv").stdout
    assert exported.splitlines()[:3] == ["date,kind,name", "2026-01-01,holiday,元旦", "2026-01-02,holiday,元旦"]
    file = tmp_path / "2026.csv"
    file.write_text(exported, encoding="utf-8")
    before = calendar.get_year(runtime.uow(), 2026)
    assert cli("calendar", "import", str(file)).exit_code == 0
    after = calendar.get_year(runtime.uow(), 2026)
    assert (after.holidays, after.workdays, after.source) == (before.holidays, before.workdays, "import: 2026.csv")


def test_a_region_is_created_extending_cn_and_loaded_with_its_own_days(cli, runtime, tmp_path):
    assert cli("db", "upgrade").exit_code == 0
    created = cli("calendar", "create", "SX-TY", "--extends", "CN", "--region", "山西省太原市")
    assert created.stdout.strip() == "calendar SX-TY created, extending CN"
    file = tmp_path / "local.csv"
    file.write_text("date,kind,name\n2025-03-12,休,地方节日\n", encoding="utf-8")
    result = cli("calendar", "import", str(file), "--calendar", "SX-TY")
    assert result.stdout.splitlines() == ["SX-TY 2025: 1 holidays, 0 make-up working days, 247 working days"]
    listed = cli("calendar", "list").stdout.splitlines()
    assert listed[0].startswith("CN\t2004–2026 (23 years)")
    assert listed[1].startswith("SX-TY\t2025 (1 year)\textends CN")


def test_import_into_an_unknown_calendar_fails_with_a_hint(cli, tmp_path):
    file = tmp_path / "x.csv"
    file.write_text("date,kind,name\n2025-03-12,holiday,x\n", encoding="utf-8")
    result = cli("calendar", "import", str(file), "--calendar", "NOWHERE")
    assert result.exit_code == 1
    assert "calendar 'NOWHERE' not found (create it with: govflow calendar create NOWHERE)" in result.stderr


def test_list_shows_a_year_without_data_as_a_gap(cli, tmp_path):
    file = tmp_path / "days.csv"
    file.write_text("date,kind,name\n2024-01-01,holiday,元旦\n2025-01-01,holiday,元旦\n2027-01-01,holiday,元旦\n",
                    encoding="utf-8")
    assert cli("calendar", "import", str(file)).exit_code == 0
    assert cli("calendar", "list").stdout.splitlines()[0].startswith("CN\t2024–2025, 2027 (3 years)")


def test_an_empty_national_year_is_refused_naming_file_and_line_and_nothing_is_loaded(cli, runtime, tmp_path):
    file = tmp_path / "2027.json"
    file.write_text(json.dumps({"calendar": "CN", "year": 2027, "holidays": [], "workdays": []}, indent=2),
                    encoding="utf-8")
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        (f"{file}:4: holidays: no days for CN 2027: list the year's announced holidays and make-up working days "
         "(an empty year would count every weekday as a working day, as if announced)"),
        "error: invalid calendar file: 1 problem(s), nothing was loaded"]
    assert calendar.get_year(runtime.uow(), 2027).provisional


def test_an_empty_regional_year_is_accepted_as_no_local_days(cli, tmp_path):
    assert cli("calendar", "create", "SX-TY", "--extends", "CN").exit_code == 0
    file = tmp_path / "local.json"
    file.write_text('{"year": 2025, "holidays": []}', encoding="utf-8")
    result = cli("calendar", "import", str(file), "--calendar", "SX-TY")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("SX-TY 2025: 0 holidays, 0 make-up working days")


def test_a_csv_day_outside_the_calendar_s_years_is_refused_naming_its_line(cli, tmp_path):
    far = tmp_path / "far.csv"
    far.write_text("date,kind,name\n2027-10-01,holiday,国庆节\n0001-01-01,holiday,太早\n2201-01-01,holiday,太晚\n",
                   encoding="utf-8")
    result = cli("calendar", "import", str(far))
    assert result.exit_code == 1
    assert f"{far}:3: date: 0001-01-01 is outside the years 1900 to 2200" in result.stderr
    assert f"{far}:4: date: 2201-01-01 is outside the years 1900 to 2200" in result.stderr


def test_a_csv_saved_by_excel_in_gbk_or_as_utf16_keeps_its_chinese_names(cli, tmp_path):
    text = "date,kind,name\n2031-10-01,holiday,国庆节\n"
    for encoding in ("gb18030", "utf-16"):
        saved = tmp_path / f"2031-{encoding}.csv"
        saved.write_bytes(text.encode(encoding))
        result = cli("calendar", "import", str(saved))
        assert result.exit_code == 0, result.output
        assert "国庆节" in cli("calendar", "show", "2031").stdout
    broken = tmp_path / "broken.csv"
    broken.write_bytes(b"date,kind,name\n2031-10-02,holiday,\xff\xff\xff\n")
    result = cli("calendar", "import", str(broken))
    assert result.exit_code == 1 and "not text in UTF-8, UTF-16 or GB18030" in result.stderr


# A 2027 notice typed by hand in Excel: Chinese header, dates as Excel writes them, 元旦 from 31 December.
EXCEL_2027 = ("日期,类型,名称\n2026/12/31,休,元旦\n2027/1/1,休,元旦\n"
              + "".join(f"2027/2/{d},休,春节\n" for d in range(6, 14)) + "2027/2/20,班,春节\n")


def test_a_csv_typed_in_excel_loads_its_year_and_adds_new_year_s_eve_to_the_year_before(cli, runtime, tmp_path):
    calendar.replace_year(runtime.uow(), 2026, holidays=[{"date": "2026-10-01", "name": "国庆节"}], workdays=[],
                          actor=calendar_admin())
    file = tmp_path / "2027.csv"
    file.write_bytes(EXCEL_2027.encode("gb18030"))
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "CN 2027: 9 holidays, 1 make-up working days, 256 working days",
        "CN 2026: 1 day(s) added next to 2027 (2026-12-31); the rest of 2026 is as it was"]
    kept = calendar.get_year(runtime.uow(), 2026)  # still the year as loaded before, plus 31 December
    assert [d.date for d in kept.holidays] == [date(2026, 10, 1), date(2026, 12, 31)]


def test_a_stray_line_of_another_year_is_refused_unless_the_years_are_named(cli, runtime, tmp_path):
    file = tmp_path / "2027.csv"
    file.write_text(EXCEL_2027 + "2028-01-01,holiday,元旦\n", encoding="utf-8")
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        f"{file}:13: date: 2028-01-01 is one of only 1 line(s) of 2028 against 10 for the file's fullest year")
    assert calendar.get_year(runtime.uow(), 2027).provisional and calendar.get_year(runtime.uow(), 2028).provisional

    named = cli("calendar", "import", str(file), "--year", "2027", "--year", "2028")
    assert named.exit_code == 0, named.output
    assert not calendar.get_year(runtime.uow(), 2028).provisional


# QA's case: CN 2027 loaded, then a small 2028 file whose 元旦 starts on 31 December 2027.
C1_2027 = "date,kind,name\n2027/1/1,holiday,元旦\n2027/1/4,holiday,元旦\n2027/1/5,holiday,元旦\n2027/1/9,workday,元旦\n"
C2_2028 = ("date,kind,name\n2028/1/1,holiday,元旦\n2028/1/2,holiday,元旦\n2028/1/3,holiday,元旦\n"
           "2027/12/31,holiday,元旦\n")


def test_a_small_file_of_the_next_year_adds_late_december_to_a_loaded_year_without_replacing_it(
        cli, runtime, tmp_path):
    (tmp_path / "c1.csv").write_text(C1_2027, encoding="utf-8")
    (tmp_path / "c2.csv").write_text(C2_2028, encoding="utf-8")
    assert cli("calendar", "import", str(tmp_path / "c1.csv")).exit_code == 0
    result = cli("calendar", "import", str(tmp_path / "c2.csv"))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "CN 2028: 3 holidays, 0 make-up working days, 259 working days",
        "CN 2027: 1 day(s) added next to 2028 (2027-12-31); the rest of 2027 is as it was"]
    kept = calendar.get_year(runtime.uow(), 2027)
    assert [d.date for d in kept.holidays] == [date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 5),
                                               date(2027, 12, 31)]
    assert [d.date for d in kept.workdays] == [date(2027, 1, 9)]
    assert not kept.provisional and kept.source == "import: c1.csv"
    # Named, 2027 is not replaced either; a year not loaded before stays provisional.
    (tmp_path / "c3.csv").write_text(C2_2028.replace("2028/", "2030/").replace("2027/", "2029/"), encoding="utf-8")
    named = cli("calendar", "import", str(tmp_path / "c3.csv"), "--year", "2029", "--year", "2030")
    assert named.exit_code == 0, named.output
    assert named.stdout.splitlines()[1] == (
        "CN 2029: 1 day(s) added next to 2030 (2029-12-31); the rest of 2029 is as it was")
    not_loaded = calendar.get_year(runtime.uow(), 2029)
    assert not_loaded.provisional and [d.date for d in not_loaded.holidays] == [date(2029, 12, 31)]
    assert not calendar.get_year(runtime.uow(), 2030).provisional


def test_a_day_that_does_not_exist_is_named_as_such(cli, tmp_path):
    file = tmp_path / "2027.csv"
    file.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,春节\n", encoding="utf-8")
    result = cli("calendar", "import", str(file))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{file}:3: date: 2027-02-30 is not a day: February 2027 has 28 days"


def calendar_admin():  # type: ignore[no-untyped-def]
    from engine.users import Actor

    return Actor("admin", roles=frozenset({"admin"}))
