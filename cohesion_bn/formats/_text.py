"""Reading a file's text (plain or gzip, any common encoding) and a small tokenizer.

The tokenizer serves the three text grammars we parse ourselves: Hugin ``.net``, Netica
``.dne`` and GeNIe ``.dsl``. All three are made of identifiers, numbers, double-quoted
strings and the punctuation ``( ) { } = ; , |``; they differ in their comments (Hugin ``%``
to the end of the line; Netica and GeNIe ``//`` and ``/* */``).
"""

from __future__ import annotations

import gzip
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import FormatError

__all__ = ["Token", "TokenStream", "decode", "read_bytes", "tokenize"]

_GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path: Path) -> bytes:
    """The file's bytes, gunzipped when it is gzip (by its magic number, whatever its name)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FormatError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise FormatError(f"{path}: is a directory, not a network file") from None
    except OSError as exc:
        raise FormatError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    if data[:2] == _GZIP_MAGIC:
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError) as exc:
            raise FormatError(f"{path}: is a damaged gzip file: {exc}") from None
    return data


def decode(data: bytes) -> str:
    """Text from bytes: UTF-8 (with or without a byte-order mark), else Windows-1252, else
    Latin-1 (which cannot fail). Tools on Windows (Hugin, Netica, GeNIe) write labels in the
    Windows code page; UTF-8 is tried first because it almost never decodes by accident."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


@dataclass(frozen=True)
class Token:
    """One token: ``kind`` is ``"str"``, ``"word"`` (identifier or number) or ``"punct"``."""

    kind: str
    text: str
    line: int


_PUNCT = "(){}=;,|[]:"
_WORD = re.compile(r"[^\s(){}=;,|\[\]:\"]+")


def tokenize(
    text: str,
    *,
    percent_comments: bool = False,
    slash_comments: bool = True,
    source: str = "<text>",
) -> list[Token]:
    """Split ``text`` into tokens. Strings are double-quoted with ``\\`` escapes and may
    span lines; their token text is the unescaped content. Lines may end in LF, CRLF or a
    lone CR (files saved on classic Mac OS), which matters for comments running to the end
    of the line."""
    # classic Mac OS tools (Netica and Hugin before OS X) end lines with a lone CR
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tokens: list[Token] = []
    i, n, line = 0, len(text), 1
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            i += 1
        elif c.isspace():
            i += 1
        elif (percent_comments and c == "%") or (slash_comments and text.startswith("//", i)):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif slash_comments and text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                raise FormatError(f"{source}: line {line}: a /* comment is never closed")
            line += text.count("\n", i, j)
            i = j + 2
        elif c == '"':
            start_line = line
            buf: list[str] = []
            i += 1
            while True:
                if i >= n:
                    raise FormatError(f"{source}: line {start_line}: a string is never closed")
                c = text[i]
                if c == "\\" and i + 1 < n:
                    nxt = text[i + 1]
                    buf.append({"n": "\n", "t": "\t"}.get(nxt, nxt))
                    i += 2
                    continue
                if c == '"':
                    i += 1
                    break
                if c == "\n":
                    line += 1
                buf.append(c)
                i += 1
            tokens.append(Token("str", "".join(buf), start_line))
        elif c in _PUNCT:
            tokens.append(Token("punct", c, line))
            i += 1
        else:
            m = _WORD.match(text, i)
            if m is None:  # pragma: no cover - every other character starts a word
                raise FormatError(f"{source}: line {line}: unexpected character {c!r}")
            tokens.append(Token("word", m.group(0), line))
            i = m.end()
    return tokens


class TokenStream:
    """A cursor over tokens with the few look-ahead helpers the parsers need."""

    def __init__(self, tokens: list[Token], source: str) -> None:
        self.tokens = tokens
        self.pos = 0
        self.source = source

    def at_end(self) -> bool:
        return self.pos >= len(self.tokens)

    def peek(self, offset: int = 0) -> Token | None:
        i = self.pos + offset
        return self.tokens[i] if i < len(self.tokens) else None

    def next(self, what: str = "more text") -> Token:
        tok = self.peek()
        if tok is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise FormatError(
                f"{self.source}: line {last}: the file ends where {what} was expected"
            )
        self.pos += 1
        return tok

    def is_punct(self, text: str, offset: int = 0) -> bool:
        tok = self.peek(offset)
        return tok is not None and tok.kind == "punct" and tok.text == text

    def is_word(self, text: str, offset: int = 0, *, case: bool = True) -> bool:
        tok = self.peek(offset)
        if tok is None or tok.kind != "word":
            return False
        return tok.text == text if case else tok.text.lower() == text.lower()

    def expect(self, text: str, what: str | None = None) -> Token:
        tok = self.next(repr(text))
        if tok.text != text or tok.kind == "str":
            raise FormatError(
                f"{self.source}: line {tok.line}: expected {what or repr(text)}, found {tok.text!r}"
            )
        return tok

    def name(self, what: str = "a name") -> str:
        tok = self.next(what)
        if tok.kind == "punct":
            raise FormatError(
                f"{self.source}: line {tok.line}: expected {what}, found {tok.text!r}"
            )
        return tok.text

    def skip_value(self) -> None:
        """Skip one value: a word, a string, or a balanced ``(...)``/``{...}`` group."""
        tok = self.next("a value")
        if tok.kind == "punct" and tok.text in "({":
            close = ")" if tok.text == "(" else "}"
            depth = 1
            while depth:
                t = self.next(f"{close!r}")
                if t.kind == "punct" and t.text == tok.text:
                    depth += 1
                elif t.kind == "punct" and t.text == close:
                    depth -= 1
