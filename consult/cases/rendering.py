"""Limited markdown → sanitised HTML, done once on the server when a message is saved.

Raw HTML is never passed through: markdown's HTML processors are removed, so `<img onerror=...>`
is escaped into inert text, and bleach then allows only a small set of tags. Only http(s) and
mailto links survive, and they open without an opener.

The renderer never makes characters the guard did not scan: every `&` of the source is shown as
an `&` (so `&#74;ohn` reads "&#74;ohn", never "John"), and invisible format characters are dropped.
"""

import re
import threading
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter

from consult.deid.visible import strip_invisible

ALLOWED_TAGS = {"p", "br", "strong", "em", "code", "pre", "ul", "ol", "li", "blockquote", "a"}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}

# Markdown instances and bleach's Cleaner (its html5lib parser) keep state between calls: one
# per thread. A Cleaner shared by the database threads failed under concurrent posts
# (html5lib's `openElements.pop()`: IndexError, tests/audit/test_concurrent_posts.py).
_local = threading.local()


def _converter():
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(
            extensions=["nl2br", "sane_lists", "fenced_code"], output_format="html"
        )
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # `<a@b.org>` comes out as character references, which bleach then drops whole: leave
        # the address as text (linkify still links it).
        md.inlinePatterns.deregister("automail")
        _local.md = md
    return md.reset()


def _harden_link(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href.startswith(("http:", "https:", "mailto:")):
        return None  # linkify would otherwise turn a bare word into a relative link
    attrs[(None, "rel")] = "noopener noreferrer nofollow"
    attrs[(None, "target")] = "_blank"
    return attrs


def _cleaner():
    cleaner = getattr(_local, "cleaner", None)
    if cleaner is None:
        cleaner = _local.cleaner = bleach.sanitizer.Cleaner(
            tags=ALLOWED_TAGS,
            attributes={"a": ["href", "title", "rel", "target"]},
            protocols=ALLOWED_PROTOCOLS,
            strip=False,
            filters=[partial(LinkifyFilter, callbacks=[_harden_link], skip_tags={"pre", "code"})],
        )
    return cleaner


# Words, spaces and plain punctuation that neither markdown nor bleach's linkifier acts on:
# most chat lines. They render as one escaped-free paragraph without the 0.3 ms round trip
# through both (tests/cases/test_rendering.py holds the two paths to the same output).
PLAIN_LINE = re.compile(r"[A-Za-z][A-Za-z ,;?!']*\Z")


# Markdown and bleach both keep character references as they are, for the browser to decode.
# Every `&` of the source travels through them as this private-use character instead, and
# comes out as `&amp;`: in text, code and attributes alike.
AMPERSAND = "\ue000"


def render_markdown(text):
    if PLAIN_LINE.match(text) and not text.endswith(" "):
        return f"<p>{text}</p>"
    text = strip_invisible(text).replace(AMPERSAND, "\ufffd").replace("&", AMPERSAND)
    return _cleaner().clean(_converter().convert(text)).replace(AMPERSAND, "&amp;")
