"""Text made safe where it is shown: the terminal, the Markdown brief, the review page.

An article, a file name or a model's answer can hold characters that act instead of being read:
ESC starts a terminal command (``ESC[2J`` clears the screen and hides the warnings above it), BEL
rings, BS rubs out what was printed, a right-to-left override (U+202E) makes a quote read backwards,
a zero-width joiner makes "Qatar" and "Qatar" two different names. None of them is ever removed
from the documents: citations are offsets into the decoded file (``text[start:end] == quote``), so
the cleaning happens here, at display time, and the JSON keeps the text as read.

Two treatments:

* ``visible``: where text is quoted, every such character stays, shown as what it is: C0 controls
  as their Unicode control pictures (ESC as ␛), the others as ``⟨U+202E⟩``. The reader sees that
  the source holds something odd, and nothing acts.
* ``clean_name``: a name (a party, an alias) loses the invisible characters and the controls, so
  two spellings that look alike are one name.
"""

from __future__ import annotations

import re

# Direction controls (embeddings, overrides, isolates, marks) and zero-width characters: invisible,
# and able to reorder or split what is shown (the "Trojan Source" set, plus the zero-width ones).
INVISIBLE = frozenset(
    "\u061c\u180e\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
    "\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
_CONTROL = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # C0 but tab and newline, DEL, C1 (CSI is \x9b)
_ACTING = re.compile(f"[{_CONTROL}{''.join(sorted(INVISIBLE))}]")
_ACTING_OR_NEWLINE = re.compile(f"[\n\t{_CONTROL}{''.join(sorted(INVISIBLE))}]")


def _picture(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ ... ␟: one visible character in place of one control
    if code == 0x7F:
        return "\u2421"  # ␡
    return f"⟨U+{code:04X}⟩"


def has_acting(text: str) -> bool:
    """True when the text holds a control or an invisible direction/zero-width character."""
    return _ACTING.search(text) is not None


def visible(text: str, *, one_line: bool = False) -> str:
    """The text with every control or invisible character shown as a visible sign; tab and newline
    stay, unless ``one_line`` (a file name in a table, a message line): then they are shown too."""
    pattern = _ACTING_OR_NEWLINE if one_line else _ACTING
    if not pattern.search(text):
        return text
    return pattern.sub(lambda match: "␉" if match.group() == "\t" else _picture(match.group()), text)


def blank_acting(text: str) -> str:
    """Each control or invisible character a space (tab and newline stay): the same length, so the
    offsets of what is read stay those of the text."""
    return _ACTING.sub(" ", text) if _ACTING.search(text) else text


def clean_name(name: str) -> str:
    """A name without invisible or control characters ('Qatar' + ZERO WIDTH JOINER is 'Qatar')."""
    if not _ACTING_OR_NEWLINE.search(name):
        return name
    spaced = name.replace("\n", " ").replace("\t", " ")
    return re.sub(r" {2,}", " ", _ACTING.sub("", spaced)).strip()


def terminal(text: str, *, one_line: bool = True) -> str:
    """A value inside a message for the terminal: one line (unless not ``one_line``: a whole message
    may have lines of its own), nothing acts, and no Rich markup (a file named '[bold]x' is shown as
    it is named)."""
    return visible(text, one_line=one_line).replace("[", "\\[")


def html_offset(text: str, offset: int) -> int:
    """Where ``offset`` (a code point of ``text``) lands in ``visible(text)`` as JavaScript counts,
    in UTF-16 units: the review page marks figures inside sentences by these offsets."""
    return len(visible(text[:offset]).encode("utf-16-le")) // 2


# ---------------------------------------------------------------------------------------------------
# Markdown
# ---------------------------------------------------------------------------------------------------

# An inline link or image written in an article ('[click](javascript:...)', '![](http://tracker)'):
# breaking the ']('' is enough for no renderer to make it a link.
_LINK = re.compile(r"\]\(")


def markdown_text(text: str) -> str:
    """Text from an article or a model inside Markdown: visible controls, one line, and no HTML or
    link a Markdown viewer would act on (entities work in every renderer; a backslash before '<' does
    not, in Python-Markdown)."""
    shown = visible(text, one_line=True).replace("<", "&lt;").replace(">", "&gt;")
    return _LINK.sub("]\\(", shown)


def markdown_cell(text: str) -> str:
    """``markdown_text`` for a table cell: a '|' does not end the cell."""
    return markdown_text(text).replace("|", "\\|")


def markdown_code(text: str, *, cell: bool = False) -> str:
    """A file name or path as a Markdown code span, whatever it holds: a fence longer than any run
    of backticks in it (a backtick in a name cannot end the span), visible controls, one line. Inside
    a code span nothing is interpreted, so '<' needs no escape; in a table cell (``cell``) a '|' still
    ends the cell unless escaped, even there (GFM)."""
    shown = visible(text, one_line=True)
    if cell:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall(r"`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
