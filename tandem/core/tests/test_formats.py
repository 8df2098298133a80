"""One way to write money, dates and numbers (tandem/core/formats.py), and nothing writing them another way."""

import datetime
import json
import re
import shutil
import subprocess
import zoneinfo
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.template import Context, Template, engines
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from tandem.core import formats

ROOT = Path(django_settings.BASE_DIR) / "tandem"


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        (Decimal("510000"), "USD", "510,000 USD"),
        (Decimal("12480.49"), "EUR", "12,480 EUR"),
        (Decimal("12480.50"), "EUR", "12,481 EUR"),
        (Decimal("99.5"), "USD", "99.50 USD"),
        (Decimal("99"), "USD", "99 USD"),
        (Decimal("0"), "USD", "0 USD"),
        (Decimal("-2500"), "GBP", "-2,500 GBP"),
        (None, "USD", "—"),
    ],
)
def test_money_always_shows_its_currency_in_whole_units_from_a_thousand(amount, currency, shown):
    assert formats.money(amount, currency) == shown


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("1480000"), "1.5M USD"),
        (Decimal("1000000"), "1M USD"),
        (Decimal("440000"), "440K USD"),
        (Decimal("2500000000"), "2.5B USD"),
        (Decimal("950.40"), "950 USD"),
        (None, "—"),
    ],
)
def test_the_compact_form_keeps_its_currency(amount, shown):
    assert formats.money_compact(amount, "USD") == shown


def test_numbers_and_percentages():
    assert formats.number(1800) == "1,800"
    assert formats.number(None) == "—"
    assert formats.number(Decimal("0.12345"), 3) == "0.123"
    assert formats.percent(Decimal("0.2")) == "20%"
    assert formats.percent(Decimal("0.1234"), 1) == "12.3%"
    assert formats.percent_of(80) == "80%"


def test_dates_have_one_short_and_one_long_form_in_the_users_time_zone():
    day = datetime.date(2026, 12, 3)
    assert formats.date_short(day) == "3 Dec 2026"
    assert formats.date_long(day) == "Thursday 3 December 2026"
    late_evening_utc = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)
    with timezone.override(zoneinfo.ZoneInfo("Europe/Berlin")):
        assert formats.date_short(late_evening_utc) == "4 Dec 2026"
        assert formats.datetime_short(late_evening_utc) == "4 Dec 2026, 00:30"
        assert formats.datetime_long(late_evening_utc) == "Friday 4 December 2026 at 00:30 (Europe/Berlin)"
    with timezone.override(zoneinfo.ZoneInfo("America/New_York")):
        assert formats.datetime_short(late_evening_utc) == "3 Dec 2026, 18:30"
    assert formats.date_short(None) == "—"


def test_templates_and_tables_write_figures_through_the_format_module():
    context = {"amount": Decimal("1480000.50"), "day": datetime.date(2026, 1, 5), "home_currency": "EUR"}
    django = Template(
        "{% load tandem %}{{ amount|money:home_currency }}|{{ amount|money_compact:home_currency }}|"
        "{{ day|date_short }}"
    )
    jinja = engines["jinja2"].from_string(
        "{{ amount|money(home_currency) }}|{{ amount|money_compact(home_currency) }}|{{ day|date_short }}"
    )
    expected = "1,480,001 EUR|1.5M EUR|5 Jan 2026"
    assert django.render(Context(context)) == expected
    assert jinja.render(context) == expected


# What formats figures some other way. Each names the format module's way instead.
TEMPLATE_PATTERNS = {
    r"\|\s*date\s*[:(]": "|date_short, |date_long or |datetime_short",
    r"\|\s*date\s*(\}|\|)": "|date_short",
    r"\|\s*time\b": "|datetime_short",
    r"\|\s*(floatformat|intcomma|intword|filesizeformat)\b": "|number or |percent",
    r"\|\s*money_short\b": "|money_compact",
    r"\{%\s*widthratio\b.*%\}%": "|percent",
    r"\|\s*stringformat\s*:\s*\"[^\"]*[fe]\"": "|number",
    r"\|\s*naturaltime|\|\s*timesince|\|\s*timeuntil": "|datetime_short",
}
SCRIPT_PATTERNS = {
    r"Intl\.": "window.TandemFormats",
    r"\.toLocale\w*String\(": "window.TandemFormats",
    r"\.toFixed\(": "window.TandemFormats.number",
}
# User-facing texts built in Python (notifications, emails, messages, errors).
PYTHON_PATTERNS = {
    r"\{[^{}]*:%[A-Za-z]": "formats.date_short / date_long",
    r"\.strftime\(": "formats.date_short / date_long",
    r"\{[^{}]*:,[^{}]*\}": "formats.number / money",
    r"\{[^{}]*:\.\d+f\}": "formats.number / money",
}


def _offences(paths, patterns):
    found = []
    for path in paths:
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            for pattern, instead in patterns.items():
                if re.search(pattern, line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: use {instead}: {line.strip()[:120]}")
    return found


def test_no_template_or_jinja_table_formats_a_figure_itself():
    paths = [p for ext in ("html", "jinja", "txt") for p in ROOT.rglob(f"*.{ext}")]
    assert paths
    assert _offences(paths, TEMPLATE_PATTERNS) == []


def test_no_chart_formats_a_figure_itself():
    scripts = [p for p in (ROOT / "static" / "js").rglob("*.js") if p.name != "formats.js"]
    assert scripts
    assert _offences(scripts, SCRIPT_PATTERNS) == []


def test_no_message_or_email_text_formats_a_figure_itself():
    # formats.py is the module itself; the suggestion evaluation and the backups print for operators
    # at a terminal (and name files by machine time), not for people in the app.
    skipped = {"formats.py", "evaluation.py", "backup.py"}
    paths = [
        p
        for p in ROOT.rglob("*.py")
        if p.name not in skipped
        and not {"tests", "migrations", "seed", "management", "settings"} & set(p.relative_to(ROOT).parts)
    ]
    assert _offences(paths, PYTHON_PATTERNS) == []


NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js installs the front end; without it there is no chart to check")
@settings(deadline=None, max_examples=25)  # each example starts Node.js once
@given(
    amounts=st.lists(
        st.decimals(min_value=-(10**10), max_value=10**10, places=2, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=80,
    )
)
def test_charts_write_money_exactly_as_the_pages_do(amounts):
    """The charts' script (static/js/formats.js) gives the same text as formats.py for any amount."""
    # Floats in JavaScript: amounts beyond about 10**13 would lose cents; pipelines stay far below.
    script = (ROOT / "static" / "js" / "formats.js").read_text()
    values = [str(a) for a in amounts]
    program = (
        "const window = {};\n" + script + "\nconst f = window.TandemFormats;\n"
        f"const values = {json.dumps(values)};\n"
        "console.log(JSON.stringify(values.map(v => [f.money(v, 'USD'), f.moneyCompact(v, 'USD'), f.number(v)])));"
    )
    result = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True, timeout=30)
    expected = [[formats.money(a, "USD"), formats.money_compact(a, "USD"), formats.number(a)] for a in amounts]
    assert json.loads(result.stdout) == expected
