"""The customer-ready PDF of the sales roadmap, drawn with fpdf2.

fpdf2 is pure Python: no system library to install (WeasyPrint needs Pango from apt, Chromium's
print-to-PDF a browser per request), and it draws a 100-item roadmap in a small fraction of a
second. It takes only the `RoadmapItem`s the sales audience may see: it cannot show more.
"""

import datetime
from collections.abc import Sequence

from fpdf import FPDF

from tandem.roadmap.selectors import RoadmapItem

# The PDF's built-in fonts read Latin-1; typographic punctuation is mapped, anything else shows as "?".
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
        "\u2192": "->",
        "\u2022": "-",
    }
)


def _text(value: str) -> str:
    return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


def sales_roadmap_pdf(*, items: Sequence[RoadmapItem], company: str, today: datetime.date) -> bytes:
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(f"{company} roadmap"))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _text(f"{company} roadmap"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(100)
    pdf.multi_cell(
        0,
        5,
        _text(
            f"As of {today.isoformat()}. Dates are given by fiscal quarter unless the item is committed; "
            "plans may change."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    if not items:
        pdf.set_text_color(0)
        pdf.cell(0, 8, "Nothing on the roadmap to share yet.", new_x="LMARGIN", new_y="NEXT")
    for item in items:
        feature = item.feature
        pdf.set_text_color(0)
        pdf.set_font("Helvetica", "B", 11)
        pdf.multi_cell(0, 6, _text(feature.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.set_text_color(90)
        facts = f"{feature.product.name} | {item.when} | {feature.get_confidence_display()}"
        pdf.multi_cell(0, 5, _text(facts), new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0)
        if item.say:
            pdf.multi_cell(0, 5, _text(item.say), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
