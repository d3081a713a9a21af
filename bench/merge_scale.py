"""How ``merge_documents`` scales: merge only, on synthetic grounded documents (no model, no files).

Each synthetic document has 20 claims, 3 parties, 2 demands, 1 proposal and 2 figures, all citing
sentences of an in-memory ``Document`` built from the same text. Claims come from one event's
vocabulary: about half are paraphrases of a shared pool of "hot" claims (near-duplicates across
documents, the clustering work), the rest random combinations (mostly distinct, but sharing words,
so the inverted-index postings get long as they do in a real corpus).

Every size runs in its own child process, so peak RSS (ru_maxrss) is that size's alone; the child
reports RSS before and after merging, and optionally the tracemalloc peak of one merge.
Target: 2,000 documents under 10 s and 1 GiB, growth close to 2x per doubling.

    python bench/merge_scale.py                         # 500 / 1,000 / 2,000 documents, 3 repeats
    python bench/merge_scale.py --sizes 250 500 --repeats 5 --tracemalloc
    python bench/merge_scale.py --sizes 1000 --profile  # cProfile of one merge, top functions

Timings are reported, never asserted.
"""

from __future__ import annotations

import argparse
import cProfile
import functools
import hashlib
import io
import json
import math
import pstats
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import summarizer.merge.brief as merge_module  # merge_documents looks its phases up here
from summarizer.analysis import PartyIndex, build_party_index
from summarizer.documents import Document, Sentence
from summarizer.ground import GroundedDocument, GroundedFigure, is_negated
from summarizer.merge import merge_documents
from summarizer.models import (
    Citation,
    ClaimReport,
    DemandEntry,
    FigureValue,
    PartyEntry,
    PartyRole,
    ProposalEntry,
    RunStats,
    SupportLevel,
)

CLAIMS_PER_DOC = 20

# ---------------------------------------------------------------------------------------------------
# Vocabulary of one event
# ---------------------------------------------------------------------------------------------------

KNOWN_PARTIES = [
    ("Israel", PartyRole.belligerent),
    ("Hamas", PartyRole.belligerent),
    ("Egypt", PartyRole.mediator),
    ("Qatar", PartyRole.mediator),
    ("United States", PartyRole.mediator),
    ("Iran", PartyRole.government),
    ("Jordan", PartyRole.government),
    ("Hezbollah", PartyRole.armed_group),
    ("United Nations", PartyRole.organization),
    ("Palestinian Authority", PartyRole.government),
]
DEMONYMS = {
    "Israel": "Israeli",
    "Egypt": "Egyptian",
    "Qatar": "Qatari",
    "United States": "US",
    "Iran": "Iranian",
}
NOVEL_FIRST = ["Northern", "Southern", "Eastern", "Free", "Popular", "National", "Islamic", "Civil", "United"]
NOVEL_SECOND = ["Resistance", "Liberation", "Defence", "Salvation", "Reform", "Unity", "Relief", "Action"]
NOVEL_THIRD = ["Brigades", "Front", "Committee", "Council", "Movement", "Alliance", "League", "Coalition"]
SPEAKERS = [
    "a senior {d} official",
    "a {d} spokesperson",
    "the {d} foreign minister",
    "two {d} security sources",
    "a diplomat briefed on the talks",
    "an official familiar with the negotiations",
]
SUBJECTS = [
    "the ceasefire talks",
    "the hostage deal",
    "aid deliveries",
    "the Rafah offensive",
    "the prisoner exchange",
    "the truce proposal",
    "the troop withdrawal",
    "the humanitarian corridor",
    "reconstruction funding",
    "the Kerem Shalom crossing",
    "the return of displaced families",
    "fuel shipments",
    "the medical evacuation plan",
    "the naval aid route",
    "the security guarantees",
    "the phased release schedule",
    "the buffer zone",
    "the monitoring mission",
    "the water supply repairs",
    "the airdrop programme",
]
PREDICATES = [
    "made progress in",
    "stalled over",
    "would resume in",
    "collapsed after",
    "were expanded to",
    "depended on",
    "was delayed by",
    "faced opposition from",
    "required guarantees from",
    "was approved by",
    "was blocked at",
    "moved forward with",
    "was linked to",
    "was suspended because of",
    "was discussed with",
]
OBJECTS = [
    "Cairo",
    "Doha",
    "the north of Gaza",
    "US mediators",
    "Egyptian intelligence",
    "the security cabinet",
    "international monitors",
    "UN agencies",
    "the next negotiating round",
    "the Israeli war cabinet",
    "the Hamas political bureau",
    "the Qatari prime minister",
    "the Rafah border",
    "the Philadelphi corridor",
    "the World Food Programme",
    "the Red Crescent",
    "the Jordanian government",
    "the European envoys",
]
MODIFIERS = [
    "",
    "on Sunday",
    "this week",
    "within two days",
    "after overnight talks",
    "despite objections",
    "for the first time",
    "late on Saturday",
    "according to negotiators",
    "in recent days",
]
DEMANDS = [
    "a complete cessation of hostilities",
    "a withdrawal of troops from Gaza",
    "the return of displaced Palestinians to the north",
    "the release of all hostages",
    "guarantees from the mediators",
    "an end to the blockade",
    "the reconstruction of destroyed homes",
    "a prisoner exchange deal",
    "international monitoring of the truce",
    "the reopening of the Rafah crossing",
]
PROPOSALS = [
    "a six-week truce with a phased exchange of hostages and prisoners",
    "a three-stage ceasefire plan brokered by Egypt and Qatar",
    "a humanitarian pause to allow aid into northern Gaza",
    "a permanent ceasefire tied to reconstruction",
    "a maritime corridor for aid shipments from Cyprus",
]
QUANTITIES = [
    ("people killed in Gaza", 33000, 34500),
    ("hostages held", 120, 140),
    ("aid trucks", 150, 400),
    ("prisoners released", 700, 900),
    ("people displaced", 1_000_000, 1_900_000),
]


def _paraphrase(base: str, rng: random.Random) -> str:
    """A near-duplicate of a hot claim: a modifier changed, a word dropped, or a reporting frame."""
    words = base.split()
    roll = rng.random()
    if roll < 0.3:
        return f"{base} {rng.choice(MODIFIERS)}".strip()
    if roll < 0.5 and len(words) > 5:
        del words[rng.randrange(1, len(words) - 1)]
        return " ".join(words)
    if roll < 0.7:
        return f"Officials said {base[0].lower()}{base[1:]}"
    return base


# Share of claims that are one-off statements (random word bags drawn Zipf-like from the event's
# vocabulary): distinct claims that keep growing with the corpus, but share its common words.
DISTINCT_SHARE = 0.3
_SYLLABLES = [
    "al",
    "bar",
    "dar",
    "el",
    "far",
    "ha",
    "jab",
    "kar",
    "lin",
    "mar",
    "nab",
    "qas",
    "ra",
    "sul",
    "tal",
]


def _bag_vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    words = list(dict.fromkeys(" ".join(SUBJECTS + PREDICATES + OBJECTS + DEMANDS).lower().split()))
    words += ["".join(rng.sample(_SYLLABLES, 3)) for _ in range(600)]
    words = list(dict.fromkeys(words))
    rng.shuffle(words)
    return words, [1 / (rank + 1) ** 0.8 for rank in range(len(words))]


def _claim_text(rng: random.Random, hot: list[str], bag: tuple[list[str], list[float]]) -> str:
    roll = rng.random()
    if roll < DISTINCT_SHARE:
        text = " ".join(rng.choices(bag[0], weights=bag[1], k=rng.randint(6, 9))).capitalize()
    elif roll < DISTINCT_SHARE + (1 - DISTINCT_SHARE) / 2:
        text = _paraphrase(rng.choice(hot), rng)
    else:
        text = (
            f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)} {rng.choice(OBJECTS)} {rng.choice(MODIFIERS)}"
        )
        text = text.strip()
        text = text[0].upper() + text[1:]
    if rng.random() < 0.15:  # denials: the contested-points work
        text = f"It is not true that {text[0].lower()}{text[1:]}"
    return text


# ---------------------------------------------------------------------------------------------------
# Synthetic corpus
# ---------------------------------------------------------------------------------------------------


class DocBuilder:
    """Appends sentences to one document's text and hands back exact citations to them."""

    def __init__(self, number: int):
        self.doc_id = f"{number:05d}_synthetic.txt"
        self.label = f"{number:05d}"
        self.lines: list[str] = ["date 2024-04-08", ""]
        self.sentences: list[Sentence] = []
        self.offset = len("date 2024-04-08\n\n")

    def cite(self, text: str) -> Citation:
        sentence_id = len(self.sentences) + 1
        line = len(self.lines) + 1
        sentence = Sentence(
            id=sentence_id, start=self.offset, end=self.offset + len(text), line=line, text=text
        )
        self.sentences.append(sentence)
        self.lines.append(text)
        self.offset += len(text) + 1
        return Citation(
            marker=f"{self.label}:L{line}",
            doc_id=self.doc_id,
            path=f"synthetic/{self.doc_id}",
            line=line,
            start=sentence.start,
            end=sentence.end,
            sentence=sentence_id,
            text=text,
        )

    def document(self) -> Document:
        text = "\n".join(self.lines)
        assert all(text[s.start : s.end] == s.text for s in self.sentences[:3])
        return Document(
            doc_id=self.doc_id,
            label=self.label,
            path=f"synthetic/{self.doc_id}",
            text=text,
            sha256=hashlib.sha256(text.encode()).hexdigest(),
            date="2024-04-08",
            sentences=self.sentences,
        )


def synthetic_corpus(count: int, seed: int = 1) -> tuple[list[GroundedDocument], list[Document]]:
    rng = random.Random(seed)
    # Hot claims: what many outlets repeat. Novel actors: names the index does not know in advance
    # (militias, committees), a pool that grows with the corpus as it would.
    hot = [
        f"{rng.choice(SUBJECTS)} {rng.choice(PREDICATES)} {rng.choice(OBJECTS)}".capitalize()
        for _ in range(300)
    ]
    novel = list(
        dict.fromkeys(
            f"{rng.choice(NOVEL_FIRST)} {rng.choice(NOVEL_SECOND)} {rng.choice(NOVEL_THIRD)}"
            for _ in range(max(40, count // 5))
        )
    )
    bag = _bag_vocabulary(rng)
    grounded, documents = [], []
    for number in range(count):
        builder = DocBuilder(number)
        doc = GroundedDocument(doc_id=builder.doc_id)
        sources = [builder.doc_id]
        chosen = rng.sample(KNOWN_PARTIES, 2)
        for name, role in chosen:
            citation = builder.cite(f"{name} sent a delegation to Cairo for the talks.")
            doc.parties.append(PartyEntry(name=name, role=role, citations=[citation], sources=sources))
        actor = rng.choice(novel)
        citation = builder.cite(f"The {actor} said it would join the talks.")
        doc.parties.append(
            PartyEntry(name=actor, role=PartyRole.armed_group, citations=[citation], sources=sources)
        )
        for _ in range(2):
            party = rng.choice(chosen)[0]
            demand = rng.choice(DEMANDS)
            citation = builder.cite(f"{party} demanded {demand}.")
            doc.demands.append(DemandEntry(party=party, demand=demand, citations=[citation], sources=sources))
        summary = rng.choice(PROPOSALS)
        citation = builder.cite(f"Mediators presented {summary}.")
        doc.proposals.append(
            ProposalEntry(summary=summary, proposed_by="Egypt", citations=[citation], sources=sources)
        )
        for _ in range(CLAIMS_PER_DOC):
            party = rng.choice(KNOWN_PARTIES)[0]
            speaker = rng.choice(SPEAKERS).format(d=DEMONYMS.get(party, party))
            statement = _claim_text(rng, hot, bag)
            citation = builder.cite(f"{statement}, {speaker} said.")
            side = party if rng.random() < 0.6 else "unknown"
            doc.claims.append(
                ClaimReport(
                    doc_id=builder.doc_id,
                    speaker=speaker,
                    speaker_side=side,
                    statement=statement,
                    negated=is_negated(statement),
                    citations=[citation],
                    sources=sources,
                    support=SupportLevel.strong if rng.random() < 0.8 else SupportLevel.weak,
                )
            )
        for quantity, low, high in rng.sample(QUANTITIES, 2):
            value = rng.randint(low, high)
            text = f"{value:,}"
            citation = builder.cite(f"The health ministry said {text} {quantity}.")
            doc.figures.append(
                GroundedFigure(
                    quantity=quantity,
                    value=FigureValue(
                        doc_id=builder.doc_id,
                        value=float(value),
                        text=text,
                        attributed_to="the health ministry",
                        date="2024-04-08",
                        citation=citation,
                    ),
                )
            )
        grounded.append(doc)
        documents.append(builder.document())
    return grounded, documents


def fresh_inputs(count: int, seed: int) -> tuple[list[GroundedDocument], list[Document], PartyIndex]:
    """Fresh inputs for every repeat (the merge no longer changes them; a repeat shares no caches)."""
    grounded, documents = synthetic_corpus(count, seed)
    return grounded, documents, build_party_index(documents)


def merge(grounded: list[GroundedDocument], documents: list[Document], index: PartyIndex):
    return merge_documents(
        grounded, documents, index, failed=[], stats=RunStats(), backend="bench", model="synthetic"
    )


# merge_documents looks these up in its module at call time, so wrapping them times each phase.
PHASES = [
    "merge_parties",
    "merge_claims",
    "find_contested",
    "merge_demands",
    "merge_plans",
    "merge_figures",
]
phase_seconds: dict[str, float] = {}


def _timed(name: str, function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            phase_seconds[name] = phase_seconds.get(name, 0.0) + time.process_time() - started

    return wrapper


def install_phase_timers() -> None:
    for name in PHASES:
        setattr(merge_module, name, _timed(name, getattr(merge_module, name)))


def maxrss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------------------------------------------
# Child: one size
# ---------------------------------------------------------------------------------------------------


def child(count: int, repeats: int, seed: int, use_tracemalloc: bool, profile: bool) -> dict:
    started = time.perf_counter()
    grounded, documents, index = fresh_inputs(count, seed)
    build_seconds = time.perf_counter() - started
    rss_inputs = maxrss_mib()
    times, cpu_times, phases = [], [], []
    result: dict = {}
    install_phase_timers()
    for repeat in range(repeats):
        if repeat:
            del grounded, documents, index  # before building the next ones: RSS is one copy's
            grounded, documents, index = fresh_inputs(count, seed)
        phase_seconds.clear()
        started, cpu_started = time.perf_counter(), time.process_time()
        brief = merge(grounded, documents, index)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        phases.append(dict(phase_seconds))
        result = {
            "claims_in": sum(len(g.claims) for g in grounded),
            "claim_groups": len(brief.claims),
            "multi_source_groups": sum(1 for g in brief.claims if len(g.sources) > 1),
            "parties": len(brief.parties),
            "demands": len(brief.demands),
            "contested": len(brief.contested),
            "figures": len(brief.figures),
        }
        del brief
    median_phases = {name: statistics.median(p.get(name, 0.0) for p in phases) for name in PHASES}
    result.update(
        times=times,
        cpu_times=cpu_times,
        phases=median_phases,
        build_seconds=build_seconds,
        rss_inputs_mib=rss_inputs,
        rss_peak_mib=maxrss_mib(),
    )
    if use_tracemalloc:
        del grounded, documents, index
        grounded, documents, index = fresh_inputs(count, seed)
        tracemalloc.start()
        merge(grounded, documents, index)
        result["tracemalloc_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    if profile:
        del grounded, documents, index
        grounded, documents, index = fresh_inputs(count, seed)
        profiler = cProfile.Profile()
        profiler.runcall(merge, grounded, documents, index)
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats("tottime").print_stats(15)
        stats.sort_stats("cumulative").print_stats("summarizer", 20)
        result["profile"] = stream.getvalue()
    return result


# ---------------------------------------------------------------------------------------------------
# Parent: all sizes
# ---------------------------------------------------------------------------------------------------


def per_doubling(size_a: int, value_a: float, size_b: int, value_b: float) -> float:
    """Growth of a measure per doubling of the documents: 2.0 is linear, 4.0 quadratic."""
    if value_a <= 0 or size_a == size_b:
        return float("nan")
    return (value_b / value_a) ** (1 / math.log2(size_b / size_a))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 1000, 2000], help="Documents.")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--distinct-share",
        type=float,
        default=DISTINCT_SHARE,
        help="Share of one-off claims (distinct clusters growing with the corpus); 0: saturating vocabulary.",
    )
    parser.add_argument("--tracemalloc", action="store_true", help="Also the tracemalloc peak of one merge.")
    parser.add_argument("--profile", action="store_true", help="cProfile one merge per size and print it.")
    parser.add_argument("--timeout", type=float, default=900, help="Seconds per size before giving up.")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.child is not None:
        globals()["DISTINCT_SHARE"] = args.distinct_share
        print(json.dumps(child(args.child, args.repeats, args.seed, args.tracemalloc, args.profile)))
        return 0

    rows = []
    for size in args.sizes:
        command = [sys.executable, str(Path(__file__).resolve()), "--child", str(size)]
        command += ["--repeats", str(args.repeats), "--seed", str(args.seed)]
        command += ["--distinct-share", str(args.distinct_share)]
        command += ["--tracemalloc"] * args.tracemalloc + ["--profile"] * args.profile
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=args.timeout)
        except subprocess.TimeoutExpired:
            print(f"{size} documents: no result within {args.timeout:g} s", file=sys.stderr)
            break
        if done.returncode != 0:
            print(f"{size} documents failed:\n{done.stderr[-3000:]}", file=sys.stderr)
            return 2
        result = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append((size, result))
        median = statistics.median(result["times"])
        runs = ", ".join(f"{t:.2f}" for t in result["times"])
        print(f"  {size} documents: median {median:.2f} s wall (runs {runs})", flush=True)
        if args.profile:
            print(result["profile"])

    print()
    header = f"{'docs':>6}{'claims':>8}{'groups':>8}{'multi':>7}{'contest':>8}"
    header += f"{'wall s':>8}{'ratio':>7}{'CPU s':>8}{'ratio':>7}{'RSS in':>8}{'RSS peak':>10}{'merge +':>9}"
    header += f"{'tracemalloc':>13}" if args.tracemalloc else ""
    print(header)
    previous = None
    for size, result in rows:
        wall, cpu = statistics.median(result["times"]), statistics.median(result["cpu_times"])
        wall_ratio = cpu_ratio = ""
        if previous is not None:
            wall_ratio = f"{per_doubling(previous[0], previous[1], size, wall):.2f}"
            cpu_ratio = f"{per_doubling(previous[0], previous[2], size, cpu):.2f}"
        line = (
            f"{size:>6}{result['claims_in']:>8}{result['claim_groups']:>8}{result['multi_source_groups']:>7}"
            f"{result['contested']:>8}{wall:>8.2f}{wall_ratio:>7}{cpu:>8.2f}{cpu_ratio:>7}"
            f"{result['rss_inputs_mib']:>6.0f}Mi{result['rss_peak_mib']:>8.0f}Mi"
            f"{result['rss_peak_mib'] - result['rss_inputs_mib']:>7.0f}Mi"
        )
        if args.tracemalloc:
            line += f"{result.get('tracemalloc_peak_mib', 0):>11.0f}Mi"
        print(line)
        previous = (size, wall, cpu)

    print(f"\nCPU seconds per phase (median):\n{'docs':>6}" + "".join(f"{name:>16}" for name in PHASES))
    previous = None
    for size, result in rows:
        print(f"{size:>6}" + "".join(f"{result['phases'][name]:>16.2f}" for name in PHASES))
        if previous is not None:
            print(
                f"{'ratio':>6}"
                + "".join(
                    f"{per_doubling(previous[0], previous[1]['phases'][n], size, result['phases'][n]):>16.2f}"
                    for n in PHASES
                )
            )
        previous = (size, result)
    print(
        "\nratio: growth per doubling of the documents (2.0 linear, 4.0 quadratic); CPU s is process time,"
        "\nsteadier than wall time on a busy machine. RSS peak: ru_maxrss of the child (inputs + merges);"
        "\nmerge +: peak minus the RSS once the inputs were built."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
