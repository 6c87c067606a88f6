"""The report's HTML: headings, paragraphs and tables, and the count cell that shows a hidden
count as one mark, so every section marks up (and hides) the same way."""

from __future__ import annotations

import html

from analysis.privacy import cells
from analysis.report.numbers import percent

# One mark for every count disclosure control hides (analysis.privacy.disclosure), small or not, so a
# reader cannot tell which hidden count is the small one. Statistics Canada's "x".
HIDDEN_MARK = "x"


class Count:
    """A table cell holding a count of people: shown, or the hidden mark; its name (where it
    sits in results.json) goes into the HTML so a reader or a test can check what was hidden."""

    def __init__(self, results: dict, name: cells.CellName, value: int):
        self.name, self.value = name, value
        self.hidden = cells.is_hidden(results, name)
        self.text = HIDDEN_MARK if self.hidden else str(value)

    def __str__(self) -> str:
        return self.text


def percent_of_counts(part: Count, whole: Count, lang: str) -> str:
    """A percentage of counts, shown only when both counts are (else it would give them away)."""
    if part.hidden or whole.hidden:
        return HIDDEN_MARK
    return percent(part.value, whole.value, lang)


def heading(text: str, level: int = 2) -> str:
    return f"<h{level}>{html.escape(text)}</h{level}>"


def paragraph(markdown_text: str) -> str:
    """A catalogue sentence with **bold** and *italic* marks -> HTML."""
    text = html.escape(markdown_text)
    parts = text.split("**")
    text = "".join(f"<strong>{p}</strong>" if i % 2 else p for i, p in enumerate(parts))
    parts = text.split("*")
    text = "".join(f"<em>{p}</em>" if i % 2 else p for i, p in enumerate(parts))
    return f"<p>{text}</p>"


def table(header: list[str], rows: list[list], caption: str | None = None) -> str:
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    # scope="col": each header names its column, for screen readers (and the PDF's /Scope)
    head = "".join(f'<th scope="col">{html.escape(str(h))}</th>' for h in header)
    body = "".join("<tr>" + "".join(_cell(c) for c in row) + "</tr>" for row in rows)
    return f'<table class="report-table">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _cell(value) -> str:
    if isinstance(value, Count):
        mark = ' class="hidden-count"' if value.hidden else ""
        return f'<td data-cell="{html.escape(value.name)}"{mark}>{html.escape(value.text)}</td>'
    return f"<td>{html.escape(str(value))}</td>"


def show(html_text: str) -> None:
    """Display report HTML in the notebook (and so in the rendered report)."""
    from IPython.display import HTML, display

    display(HTML(html_text))
