"""Measure a brief against a gold annotation: completeness (recall/precision) and honesty (citations).

Matching. A brief item matches a gold item when their *normalised text similarity* reaches
``threshold`` (default 0.6) and, for demands and claims, the party / speaker side is the right one.
Normalised text = the content words of ``summarizer.ground.content_words`` (lower case, stopwords
dropped, plural 's' stripped), sorted and joined; similarity = mean of rapidfuzz ``token_set_ratio``
and ``token_sort_ratio`` of the two strings, in [0, 1]. Gold items may carry other wordings
(``also``); the best one counts. Parties match by name or alias (rapidfuzz ``ratio`` >= 0.9 on the
normalised names). Matching is one-to-one and greedy, best pairs first, so one brief item can stand for
one gold item only (a claim that merges two sides matches one of them).

Metrics (all shares in [0, 1]; ``None`` when the denominator is 0):

* recall / precision per kind: parties, demands (right party), proposals, claims (right speaker side),
  contested questions (a brief contested point whose positions cover at least two opposing gold
  positions, each position matched by side and by claim or statement), figure discrepancies (a brief
  comparison flagged as differing that shares at least two distinct values with a gold discrepancy);
* citation validity: share of distinct citations whose quoted text equals the file's text at
  ``[start:end]`` and whose line number is right (the files are read again, decoded as the tool does);
* citation support: share of brief items whose cited text supports them lexically
  (``summarizer.ground.support_level`` = share of the item's content words found in the cited text;
  >= 0.5 strong, >= 0.2 weak, else unsupported; "supported" means strong);
* source recall: over matched pairs, share of the gold item's documents that the brief item cites;
* boilerplate leaks: citations whose span overlaps a gold boilerplate span (must be 0).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz
from rich.table import Table

from summarizer.gold import Gold, GoldBoilerplate, GoldClaim, GoldContested, GoldParty, GoldPosition
from summarizer.lexical import content_words, normalise_name, support_level
from summarizer.models import Brief, Citation, ClaimGroup, ContestedPosition, SupportLevel, all_citations
from summarizer.sources import FileTexts, TextStore

# Text similarity at which a brief item matches a gold one (``eval --threshold``): the yardstick every
# recall and precision in EVALUATION.md was measured with, so it stays fixed for them to compare.
DEFAULT_THRESHOLD = 0.6
# Party names are short: a lower ratio lets different names meet ('Iran' and 'Iraq' score 0.75).
PARTY_THRESHOLD = 0.9
UNKNOWN = "unknown"
MATCH_METHOD = (
    "normalised text similarity: content words (summarizer.ground.content_words) sorted and joined, "
    "mean of rapidfuzz token_set_ratio and token_sort_ratio; parties by name/alias (rapidfuzz ratio "
    ">= 0.9); one-to-one greedy matching, best pairs first"
)
SUPPORT_METHOD = (
    "lexical: share of the item's content words found in its cited text (summarizer.ground.support_level;"
    " >= 0.5 strong, >= 0.2 weak, else unsupported); an item counts as supported when strong"
)
KINDS = ("parties", "demands", "proposals", "claims", "contested", "figure_discrepancies")


# ---------------------------------------------------------------------------------------------------
# Text similarity
# ---------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Content words, sorted and joined: the form compared by :func:`similarity`."""
    text = unicodedata.normalize("NFKC", text).replace("’", "'")
    return " ".join(sorted(content_words(text)))


def similarity(a: str, b: str) -> float:
    """Normalised text similarity in [0, 1] (see the module docstring)."""
    left, right = normalise(a), normalise(b)
    if not left or not right:
        return 0.0
    return (fuzz.token_set_ratio(left, right) + fuzz.token_sort_ratio(left, right)) / 200.0


def best_similarity(texts: Iterable[str], others: Iterable[str]) -> float:
    others = list(others)
    return max((similarity(a, b) for a in texts for b in others), default=0.0)


def name_key(name: str) -> str:
    """A party name as compared with the gold's: ``lexical.normalise_name`` (after NFKC, with a curly
    apostrophe as a straight one, as annotators type it), then dots dropped ('U.S.' -> 'us') and any
    other punctuation but an apostrophe made a space."""
    text = normalise_name(unicodedata.normalize("NFKC", name).replace("’", "'")).replace(".", "")
    text = re.sub(r"[^a-z0-9' ]+", " ", text)
    text = re.sub(r"^the\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def names_match(names: Iterable[str], other_names: Iterable[str]) -> float:
    """Best rapidfuzz ratio in [0, 1] between two lists of names (0 when below PARTY_THRESHOLD)."""
    keys = [name_key(n) for n in names if name_key(n)]
    other_keys = [name_key(n) for n in other_names if name_key(n)]
    best = max((fuzz.ratio(a, b) / 100.0 for a in keys for b in other_keys), default=0.0)
    return best if best >= PARTY_THRESHOLD else 0.0


def _party_names(party: GoldParty) -> list[str]:
    return [party.name, *party.aliases]


class SideResolver:
    """Maps a free-text side or party name to the gold party it denotes (alias-aware), and parties to
    the top of their ``member_of`` chain, so that 'Jennifer Granholm' and 'White House' are one side."""

    def __init__(self, parties: list[GoldParty]):
        self.parties = parties
        self.parent = {p.name: p.member_of for p in parties}

    def resolve(self, text: str | None) -> str | None:
        if not text or name_key(text) in ("", UNKNOWN):
            return None
        scored = [(names_match([text], _party_names(p)), p.name) for p in self.parties]
        score, name = max(scored, default=(0.0, ""))
        return name if score > 0 else None

    def camp(self, text: str | None) -> str | None:
        name = self.resolve(text)
        seen: set[str] = set()
        while name is not None and self.parent.get(name) and name not in seen:
            seen.add(name)
            name = self.parent[name]
        return name

    def same(self, brief_side: str | None, gold_side: str) -> bool:
        # People the brief shows as one side ('Jane Roe and Ann Vole') each speak for it.
        if brief_side and " and " in brief_side:
            return any(self.same(part, gold_side) for part in brief_side.split(" and "))
        gold_camp = self.camp(gold_side)
        if gold_camp is None:  # 'unknown' or a side that is no gold party: compare the text
            return name_key(brief_side or UNKNOWN) == name_key(gold_side)
        return self.camp(brief_side) == gold_camp


# ---------------------------------------------------------------------------------------------------
# One-to-one matching
# ---------------------------------------------------------------------------------------------------


@dataclass
class Pair:
    gold: int
    brief: int
    score: float


def greedy_match(
    n_gold: int, n_brief: int, score: Callable[[int, int], float], threshold: float
) -> list[Pair]:
    """One-to-one pairs with score >= threshold, best first (ties: lower indices first)."""
    candidates = []
    for g in range(n_gold):
        for b in range(n_brief):
            value = score(g, b)
            if value >= threshold:
                candidates.append(Pair(g, b, value))
    candidates.sort(key=lambda p: (-p.score, p.gold, p.brief))
    used_gold: set[int] = set()
    used_brief: set[int] = set()
    pairs = []
    for pair in candidates:
        if pair.gold in used_gold or pair.brief in used_brief:
            continue
        used_gold.add(pair.gold)
        used_brief.add(pair.brief)
        pairs.append(pair)
    return sorted(pairs, key=lambda p: p.gold)


def share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


@dataclass
class KindResult:
    """Recall and precision of one kind of item, with what matched and what did not."""

    kind: str
    gold_labels: list[str]
    brief_labels: list[str]
    pairs: list[Pair]
    gold_docs: list[list[str]] = field(default_factory=list)
    brief_docs: list[list[str]] = field(default_factory=list)

    @property
    def recall(self) -> float | None:
        return share(len(self.pairs), len(self.gold_labels))

    @property
    def precision(self) -> float | None:
        return share(len(self.pairs), len(self.brief_labels))

    def source_counts(self) -> tuple[int, int]:
        """(gold documents of matched items that the brief cites, gold documents of matched items)."""
        cited = total = 0
        for pair in self.pairs:
            gold_docs = set(self.gold_docs[pair.gold])
            total += len(gold_docs)
            cited += len(gold_docs & set(self.brief_docs[pair.brief]))
        return cited, total

    def to_json(self) -> dict[str, Any]:
        matched_gold = {p.gold for p in self.pairs}
        matched_brief = {p.brief for p in self.pairs}
        cited, total = self.source_counts()
        return {
            "gold": len(self.gold_labels),
            "brief": len(self.brief_labels),
            "matched": len(self.pairs),
            "recall": self.recall,
            "precision": self.precision,
            "source_recall": share(cited, total),
            "pairs": [
                {
                    "gold": self.gold_labels[p.gold],
                    "brief": self.brief_labels[p.brief],
                    "score": round(p.score, 3),
                }
                for p in self.pairs
            ],
            "missed": [label for i, label in enumerate(self.gold_labels) if i not in matched_gold],
            "unmatched_brief": [label for i, label in enumerate(self.brief_labels) if i not in matched_brief],
        }


def _cited_docs(citations: Iterable[Citation]) -> list[str]:
    return list(dict.fromkeys(c.doc_id for c in citations))


def _claim_citations(claim: ClaimGroup) -> list[Citation]:
    return [c for report in claim.reports for c in report.citations]


def _claim_texts(claim: ClaimGroup) -> list[str]:
    return [claim.statement, *(report.statement for report in claim.reports)]


def _claim_sides(claim: ClaimGroup) -> list[str]:
    return list(dict.fromkeys([*claim.speaker_sides, *(r.speaker_side for r in claim.reports)]))


# ---------------------------------------------------------------------------------------------------
# Item metrics
# ---------------------------------------------------------------------------------------------------


def match_parties(brief: Brief, gold: Gold) -> KindResult:
    def score(g: int, b: int) -> float:
        entry = brief.parties[b]
        return names_match([entry.name, *entry.aliases], _party_names(gold.parties[g]))

    return KindResult(
        "parties",
        [p.name for p in gold.parties],
        [p.name for p in brief.parties],
        greedy_match(len(gold.parties), len(brief.parties), score, PARTY_THRESHOLD),
        [p.docs for p in gold.parties],
        [_cited_docs(p.citations) for p in brief.parties],
    )


def match_demands(brief: Brief, gold: Gold, sides: SideResolver, threshold: float) -> KindResult:
    def score(g: int, b: int) -> float:
        item, entry = gold.demands[g], brief.demands[b]
        if not sides.same(entry.party, item.party):
            return 0.0
        return best_similarity([item.demand, *item.also], [entry.demand])

    return KindResult(
        "demands",
        [f"{d.party}: {d.demand}" for d in gold.demands],
        [f"{d.party}: {d.demand}" for d in brief.demands],
        greedy_match(len(gold.demands), len(brief.demands), score, threshold),
        [d.docs for d in gold.demands],
        [_cited_docs(d.citations) for d in brief.demands],
    )


def match_proposals(brief: Brief, gold: Gold, threshold: float) -> KindResult:
    def score(g: int, b: int) -> float:
        item, entry = gold.proposals[g], brief.proposals[b]
        texts = [entry.summary]
        if entry.terms:
            texts.append(entry.summary + " " + " ".join(entry.terms))
        return best_similarity([item.summary, *item.also], texts)

    return KindResult(
        "proposals",
        [p.summary for p in gold.proposals],
        [p.summary for p in brief.proposals],
        greedy_match(len(gold.proposals), len(brief.proposals), score, threshold),
        [p.docs for p in gold.proposals],
        [_cited_docs(p.citations) for p in brief.proposals],
    )


def _claim_score(item: GoldClaim, claim: ClaimGroup, sides: SideResolver) -> float:
    if not any(sides.same(side, item.speaker_side) for side in _claim_sides(claim)):
        return 0.0
    return best_similarity([item.statement, *item.also], _claim_texts(claim))


def match_claims(brief: Brief, gold: Gold, sides: SideResolver, threshold: float) -> KindResult:
    return KindResult(
        "claims",
        [f"{c.id} ({c.speaker_side}): {c.statement}" for c in gold.claims],
        [f"{c.id} ({', '.join(c.speaker_sides)}): {c.statement}" for c in brief.claims],
        greedy_match(
            len(gold.claims),
            len(brief.claims),
            lambda g, b: _claim_score(gold.claims[g], brief.claims[b], sides),
            threshold,
        ),
        [c.docs for c in gold.claims],
        [_cited_docs(_claim_citations(c)) for c in brief.claims],
    )


def match_contested(
    brief: Brief, gold: Gold, sides: SideResolver, claims: KindResult, threshold: float
) -> KindResult:
    gold_claims = {c.id: c for c in gold.claims}
    brief_to_gold = {brief.claims[p.brief].id: gold.claims[p.gold].id for p in claims.pairs}

    def covered(gold_position: GoldPosition, brief_position: ContestedPosition) -> bool:
        """A brief position covers a gold one when it carries one of its claims, on the claim's side."""
        if any(brief_to_gold.get(cid) in gold_position.claims for cid in brief_position.claim_ids):
            return True
        for cid in gold_position.claims:
            claim = gold_claims[cid]
            if not sides.same(brief_position.side, claim.speaker_side):
                continue
            if best_similarity([claim.statement, *claim.also], [brief_position.statement]) >= threshold:
                return True
        return False

    def score(g: int, b: int) -> float:
        gold_positions = gold.contested[g].positions
        brief_positions = brief.contested[b].positions
        # Distinct gold positions covered by distinct brief positions (small: brute force greedy).
        used: set[int] = set()
        count = 0
        for gold_position in gold_positions:
            for i, brief_position in enumerate(brief_positions):
                if i not in used and covered(gold_position, brief_position):
                    used.add(i)
                    count += 1
                    break
        if count < 2:
            return 0.0
        question = similarity(gold.contested[g].question, brief.contested[b].question)
        return count + question  # >= 2; the question text only breaks ties

    def gold_docs(point: GoldContested) -> list[str]:
        return list(
            dict.fromkeys(d for p in point.positions for cid in p.claims for d in gold_claims[cid].docs)
        )

    return KindResult(
        "contested",
        [c.question for c in gold.contested],
        [c.question for c in brief.contested],
        greedy_match(len(gold.contested), len(brief.contested), score, 2.0),
        [gold_docs(c) for c in gold.contested],
        [_cited_docs(c for p in point.positions for c in p.citations) for point in brief.contested],
    )


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 0.005 * max(abs(a), abs(b), 1.0)


def match_figure_discrepancies(brief: Brief, gold: Gold) -> KindResult:
    gold_items = [f for f in gold.figures if f.discrepancy]
    brief_items = [f for f in brief.figures if f.discrepancy]

    def score(g: int, b: int) -> float:
        gold_values = sorted({v.value for v in gold_items[g].values})
        brief_values = sorted({v.value for v in brief_items[b].values})
        shared = sum(1 for gv in gold_values if any(_close(gv, bv) for bv in brief_values))
        if shared < 2:
            return 0.0
        return shared + similarity(gold_items[g].quantity, brief_items[b].quantity)

    return KindResult(
        "figure_discrepancies",
        [f"{f.quantity}: {', '.join(v.text for v in f.values)}" for f in gold_items],
        [f"{f.quantity}: {', '.join(v.text for v in f.values)}" for f in brief_items],
        greedy_match(len(gold_items), len(brief_items), score, 2.0),
        [f.docs for f in gold_items],
        [_cited_docs(v.citation for v in f.values) for f in brief_items],
    )


# ---------------------------------------------------------------------------------------------------
# Citation metrics
# ---------------------------------------------------------------------------------------------------


def _distinct(citations: Iterable[Citation]) -> list[Citation]:
    return list(dict.fromkeys(citations))


def citation_validity(brief: Brief, files: FileTexts) -> dict[str, Any]:
    citations = _distinct(all_citations(brief))
    sources = {s.doc_id: s for s in brief.sources}
    invalid = []
    for citation in citations:
        source = sources.get(citation.doc_id)
        if source is not None and source.kind not in (None, "text"):
            text = files.source_text(source)
        else:
            text = files.text_for(citation.path, citation.doc_id)
        reason = None
        if text is None:
            reason = f"file not found: {citation.path}"
        elif not (0 <= citation.start <= citation.end <= len(text)):
            reason = f"span {citation.start}:{citation.end} outside the file"
        elif text[citation.start : citation.end] != citation.text:
            reason = f"text differs from the file at {citation.start}:{citation.end}"
        elif (actual_line := text.count("\n", 0, citation.start) + 1) != citation.line:
            reason = f"line {citation.line} is wrong (the span starts on line {actual_line})"
        if reason:
            invalid.append({"marker": citation.marker, "doc_id": citation.doc_id, "reason": reason})
    valid = len(citations) - len(invalid)
    return {
        "citations": len(citations),
        "valid": valid,
        "share": share(valid, len(citations)),
        "invalid": invalid,
    }


def _support_items(brief: Brief) -> list[tuple[str, str, list[str], list[Citation]]]:
    """(kind, label, statements (any may be supported), citations) for every citable brief item."""
    items: list[tuple[str, str, list[str], list[Citation]]] = []
    for party in brief.parties:
        items.append(("party", party.name, [party.name, *party.aliases], party.citations))
    for demand in brief.demands:
        items.append(("demand", demand.demand, [demand.demand], demand.citations))
    for proposal in brief.proposals:
        items.append(("proposal", proposal.summary, [proposal.summary], proposal.citations))
    for claim in brief.claims:
        for report in claim.reports:
            items.append(("claim", f"{claim.id} {report.doc_id}", [report.statement], report.citations))
    for figure in brief.figures:
        for value in figure.values:
            label = f"{figure.quantity} {value.doc_id}"
            items.append(("figure", label, [value.text], [value.citation]))
    return items


def citation_support(brief: Brief) -> dict[str, Any]:
    counts = {level.value: 0 for level in SupportLevel}
    weak_items = []
    for kind, label, statements, citations in _support_items(brief):
        cited = " ".join(c.text for c in citations)
        if not citations:
            level = SupportLevel.unsupported
        else:
            levels = [support_level(s, cited) for s in statements]
            order = [SupportLevel.strong, SupportLevel.weak, SupportLevel.unsupported]
            level = min(levels, key=order.index)
        counts[level.value] += 1
        if level != SupportLevel.strong:
            weak_items.append({"kind": kind, "item": label, "support": level.value})
    total = sum(counts.values())
    return {
        "method": SUPPORT_METHOD,
        "items": total,
        **counts,
        "share": share(counts["strong"], total),
        "not_supported": weak_items,
    }


def _boilerplate_span(line: GoldBoilerplate, text: str | None) -> tuple[int, int] | None:
    if text is None:
        return None
    lines = text.split("\n")
    if line.line > len(lines):
        return None
    line_start = sum(len(x) + 1 for x in lines[: line.line - 1])
    found = lines[line.line - 1].find(line.text.strip())
    if found < 0:
        return None
    return line_start + found, line_start + found + len(line.text.strip())


def boilerplate_leaks(brief: Brief, gold: Gold, gold_files: FileTexts) -> dict[str, Any]:
    paths = {d.doc_id: d.path for d in gold.documents}
    spans: list[tuple[GoldBoilerplate, tuple[int, int] | None]] = []
    unresolved = []
    for line in gold.boilerplate:
        span = _boilerplate_span(line, gold_files.text_for(paths[line.doc], line.doc))
        if span is None:
            unresolved.append(f"{line.doc}:L{line.line}")
        spans.append((line, span))
    leaks = []
    for citation in _distinct(all_citations(brief)):
        for line, span in spans:
            if line.doc != citation.doc_id:
                continue
            if span is not None:
                hit = citation.start < span[1] and span[0] < citation.end
            else:  # gold file not readable: fall back to the line number
                hit = citation.line <= line.line <= citation.line + citation.text.count("\n")
            if hit:
                leaks.append(
                    {
                        "marker": citation.marker,
                        "doc_id": citation.doc_id,
                        "line": line.line,
                        "kind": line.kind,
                    }
                )
                break
    return {
        "count": len(leaks),
        "leaks": leaks,
        "gold_lines": len(gold.boilerplate),
        "unresolved": unresolved,
    }


# ---------------------------------------------------------------------------------------------------
# Everything
# ---------------------------------------------------------------------------------------------------


def evaluate(
    brief: Brief,
    gold: Gold,
    *,
    brief_dir: Path | None = None,
    gold_dir: Path | None = None,
    root: Path | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    texts: TextStore | None = None,
) -> dict[str, Any]:
    """All metrics as a JSON-ready dict (see the module docstring). ``texts``: where the texts of web
    pages are kept (the cache)."""
    sides = SideResolver(gold.parties)
    claims = match_claims(brief, gold, sides, threshold)
    kinds = [
        match_parties(brief, gold),
        match_demands(brief, gold, sides, threshold),
        match_proposals(brief, gold, threshold),
        claims,
        match_contested(brief, gold, sides, claims, threshold),
        match_figure_discrepancies(brief, gold),
    ]
    cited = sum(k.source_counts()[0] for k in kinds)
    total = sum(k.source_counts()[1] for k in kinds)
    return {
        "title": brief.title,
        "backend": brief.backend,
        "model": brief.model,
        "gold": gold.title,
        "match_method": MATCH_METHOD,
        "threshold": threshold,
        "items": {k.kind: k.to_json() for k in kinds},
        "citation_validity": citation_validity(
            brief, FileTexts(brief_dir, root, brief.source_root, texts=texts)
        ),
        "citation_support": citation_support(brief),
        "source_recall": {
            "cited": cited,
            "gold_docs": total,
            "share": share(cited, total),
            "by_kind": {k.kind: k.to_json()["source_recall"] for k in kinds},
        },
        "boilerplate_leaks": boilerplate_leaks(brief, gold, FileTexts(gold_dir)),
    }


def summary_rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(metric, value, second value, detail) rows for a table; shared by the CLI and the report."""

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{100 * value:.0f}%"

    rows = []
    for kind in KINDS:
        item = result["items"][kind]
        rows.append(
            (
                kind.replace("_", " "),
                pct(item["recall"]),
                pct(item["precision"]),
                f"{item['matched']} matched of {item['gold']} gold / {item['brief']} in brief",
            )
        )
    validity = result["citation_validity"]
    rows.append(
        ("citation validity", pct(validity["share"]), "", f"{validity['valid']} of {validity['citations']}")
    )
    support = result["citation_support"]
    rows.append(
        (
            "citation support",
            pct(support["share"]),
            "",
            f"{support['strong']} strong, {support['weak']} weak, "
            f"{support['unsupported']} unsupported (lexical)",
        )
    )
    sources = result["source_recall"]
    rows.append(
        (
            "source recall",
            pct(sources["share"]),
            "",
            f"{sources['cited']} of {sources['gold_docs']} gold documents",
        )
    )
    leaks = result["boilerplate_leaks"]
    rows.append(
        ("boilerplate leaks", str(leaks["count"]), "", f"{leaks['gold_lines']} gold boilerplate spans")
    )
    return rows


def render_table(result: dict[str, Any]) -> Table:
    """The metrics as a rich table (what ``summarizer eval`` prints)."""
    table = Table(title=f"{result['title']} — backend {result['backend']}, model {result['model']}")
    for name in ("metric", "recall / share", "precision", "detail"):
        table.add_column(name)
    for row in summary_rows(result):
        table.add_row(*row)
    return table
