"""A generated corpus of many articles on one (invented) story, for the scale benchmark and tests.

Generic text from templates, nothing taken from a real story: a port strike in an invented country,
with several outlets, parties (a union, a port authority, a government, a mediator, shippers), claims
with paraphrases and opposite answers from different sides, figures that differ between outlets, and
wire copy: agency articles republished by several outlets with small edits (headline changed, a
sentence added, the last paragraph cut, the outlet's own boilerplate).

    python bench/scale_corpus.py OUT_DIR [--docs 200] [--seed 1]   # writes OUT_DIR/*.txt

``write_corpus`` returns which files are copies of which wire article (the truth for the tests).
"""

from __future__ import annotations

import argparse
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

OUTLETS = [
    "Coastal Herald",
    "Northern Ledger",
    "Evening Courier",
    "Harbour Times",
    "Daily Meridian",
    "Weekly Observer",
    "Valley Gazette",
    "Capital Post",
    "Morning Standard",
    "Island Chronicle",
    "Metro Dispatch",
    "Plains Tribune",
]
WIRE = "Continental Press"

# Speakers by side: the rules find the side from the parse (subject of a reporting verb, apposition).
SPEAKERS = {
    "union": [
        "union leader Maria Santos",
        "Maria Santos, who leads the Harbour Workers Union,",
        "a spokesperson for the Harbour Workers Union",
        "the Harbour Workers Union",
    ],
    "authority": [
        "port director Jonas Weber",
        "the Meridian Port Authority",
        "a spokesman for the Meridian Port Authority",
        "Jonas Weber, the director of the Meridian Port Authority,",
    ],
    "government": [
        "Labour Minister Elena Petrova",
        "the government of Calvora",
        "a spokeswoman for the Calvora labour ministry",
    ],
    "mediator": [
        "mediator Samuel Okoye",
        "the Regional Arbitration Council",
        "Samuel Okoye, who chairs the Regional Arbitration Council,",
    ],
    "shippers": [
        "the Shipping Federation",
        "a spokesman for the Shipping Federation",
        "Clara Jensen, who heads the Shipping Federation,",
    ],
}

# (side, paraphrases): each a proposition a speaker "said". Pairs of opposite answers from different
# sides make contested points; paraphrases exercise the merge by meaning.
CLAIMS: list[tuple[str, list[str]]] = [
    (
        "union",
        [
            "no agreement had been reached on wages",
            "there was still no agreement on wages",
            "no deal had been reached on pay",
        ],
    ),
    (
        "authority",
        [
            "an agreement on wages was close",
            "a deal on pay was within reach",
            "the two sides were close to an agreement on wages",
        ],
    ),
    (
        "union",
        [
            "the strike would continue until wages rose by {pct} percent",
            "workers would stay on strike until pay rose by {pct} percent",
        ],
    ),
    (
        "authority",
        [
            "the strike had cost the port {loss} million euros",
            "losses from the strike had reached {loss} million euros",
        ],
    ),
    (
        "government",
        [
            "the government would not intervene in the dispute",
            "the government had no plans to step into the dispute",
        ],
    ),
    (
        "government",
        [
            "the government would intervene if the strike lasted another week",
            "ministers were ready to step in should the strike last another week",
        ],
    ),
    (
        "mediator",
        [
            "both sides had agreed to return to the table on {day}",
            "the two sides would resume talks on {day}",
        ],
    ),
    (
        "shippers",
        [
            "{ships} ships were waiting outside the harbour",
            "{ships} vessels were queuing off the coast",
        ],
    ),
    (
        "union",
        [
            "safety rules at the container terminal had been ignored for years",
            "safety at the container terminal had been neglected for years",
        ],
    ),
    (
        "authority",
        [
            "safety rules at the container terminal had always been respected",
            "the container terminal had always respected safety rules",
        ],
    ),
    (
        "shippers",
        [
            "exporters were diverting cargo to rival ports",
            "cargo was being moved to competing ports by exporters",
        ],
    ),
    (
        "mediator",
        [
            "a proposal for a phased pay rise was on the table",
            "a plan for a pay rise in stages had been put forward",
        ],
    ),
]
VERBS = ["said", "said on {day}", "told reporters", "said in a statement", "stated"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
FIGURES = [
    "About {workers} dock workers have joined the strike, according to the union.",
    "The strike entered its {week} week on {day}, with {workers} workers off the job.",
    "Some {containers} containers are stranded at the terminal, the port authority said.",
]
# Background sentences: built from parts so that articles by different outlets differ in wording.
BACKGROUND_SUBJECTS = [
    "The dispute",
    "The stoppage",
    "The walkout at the port",
    "The conflict over pay",
    "The standoff",
    "The industrial action",
]
BACKGROUND_PREDICATES = [
    "began after talks on a new contract broke down",
    "has disrupted supplies of fuel and grain",
    "is the longest at the port in a decade",
    "has drawn support from transport workers elsewhere",
    "followed months of complaints about overtime",
    "has left supermarkets short of imported fruit",
    "has raised freight prices across the region",
    "started when the old contract expired",
]
BACKGROUND_TAILS = [
    "",
    " last month",
    " according to local businesses",
    " in recent weeks",
    " analysts say",
    " as the season peaks",
]
HEADLINES = [
    "Port strike enters new week as talks stall",
    "Dock workers hold firm as losses mount",
    "Calvora port dispute: what we know",
    "Mediator seeks to revive port talks",
    "Ships queue as harbour strike drags on",
    "Union and port authority trade blame over strike",
]


@dataclass
class Corpus:
    paths: list[Path]
    # copy file name -> the wire article's file name whose text it republishes
    copies: dict[str, str] = field(default_factory=dict)
    wire: list[str] = field(default_factory=list)  # file names of the wire originals


def _fill(template: str, rng: random.Random) -> str:
    return template.format(
        pct=rng.choice([8, 10, 12]),
        loss=rng.choice([40, 45, 52]),
        day=rng.choice(DAYS),
        ships=rng.choice([60, 70, 74]),
        workers=rng.choice(["3,000", "3,200", "4,000"]),
        containers=rng.choice(["12,000", "15,000"]),
        week=rng.choice(["second", "third"]),
    )


def _attributed(side: str, paraphrases: list[str], rng: random.Random) -> str:
    speaker = rng.choice(SPEAKERS[side])
    proposition = _fill(rng.choice(paraphrases), rng)
    verb = rng.choice(VERBS).format(day=rng.choice(DAYS))
    if rng.random() < 0.5 or speaker.endswith(","):
        sentence = f"{speaker} {verb} that {proposition}."
    else:
        sentence = f"{proposition[0].upper()}{proposition[1:]}, {speaker} said."
    return sentence[0].upper() + sentence[1:]


def _background(rng: random.Random) -> str:
    return (
        f"{rng.choice(BACKGROUND_SUBJECTS)} {rng.choice(BACKGROUND_PREDICATES)}"
        f"{rng.choice(BACKGROUND_TAILS)}."
    )


def _boilerplate(outlet: str, rng: random.Random) -> list[str]:
    choices = [
        f"READ: More coverage of the port strike from the {outlet}",
        f"Subscribe to the {outlet} newsletter for daily updates.",
        "Photo: dock workers at the container terminal / Handout",
        f"Short link: https://example.org/{rng.randrange(10**6)}",
    ]
    return rng.sample(choices, k=2)


def article(outlet: str, rng: random.Random, day: int) -> str:
    """One outlet's own article: its own selection, wording and order of claims and background."""
    claims = rng.sample(CLAIMS, k=rng.randint(5, 8))
    paragraphs = [_attributed(side, paraphrases, rng) for side, paraphrases in claims]
    for _ in range(rng.randint(2, 4)):
        paragraphs.insert(rng.randrange(len(paragraphs) + 1), _background(rng))
    for template in rng.sample(FIGURES, k=2):
        paragraphs.insert(rng.randrange(1, len(paragraphs) + 1), _fill(template, rng))
    boiler = _boilerplate(outlet, rng)
    paragraphs.insert(rng.randrange(2, len(paragraphs)), boiler[0])
    paragraphs.append(boiler[1])
    headline = rng.choice(HEADLINES)
    return f"date 2031-03-{day:02d}\n{headline}\n\n" + "\n\n".join(paragraphs) + "\n"


_SMALL_EDITS = [(" on Monday", " Monday"), (" percent", "%"), ("harbour", "harbor"), (" that ", " ")]


def republish(wire_text: str, outlet: str, rng: random.Random) -> str:
    """The wire article as another outlet runs it: new headline, the outlet's boilerplate instead of
    the agency's, and one to three small edits (a sentence added, the last paragraph cut, a word
    changed)."""
    lines = wire_text.rstrip("\n").split("\n")
    date, body = lines[0], [p for p in "\n".join(lines[2:]).split("\n\n") if p.strip()]
    # The agency's boilerplate goes; the outlet's own comes in.
    body = [p for p in body if not re.match(r"(READ:|Subscribe|Photo:|Short link:)", p)]
    edits = rng.sample(["add", "cut", "word"], k=rng.randint(1, 3))
    if "word" in edits:
        old, new = rng.choice(_SMALL_EDITS)
        body = [p.replace(old, new, 1) for p in body]
    if "cut" in edits and len(body) > 6:
        body = body[:-1]
    if "add" in edits:
        body.insert(rng.randrange(1, len(body)), f"The {outlet} asked the port authority for comment.")
    boiler = _boilerplate(outlet, rng)
    body.insert(rng.randrange(2, len(body)), boiler[0])
    body.append(boiler[1])
    headline = rng.choice([h for h in HEADLINES if h != lines[1]])
    return f"{date}\n{headline}\n\n" + "\n\n".join(body) + "\n"


def _slug(outlet: str) -> str:
    return outlet.lower().replace(" ", "-")


def write_corpus(folder: Path, count: int = 200, seed: int = 1, copy_share: float = 0.15) -> Corpus:
    """``count`` articles in ``folder``: about ``copy_share`` of them republished wire copy (groups of
    2-6 copies of one agency article, each a few edits away), the rest each outlet's own."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    texts: list[tuple[str, str, str | None]] = []  # (outlet, text, wire key or None)
    copies_left = int(count * copy_share)
    wire_number = 0
    while copies_left > 0 and len(texts) < count:
        wire_text = article(WIRE, rng, day=rng.randint(1, 20))
        key = f"wire{wire_number}"
        wire_number += 1
        texts.append((WIRE, wire_text, key))
        group = min(copies_left, rng.randint(2, 6), count - len(texts))
        for outlet in rng.sample(OUTLETS, k=group):
            texts.append((outlet, republish(wire_text, outlet, rng), key))
        copies_left -= group
    while len(texts) < count:
        outlet = rng.choice(OUTLETS)
        texts.append((outlet, article(outlet, rng, day=rng.randint(1, 20)), None))
    rng.shuffle(texts)
    corpus = Corpus(paths=[])
    first: dict[str, str] = {}
    for number, (outlet, text, key) in enumerate(texts):
        name = f"{number:03d}_{_slug(outlet)}.txt"
        path = folder / name
        path.write_text(text, encoding="utf-8")
        corpus.paths.append(path)
        if key is None:
            continue
        if outlet == WIRE:
            corpus.wire.append(name)
        first.setdefault(key, name)
        corpus.copies[name] = key
    # copies name the first file of their group (in file order), as duplicates.py reports them
    corpus.copies = {name: first[key] for name, key in corpus.copies.items() if first[key] != name}
    return corpus


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--docs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    corpus = write_corpus(args.out, args.docs, args.seed)
    print(f"{len(corpus.paths)} articles in {args.out}, {len(corpus.copies)} republished wire copies")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
