"""The user's query language → a Whoosh query, read best-effort and never raising.

Users type Swedish as they speak it, and researchers type operators. Both must work:

    flyktingmottagning                    words (all must match; inflections and compounds found)
    "gemensam nämnd"                      exact phrase (a quoted single word = that exact form)
    e-tjänster OR digitalisering          OR / ELLER, AND / OCH, NOT / INTE, -ord
    digital*                              prefix
    kommun:Umeå år:2015 ämne:digitalisering beslut:ja organisation:"Skåne Nordväst"
    datum:2015-01-01..2016-12-31          date range (also år:2010..2015)

A malformed query (unbalanced quotes or parentheses, a lone operator, an unknown field) is read
the most sensible way and ``CompiledQuery.message`` says, in Swedish, how it was read. Field
filters are returned separately, not inside the Whoosh tree, because their values must be matched
against the index's own facet values (case and accents), which only the search service can see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from whoosh import query as wq

from indexer import analysis
from indexer.facetspec import BY_PARAM, FACET_SPECS
from indexer.queryterms import closed_compound_query, phrase_query, word_query

MAX_CLAUSES = 64  # words/phrases kept from one query; the rest are dropped with a message

# Query field name (as typed, folded) → facet parameter, from the facet table.
FIELD_ALIASES: dict[str, str] = {name: s.param for s in FACET_SPECS for name in s.query_names}
DATE_FIELDS = {"datum"}
OPERATORS = {"AND": "AND", "OCH": "AND", "&&": "AND", "OR": "OR", "ELLER": "OR", "||": "OR",
             "NOT": "NOT", "INTE": "NOT"}

_TOKEN = re.compile(
    r"""
    (?P<lparen>\() | (?P<rparen>\)) |
    (?P<field>-?[^\W\d_]{2,20}):(?P<fvalue>"[^"]*"?|[^\s()"]*) |
    (?P<phrase>"[^"]*"?) |
    (?P<word>[^\s()"]+)
    """,
    re.VERBOSE | re.UNICODE,
)


@dataclass(frozen=True)
class CompiledQuery:
    query: wq.Query | None  # None → match every item (only filters, or nothing typed)
    field_filters: tuple[tuple[str, str], ...] = ()
    excluded_filters: tuple[tuple[str, str], ...] = ()  # from -kommun:Umeå
    date_from: str | None = None
    date_to: str | None = None
    terms: frozenset[str] = frozenset()  # index-space terms to highlight
    message: str | None = None
    relaxed: wq.Query | None = None  # the same words OR-ed: a fallback when AND finds nothing
    words: tuple[str, ...] = ()  # positive words as typed (for spelling suggestions)
    matches_nothing: bool = False  # text was typed but nothing searchable was left in it
    related: tuple[str, ...] = ()  # concept members also searched ("Visar även träffar för")


@dataclass
class _State:
    notes: list[str] = field(default_factory=list)
    filters: list[tuple[str, str]] = field(default_factory=list)
    excluded: list[tuple[str, str]] = field(default_factory=list)
    date_from: str | None = None
    date_to: str | None = None
    terms: set[str] = field(default_factory=set)
    words: list[str] = field(default_factory=list)
    leaves: list[wq.Query] = field(default_factory=list)  # positive leaves, for `relaxed`
    clauses: int = 0
    concepts: bool = True  # apply the concept groups of indexer.related
    related: list[str] = field(default_factory=list)

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)


def compile_query(text: str, *, concepts: bool = True) -> CompiledQuery:
    """Read ``text`` best-effort; never raises (a safety net turns surprises into a message).

    ``concepts=False`` searches the words without their concept groups (``indexer.related``).
    """
    try:
        return _compile(text, concepts)
    except Exception:  # noqa: BLE001 - a query must never produce a server error
        words = [w for w in re.findall(r"\w[\w-]*", text or "")][:MAX_CLAUSES]
        state = _State(concepts=False)
        leaves = [q for q in (word_query(w, state) for w in words) if q is not None]
        state.note("Frågan kunde inte tolkas helt; den lästes som vanliga sökord.")
        return CompiledQuery(
            query=wq.Or(leaves) if leaves else None,
            terms=frozenset(state.terms),
            message=" ".join(state.notes),
            words=tuple(words),
        )


def _compile(text: str, concepts: bool) -> CompiledQuery:
    state = _State(concepts=concepts)
    tokens = _lex(text or "", state)
    parser = _Parser(tokens, state)
    tree = parser.parse()
    if text.strip() in {"*", "*:*"}:
        state.note("”*” visar alla punkter.")
    nothing = _nothing_searchable(text, tree, state)
    relaxed = wq.Or(list(state.leaves)) if len(state.leaves) > 1 else None
    return CompiledQuery(
        query=tree,
        field_filters=tuple(dict.fromkeys(state.filters)),
        excluded_filters=tuple(dict.fromkeys(state.excluded)),
        date_from=state.date_from,
        date_to=state.date_to,
        terms=frozenset(state.terms),
        message=" ".join(state.notes) or None,
        relaxed=relaxed,
        words=tuple(state.words),
        matches_nothing=nothing,
        related=_untyped(state.related, state.words),
    )


def _untyped(members: list[str], words: list[str]) -> tuple[str, ...]:
    """Concept members the user did not type already ("bredband OR fiber" adds neither)."""
    typed = {analysis.stem_sv(w) for w in words}
    return tuple(m for m in members if m not in words and analysis.stem_sv(m) not in typed)


def _nothing_searchable(text: str, tree: wq.Query | None, state: _State) -> bool:
    """True when words were typed but none survived (stop words, a too short prefix …).

    Showing every item for "och att" would look like a match; an empty result with an
    explanation is the honest answer.
    """
    stripped = text.strip()
    if tree is not None or not stripped or stripped in {"*", "*:*"}:
        return False
    if state.filters or state.excluded or state.date_from or state.date_to:
        return False
    if not state.notes:
        state.note("Frågan innehöll inga sökbara ord (bara vanliga småord som ”och”, ”att”).")
    return True


# ---------------------------------------------------------------- lexing


@dataclass(frozen=True)
class _Tok:
    kind: str  # lparen rparen op word phrase field
    value: str
    extra: str = ""
    negated: bool = False


def _lex(text: str, state: _State) -> list[_Tok]:
    out: list[_Tok] = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind in ("lparen", "rparen"):
            out.append(_Tok(kind, m.group()))
        elif m.group("field") is not None:
            out.extend(_field_token(m.group("field"), m.group("fvalue"), state))
        elif kind == "phrase":
            out.append(_phrase_token(m.group("phrase"), state))
        else:
            out.extend(_word_token(m.group("word")))
    return out


def _word_token(raw: str) -> list[_Tok]:
    if raw in OPERATORS:
        return [_Tok("op", OPERATORS[raw])]
    if raw.startswith("-") and len(raw) > 1:
        inner = _word_token(raw[1:])
        if len(inner) == 1 and inner[0].kind in ("word", "phrase"):
            return [_Tok("op", "NOT"), inner[0]]
        return inner
    if raw in {"+", "-", "|", "&"}:
        return []
    return [_Tok("word", raw.lstrip("+"))]


def _phrase_token(raw: str, state: _State) -> _Tok:
    if len(raw) < 2 or not raw.endswith('"'):
        state.note("Ett citattecken saknade sin partner; frasen lästes till slutet av frågan.")
        return _Tok("phrase", raw.strip('"'))
    return _Tok("phrase", raw[1:-1])


def _field_token(name: str, value: str, state: _State) -> list[_Tok]:
    negated = False
    if name.startswith("-"):
        negated, name = True, name[1:]
    key = analysis.fold(name)
    value = value.strip('"').strip()
    facet = FIELD_ALIASES.get(key)
    if key in DATE_FIELDS or (facet and BY_PARAM[facet].values == "year" and ".." in value):
        _date_range(key, value, state)
        return []
    if facet is None:
        state.note(f"Okänt fält ”{name}:” – orden söktes som vanlig text.")
        return [_Tok("word", w) for w in (name, value) if w]
    if not value:
        state.note(f"Fältet ”{name}:” saknade värde och ignorerades.")
        return []
    if BY_PARAM[facet].values == "yesno":
        value = "ja" if analysis.fold(value) in {"ja", "yes", "1", "true", "sant"} else "nej"
    (state.excluded if negated else state.filters).append((facet, value))
    return []


_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


def _date_range(key: str, value: str, state: _State) -> None:
    low, sep, high = (part.strip() for part in value.partition(".."))
    if not sep:
        high = low
    if low and high and _date_bound(low, end=False) and _date_bound(high, end=False) and (
        _date_bound(low, end=False) > _date_bound(high, end=False)  # type: ignore[operator]
    ):
        low, high = high, low
    start = _date_bound(low, end=False)
    stop = _date_bound(high, end=True)
    if (low and start is None) or (high and stop is None):
        state.note(f"Datumintervallet ”{value}” förstods inte; skriv t.ex. datum:2015-01-01..2016-12-31.")
        return
    state.date_from, state.date_to = start or state.date_from, stop or state.date_to


def _date_bound(text: str, *, end: bool) -> str | None:
    if not text:
        return None
    m = _DATE.match(text)
    if not m:
        return None
    year, month, day = m.group(1), m.group(2), m.group(3)
    if not 1 <= int(month or 1) <= 12 or not 1 <= int(day or 1) <= 31:
        return None
    if day:
        return f"{year}-{month}-{day}"
    if month:
        return f"{year}-{month}-{'31' if end else '01'}"
    return f"{year}-{'12-31' if end else '01-01'}"


# ---------------------------------------------------------------- parsing


class _Parser:
    """Recursive descent: or := and (OR and)* ; and := unary (AND? unary)* ; unary := NOT unary | atom."""

    def __init__(self, tokens: list[_Tok], state: _State) -> None:
        self.tokens = tokens
        self.pos = 0
        self.state = state
        self.depth = 0

    def peek(self) -> _Tok | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Tok:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> wq.Query | None:
        result = self.or_expr()
        while self.peek() is not None:  # a stray ")" stopped us early: skip it and go on
            if self.take().kind == "rparen":
                self.state.note("En avslutande parentes saknade sin början och ignorerades.")
            more = self.or_expr()
            result = _combine(wq.And, [result, more])
        return result

    def or_expr(self) -> wq.Query | None:
        parts = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "op" and tok.value == "OR":
            self.take()
            if self.peek() is None or self.peek().kind == "rparen":  # type: ignore[union-attr]
                self.state.note("”OR/ELLER” i slutet saknade ett ord och ignorerades.")
                break
            parts.append(self.and_expr())
        return _combine(wq.Or, parts)

    def and_expr(self) -> wq.Query | None:
        parts: list[wq.Query | None] = []
        typed: list[str | None] = []  # the plain word each part came from, for closed compounds
        while (tok := self.peek()) is not None and tok.kind != "rparen":
            if tok.kind == "op" and tok.value == "OR":
                if not parts:
                    self.take()
                    self.state.note("”OR/ELLER” i början saknade ett ord och ignorerades.")
                    continue
                break
            if tok.kind == "op" and tok.value == "AND":
                self.take()
                if not parts or self.peek() is None:
                    self.state.note("”AND/OCH” saknade ett ord på ena sidan och ignorerades.")
                continue
            parts.append(self.unary())
            typed.append(tok.value if tok.kind == "word" else None)
        return _combine(wq.And, self._closed_compounds(parts, typed))

    def _closed_compounds(self, parts: list[wq.Query | None], typed: list[str | None]) -> list[wq.Query | None]:
        """Two adjacent plain words also match their closed compound, ranked below both words:
        "intern kontroll" → (intern AND kontroll) OR internkontroll."""
        out: list[wq.Query | None] = []
        i = 0
        while i < len(parts):
            first, second = parts[i], parts[i + 1] if i + 1 < len(parts) else None
            if first is not None and second is not None and typed[i] and typed[i + 1]:
                closed = closed_compound_query(typed[i] or "", typed[i + 1] or "", self.state)
                if closed is not None:
                    # (a OR c) AND (b OR c) = (a AND b) OR c, scored as the plain sum of the
                    # terms present, as indexer.scoring computes it (c counts twice).
                    out.append(wq.And([wq.Or([first, closed]), wq.Or([second, closed])]))
                    i += 2
                    continue
            out.append(first)
            i += 1
        return out

    def unary(self) -> wq.Query | None:
        tok = self.take()
        if tok.kind == "op" and tok.value == "NOT":
            nxt = self.peek()
            if nxt is None or nxt.kind in ("rparen", "op"):
                self.state.note("”NOT/INTE” saknade ett ord efter sig och ignorerades.")
                return None
            inner = self.unary_negated()
            return wq.Not(inner) if inner is not None else None
        return self.atom(tok)

    def unary_negated(self) -> wq.Query | None:
        """The operand of NOT: its words are not highlighted nor used for suggestions."""
        saved = (set(self.state.terms), list(self.state.words), list(self.state.leaves))
        result = self.atom(self.take())
        self.state.terms, self.state.words, self.state.leaves = saved[0], saved[1], saved[2]
        return result

    def atom(self, tok: _Tok) -> wq.Query | None:
        if tok.kind == "lparen":
            self.depth += 1
            if self.depth > 20:
                self.state.note("För djupt nästlade parenteser; de inre ignorerades.")
            inner = self.or_expr()
            self.depth -= 1
            if self.peek() is not None and self.peek().kind == "rparen":  # type: ignore[union-attr]
                self.take()
            else:
                self.state.note("En parentes stängdes aldrig; den stängdes i slutet av frågan.")
            return inner
        if tok.kind == "op":  # AND/OR where an operand was expected
            self.state.note(f"Operatorn ”{tok.value}” stod på fel plats och ignorerades.")
            return None
        if not self._room():
            return None
        if tok.kind == "phrase":
            return phrase_query(tok.value, self.state)
        if tok.kind == "word":
            return word_query(tok.value, self.state)
        return None

    def _room(self) -> bool:
        self.state.clauses += 1
        if self.state.clauses > MAX_CLAUSES:
            self.state.note(f"Frågan hade fler än {MAX_CLAUSES} ord; resten ignorerades.")
            return False
        return True


def _combine(kind: type[wq.CompoundQuery], parts: Iterable[wq.Query | None]) -> wq.Query | None:
    kept = [p for p in parts if p is not None]
    if not kept:
        return None
    if len(kept) == 1 and not isinstance(kept[0], wq.Not):
        return kept[0]
    positives = [p for p in kept if not isinstance(p, wq.Not)]
    if kind is wq.And and not positives:  # "INTE x" alone means: everything except x
        return wq.And([wq.Every(), *kept])
    return kind(kept)
