import pytest

from consult.cases.rendering import render_markdown

CASES = [
    ("<img src=x onerror=alert(1)>", "<p>&lt;img src=x onerror=alert(1)&gt;</p>"),
    ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
    ("[click](javascript:alert(1))", "<p>click</p>"),
    (
        '<a href="javascript:alert(1)">x</a>',
        '<p>&lt;a href="javascript:alert(1)"&gt;x&lt;/a&gt;</p>',
    ),
    ("**bold** and _soft_", "<p><strong>bold</strong> and <em>soft</em></p>"),
    ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
    ("`<b>`", "<p><code>&lt;b&gt;</code></p>"),
    (
        "see https://988lifeline.org",
        '<p>see <a href="https://988lifeline.org" rel="noopener noreferrer nofollow" '
        'target="_blank">'
        "https://988lifeline.org</a></p>",
    ),
]


@pytest.mark.parametrize("text, html", CASES)
def test_it_renders_limited_markdown_and_neutralises_html(text, html):
    assert render_markdown(text) == html


PLAIN_LINES = [
    "quick check in on the plan",
    "Is it ok?",
    "calm, then tearful; better!",
    "don't panic",
    "a  b",
    "x",
]


@pytest.mark.parametrize("text", PLAIN_LINES)
def test_it_renders_plain_lines_on_the_fast_path_exactly_as_markdown_would(text):
    from consult.cases import rendering

    assert rendering.PLAIN_LINE.match(text)
    assert render_markdown(text) == rendering._cleaner().clean(rendering._converter().convert(text))


HIDING = [
    # Character references are shown as written: the browser never decodes a name the guard did not
    # see.
    ("&#74;ohn **MRN** &#49;234567", "<p>&amp;#74;ohn <strong>MRN</strong> &amp;#49;234567</p>"),
    (
        "`&#74;` and [&#74;](https://x.org/?a=1&b=2 \"&#74;\")",
        '<p><code>&amp;#74;</code> and <a href="https://x.org/?a=1&amp;b=2" title="&amp;#74;" '
        'rel="noopener noreferrer nofollow" target="_blank">&amp;#74;</a></p>',
    ),
    ("x &amp; y, **AT&T**", "<p>x &amp;amp; y, <strong>AT&amp;T</strong></p>"),
    ("J\u200bohn **S\u2060mith**\ufeff", "<p>John <strong>Smith</strong></p>"),
    ("mail <a@b.org>", "<p>mail &lt;a@b.org&gt;</p>"),  # was dropped whole (markdown encoded it)
]


@pytest.mark.parametrize("text, html", HIDING)
def test_it_never_turns_source_text_into_characters_that_were_not_scanned(text, html):
    assert render_markdown(text) == html
