"""formatting and render: numbers, ordinals, and links relative to the page (so sub-paths work)."""

import pytest

from icsite.core.formatting import number, ordinal, slugify, with_unit
from icsite.core.markup import render_markdown
from icsite.pages.render import relative_url


@pytest.mark.parametrize("n, expected", [(1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"),
                                         (12, "12th"), (13, "13th"), (21, "21st"), (22, "22nd"), (101, "101st")])
def test_ordinal(n, expected):
    assert ordinal(n) == expected


def test_number_and_unit():
    assert number(1234.567, 1) == "1,234.6"
    assert number(float("nan")) == "–"
    assert with_unit(74.06, "%", 1) == "74.1%"
    assert with_unit(120.25, "per 100,000", 1) == "120.2 per 100,000"  # round half to even, as Python does
    assert with_unit(None, "%", 1) == "no value"


def test_slugify():
    assert slugify("Bath and North East Somerset, Swindon and Wiltshire") == "bath-and-north-east-somerset-swindon-and-wiltshire"
    assert slugify("Cornwall & the Isles of Scilly") == "cornwall-the-isles-of-scilly"


@pytest.mark.parametrize("target, page, expected", [
    ("", "", "./"),
    ("ics/", "", "ics/"),
    ("ics/", "ics/devon/", "../"),
    ("", "ics/devon/", "../../"),
    ("assets/style.css", "indicators/ae-4hr/", "../../assets/style.css"),
    ("data/#areas", "ics/", "../data/#areas"),
    ("https://example.org/", "ics/", "https://example.org/"),
])
def test_relative_url(target, page, expected):
    assert relative_url(target, page) == expected


def test_markdown_is_sanitised():
    html = render_markdown('Hello <script>alert(1)</script> <a href="javascript:alert(1)" onclick="x()">x</a>')
    assert "<script" not in html and "javascript:" not in html and "onclick" not in html
    assert "Hello" in html


def test_table_rows_written_in_python_escape_and_link_like_the_template():
    """table_cells writes what the per-cell template wrote: escaped text, links relative to the page, tags by column."""
    from markupsafe import Markup

    from icsite.core.display import Link, Table
    from icsite.pages.render import cell_opens, numeric_from, table_cells

    plain = Table("T", ["Area", "Period", "Value", "England"], [], [False, False, True, True])
    assert numeric_from(plain) == 3  # columns 3 and 4 are numbers: one class on the table, none per cell
    opens = cell_opens(plain, numeric_from(plain))
    row = table_cells([Link("A & B", "ics/a/"), "<2024>", "5%", Link("England", "")], opens, lambda h: "../" + h)
    assert isinstance(row, Markup)
    assert row == ('<th scope="row"><a href="../ics/a/">A &amp; B</a></th><td>&lt;2024&gt;</td><td>5%</td>'
                   "<td>England</td>")
    mixed = Table("T", ["Area", "Value", "Note"], [], [False, True, False])
    assert numeric_from(mixed) == 0 and cell_opens(mixed)[1] == '<td class="num">'
    stacked = Table("T", ["Area", 'Say "hi"', "Value"], [], [False, False, True], stack=True)
    assert numeric_from(stacked) == 0  # a stacking table keeps its per-cell classes (the phone layout needs them)
    assert cell_opens(stacked)[1:] == ['<td data-label="Say &#34;hi&#34;">', '<td data-label="Value" class="num">']


def test_relative_links_match_posixpath():
    import posixpath

    from icsite.pages.render import relative_path

    for start in [".", "ics", "ics/devon", "data/x/1.0.0", "ics/devon2"]:
        for target in [".", "ics", "ics/devon", "ics/devon/spine.svg", "assets/site.css", "ics/devon/#top", "x"]:
            assert relative_path(target, start) == posixpath.relpath(target, start), (target, start)


def test_css_string_cannot_end_its_string_or_style_element():
    from icsite.pages.render import css_string

    text = str(css_string('Site "x" </style><script>alert(1)</script> & \\ \n'))
    assert text.startswith('"') and text.endswith('"') and '"' not in text[1:-1]
    assert not set("<>&\n") & set(text) and "\\3c /style\\3e " in text
