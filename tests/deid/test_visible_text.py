"""The guard reads a text as a reader does: references decoded, invisible characters dropped,
and the spans it flags are the writer's own (so highlights and redaction stay exact)."""

import pytest

from consult.core.errors import IdentifierFound
from consult.deid.guard import guard_rendered, guard_text
from consult.deid.scanner import scan
from consult.deid.visible import rendered_text, strip_invisible, visible_text

ZW = "\u200b"

HIDDEN = [
    # (written, the span a reader sees as an identifier, its kind)
    ("&#74;ohn Smith came in", "&#74;ohn Smith", "NAME"),
    ("&#x4A;ohn Smith came in", "&#x4A;ohn Smith", "NAME"),
    ("&amp;#74;ohn Smith came in", "&amp;#74;ohn Smith", "NAME"),
    ("MRN &#49;234567", "&#49;234567", "MRN"),
    (f"J{ZW}ohn Sm{ZW}ith came in", f"J{ZW}ohn Sm{ZW}ith", "NAME"),
    (f"call 555{ZW}-201-33\u00ad44", f"555{ZW}-201-33\u00ad44", "PHONE"),
    ("MRN 12\u2060345\ufeff67", "12\u2060345\ufeff67", "MRN"),
    ("MRN &#8203;1234567", "1234567", "MRN"),
]


@pytest.mark.parametrize("text, span, kind", HIDDEN)
def test_the_guard_flags_what_a_reader_sees_at_the_writers_offsets(text, span, kind):
    with pytest.raises(IdentifierFound) as flagged:
        guard_text(text, field="body")
    assert (span, kind) in {(text[f.start : f.end], f.kind) for f in flagged.value.findings}


def test_it_maps_each_visible_character_to_where_it_was_written():
    visible, starts, ends = visible_text(f"a&#74;{ZW}b")
    assert visible == "aJb"
    assert list(zip(starts, ends, strict=True)) == [(0, 1), (1, 6), (7, 8)]


@pytest.mark.parametrize("text", ["plain words", "a & b", "AT&T", "&unknown; words", "R&D"])
def test_it_leaves_text_with_nothing_hidden_as_written(text):
    assert visible_text(text)[0] == text


def test_it_strips_format_characters_and_keeps_line_breaks():
    assert strip_invisible(f"a{ZW}\u200c\u200d\u2060\u00ad\ufeff\u202eb\n\tc") == "ab\n\tc"


def test_a_confirmation_at_the_writers_offsets_lets_the_text_through():
    text = f"H{ZW}ope said she felt safer"
    with pytest.raises(IdentifierFound) as flagged:
        guard_text(text, field="body")
    assert [f.as_dict() for f in flagged.value.findings] == [{"start": 0, "end": 5, "kind": "NAME"}]
    assert guard_text(text, field="body", confirmations=flagged.value.findings)


def test_the_text_content_of_rendered_html_is_what_the_browser_shows():
    html = (
        '<p>a <strong>b</strong> &amp;#74;</p><ul>\n<li>c</li></ul>'
        '<a href="https://x.org" title="t">l</a>'
    )
    assert rendered_text(html).split() == ["a", "b", "&#74;", "c", "t", "l", "https://x.org"]


def test_markup_that_joins_a_name_for_the_reader_is_refused_at_the_written_span():
    source = "Met J**oh**n Sm*it*h today"
    html = "<p>Met J<strong>oh</strong>n Sm<em>it</em>h today</p>"
    with pytest.raises(IdentifierFound) as flagged:
        guard_rendered(html, source=source, field="body")
    finding = flagged.value.findings[0]
    assert (source[finding.start : finding.end], finding.kind) == ("J**oh**n Sm*it*h", "NAME")


def test_a_rendered_finding_inside_a_confirmed_span_is_not_refused_again():
    source = "Hope said she felt safer"
    guard_rendered(
        "<p><em>Hope</em> said she felt safer</p>",
        source=source,
        field="body",
        confirmations=guard_text(source, field="body", confirmations=scan(source)),
    )


def test_a_linkified_address_is_read_once_and_a_hidden_target_is_read_too():
    linkified = '<p>on <a href="http://instagram.com/x" rel="nofollow">instagram.com/x</a></p>'
    assert rendered_text(linkified).split() == ["on", "instagram.com/x"]
    hidden = '<p><a href="https://x.org/John-Smith">click</a></p>'
    assert rendered_text(hidden).split() == ["click", "https://x.org/John-Smith"]


def test_every_confirmed_span_of_a_linkified_note_covers_what_readers_see():
    from consult.cases.rendering import render_markdown

    source = "He posts worrying things on instagram.com/jessica73 at night"
    confirmed = scan(source)
    assert confirmed and not guard_rendered(
        render_markdown(source), source=source, field="body", confirmations=confirmed
    )
