"""Filing documents as text: HTML to plain text and plain text to sentences.

EDGAR documents are HTML (inline XBRL for 10-K/10-Q) whose sentences are often cut into many inline tags
(`<span>`, `<font>`, `<ix:nonNumeric>`) and spelled with entities (`&#160;`, `&amp;`, `&#8217;`). Inline tags
join their text, block tags (paragraphs, divisions, table cells, line breaks) end a block, and every run
of white space (no-break spaces included) becomes one space.
"""

import re
from html.parser import HTMLParser

BLOCKS = {"p", "div", "br", "tr", "td", "th", "li", "table", "h1", "h2", "h3", "h4", "h5", "h6", "title", "hr"}
SKIPPED = {"script", "style", "head"}
_SPACES = re.compile(r"\s+")
# A sentence ends at . ! or ? followed by a space and a capital letter, a digit or an opening quote; not after
# common abbreviations (Inc. Corp. Co. Ltd. No. U.S.).
_SENTENCE_END = re.compile(
    r"(?<!\bInc\.)(?<!\bCorp\.)(?<!\bCo\.)(?<!\bLtd\.)(?<!\bNo\.)(?<!\bU\.S\.)(?<=[.!?])\s+(?=[A-Z0-9\"“])"
)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)  # entities decoded in the text handed over
        self.blocks: list[list[str]] = [[]]
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in SKIPPED:
            self._skipping += 1
        elif tag in BLOCKS:
            self.blocks.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED:
            self._skipping = max(0, self._skipping - 1)
        elif tag in BLOCKS:
            self.blocks.append([])

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.blocks[-1].append(data)


def html_to_text(html: str) -> list[str]:
    """The document's blocks of text, in order, each with its white space collapsed; empty blocks dropped."""
    parser = _Text()
    parser.feed(html)
    parser.close()
    blocks = (_SPACES.sub(" ", "".join(parts)).strip() for parts in parser.blocks)
    return [block for block in blocks if block]


def sentences(blocks: list[str]) -> list[str]:
    return [sentence for block in blocks for sentence in _SENTENCE_END.split(block) if sentence]
