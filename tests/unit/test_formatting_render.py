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
