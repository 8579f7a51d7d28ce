"""``workdays(n, start)``: the n-th working day counted from a date the case holds (a meeting date, as a form's
date field gives it) rather than from now, on the same convention and calendar as ``workdays(n)``."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.calendar import WorkingCalendar, package_years, working_days_function

YEARS = package_years()
CN = WorkingCalendar("CN", {d.day: d.kind for days in YEARS.values() for d in days}, YEARS)
NOW = datetime(2025, 9, 1, 2, 0, tzinfo=UTC)  # whatever now is, a start given is what counts


def test_counting_from_a_form_s_date_skips_the_holidays_after_it():
    # 2025's National Day and Mid-Autumn holidays run 1-8 October: the working day after 30 September is 9 October.
    workdays = working_days_function(CN, NOW)
    assert workdays(1, "2025-09-30") == "2025-10-09T15:59:59+00:00"
    assert workdays(1, date(2025, 9, 30)) == workdays(1, "2025-09-30T20:00:00+08:00") == "2025-10-09T15:59:59+00:00"
    assert workdays(1) == "2025-09-02T15:59:59+00:00"  # without a start: from now, as before
    assert workdays.provisional is False


def test_a_start_in_a_year_without_data_is_counted_provisionally():
    workdays = working_days_function(CN, NOW)
    assert workdays(1, "2027-01-07") == "2027-01-08T15:59:59+00:00"  # Thursday -> Friday, weekdays only
    assert workdays.provisional is True


@pytest.mark.parametrize("bad", ["下周四", "2025-13-01", "", 20251001])
def test_a_start_that_is_no_date_is_refused_with_what_is_expected(bad):
    with pytest.raises(ValueError, match="counts from a date such as 2026-03-10"):
        working_days_function(CN, NOW)(1, bad)
