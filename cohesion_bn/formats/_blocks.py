"""A generic parser for the brace-and-semicolon text grammars of Hugin, Netica and GeNIe.

Hugin ``.net``, Netica ``.dne`` and GeNIe ``.dsl`` share one shape::

    item   := head '=' value ';'            (an attribute:  states = ("yes" "no");)
            | head '{' item* '}' [';']      (a named block: node A { ... };
                                              potential (A | B) { ... })
    head   := (word | string | group)*
    value  := (word | string | group | '{' item* '}')*
    group  := '(' (word | string | group | ',' | '|')* ')'

This module turns text into that tree; each format's module gives it meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import FormatError
from ._text import Token, TokenStream

__all__ = ["Assign", "Atom", "Block", "Group", "Named", "Term", "flat_atoms", "parse_items"]


@dataclass(frozen=True)
class Atom:
    """A word, number or string (``quoted``), or the punctuation ``|`` inside a group."""

    text: str
    quoted: bool
    line: int


@dataclass
class Group:
    """A parenthesised list."""

    terms: list[Term]
    line: int


@dataclass
class Block:
    """The items between braces, plus any terms that are not items (``loose``)."""

    items: list[Assign | Named] = field(default_factory=list)
    loose: list[Term] = field(default_factory=list)
    line: int = 0

    def get(self, key: str, *, case: bool = False) -> Assign | None:
        """The last attribute ``key = ...`` in this block (case-insensitive unless ``case``)."""
        found = None
        for item in self.items:
            if isinstance(item, Assign) and (
                item.key == key if case else item.key.lower() == key.lower()
            ):
                found = item
        return found

    def named(self) -> list[Named]:
        return [item for item in self.items if isinstance(item, Named)]


Term = Atom | Group | Block


@dataclass
class Assign:
    """``key = value;`` where value is one term or a list of terms."""

    key: str
    value: list[Term]
    line: int


@dataclass
class Named:
    """``head { body }``: the head's terms (e.g. ``[node, A]`` or ``[potential, (A | B)]``)."""

    head: list[Term]
    body: Block
    line: int

    def words(self) -> list[str]:
        return [t.text for t in self.head if isinstance(t, Atom)]


def _atom(tok: Token) -> Atom:
    return Atom(tok.text, tok.kind == "str", tok.line)


def _group(ts: TokenStream) -> Group:
    open_tok = ts.expect("(")
    terms: list[Term] = []
    while True:
        tok = ts.peek()
        if tok is None:
            raise FormatError(f"{ts.source}: line {open_tok.line}: a '(' is never closed")
        if tok.kind == "punct":
            if tok.text == ")":
                ts.next()
                return Group(terms, open_tok.line)
            if tok.text == "(":
                terms.append(_group(ts))
                continue
            if tok.text == "{":
                ts.next()
                terms.append(_block(ts, "}"))
                ts.expect("}")
                continue
            ts.next()
            if tok.text in "|=:":
                terms.append(Atom(tok.text, False, tok.line))
            elif tok.text not in ",;":
                raise FormatError(
                    f"{ts.source}: line {tok.line}: unexpected {tok.text!r} in a list"
                )
            continue
        terms.append(_atom(ts.next()))


def _block(ts: TokenStream, closer: str | None) -> Block:
    block = Block(line=ts.peek().line if ts.peek() else 0)  # type: ignore[union-attr]
    while True:
        tok = ts.peek()
        if tok is None:
            if closer is None:
                return block
            raise FormatError(f"{ts.source}: line {block.line}: a '{{' is never closed")
        if closer is not None and tok.kind == "punct" and tok.text == closer:
            return block
        head: list[Term] = []
        line = tok.line
        while True:
            tok = ts.peek()
            if tok is None:
                break
            if tok.kind == "punct":
                if tok.text == "(":
                    head.append(_group(ts))
                    continue
                if tok.text in "={;}" or tok.text == closer:
                    break
                ts.next()  # a stray ',' or '|' between words
                continue
            head.append(_atom(ts.next()))
        if tok is None or (tok.kind == "punct" and tok.text == closer and tok.text != "{"):
            block.loose.extend(head)
            continue
        if tok.text == "=":
            ts.next()
            key = " ".join(t.text for t in head if isinstance(t, Atom))
            value = _value(ts, closer)
            if ts.is_punct(";"):
                ts.next()
            block.items.append(Assign(key, value, line))
        elif tok.text == "{":
            ts.next()
            body = _block(ts, "}")
            ts.expect("}")
            if ts.is_punct(";"):
                ts.next()
            block.items.append(Named(head, body, line))
        elif tok.text == ";":
            ts.next()
            block.loose.extend(head)
        else:  # '}' where none is open
            raise FormatError(f"{ts.source}: line {tok.line}: unexpected '}}'")


def _value(ts: TokenStream, closer: str | None) -> list[Term]:
    terms: list[Term] = []
    while True:
        tok = ts.peek()
        if tok is None:
            return terms
        if tok.kind == "punct":
            if tok.text == ";" or tok.text == closer:
                return terms
            if tok.text == "(":
                terms.append(_group(ts))
                continue
            if tok.text == "{":
                ts.next()
                terms.append(_block(ts, "}"))
                ts.expect("}")
                continue
            ts.next()
            if tok.text in "|=:":
                terms.append(Atom(tok.text, False, tok.line))
            continue
        terms.append(_atom(ts.next()))


def parse_items(tokens: list[Token], source: str) -> Block:
    """The whole file as one top-level :class:`Block`."""
    ts = TokenStream(tokens, source)
    block = _block(ts, None)
    return block


def flat_atoms(terms: list[Term] | Term) -> list[Atom]:
    """Every atom in ``terms``, depth first (the numbers of a nested table, in order)."""
    out: list[Atom] = []
    stack: list[Term] = [terms] if not isinstance(terms, list) else list(reversed(terms))
    while stack:
        t = stack.pop()
        if isinstance(t, Atom):
            out.append(t)
        elif isinstance(t, Group):
            stack.extend(reversed(t.terms))
        elif isinstance(t, Block):
            stack.extend(reversed(t.loose))
    return out
