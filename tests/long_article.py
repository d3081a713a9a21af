"""A generated long article (an inquiry-report-like text of any length) for the long-document tests and
``bench/long_document.py``: generic actors, speakers, demands and figures from templates, with a few
boilerplate lines (captions, cross-links) among the paragraphs. Deterministic for a given seed."""

from __future__ import annotations

import random

ACTORS = [
    "the Regional Council",
    "the Transport Union",
    "the Ministry of Finance",
    "the Harbour Authority",
    "the Farmers Association",
    "the National Audit Office",
    "the City of Easton",
    "the Westbrook Water Company",
]
PEOPLE = [
    ("Maria Lindqvist", "the council's chair"),
    ("Daniel Okafor", "the union's general secretary"),
    ("Helen Marsh", "the finance minister"),
    ("Tomas Reyes", "the authority's director"),
    ("Anna Kowalski", "the association's spokeswoman"),
    ("Peter Holm", "the chief auditor"),
]
TOPICS = [
    "the budget",
    "the pension plan",
    "the port expansion",
    "water prices",
    "the rail contract",
    "the new tax",
    "the flood defences",
    "the school programme",
]
QUANTITIES = ["jobs", "households", "kilometres of track", "million euros", "new homes", "inspections"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

TEMPLATES = [
    "{person}, {title}, said on {day} that {topic} would cost {number} {quantity}.",
    "{actor_cap} demanded a review of {topic} before any vote.",
    "According to {actor}, {number} {quantity} were affected by {topic} last year.",
    "\u201cWe will not accept cuts to {topic},\u201d {person} told the hearing on {day}.",
    "{actor_cap} rejected the proposal and insisted on a new study of {topic}.",
    "The report found that {number} {quantity} depended on {topic}.",
    "{person} said {actor} had not answered questions about {topic}.",
    "{actor_cap} proposed a plan to phase in {topic} over {small} years.",
    "Officials said the inquiry heard from {number} witnesses on {day}.",
    "{actor_cap} called for an independent audit of {topic}.",
    "{person}, {title}, warned that delays to {topic} could put {number} {quantity} at risk.",
    "The hearing was adjourned on {day} after {small} hours of testimony on {topic}.",
]
BOILERPLATE = ["READ: More reports from the inquiry.", "Photo: Witnesses arrive at the hearing / Handout"]


def generate_article(words: int = 20_000, seed: int = 7) -> str:
    """An article of about ``words`` words: a date line, then paragraphs of 3-6 sentences."""
    rng = random.Random(seed)
    lines = ["date 2024-03-11", "Inquiry into public services hears from councils, unions and ministries"]
    count = len(lines[1].split())
    while count < words:
        sentences = []
        for _ in range(rng.randint(3, 6)):
            person, title = rng.choice(PEOPLE)
            actor = rng.choice(ACTORS)
            sentence = rng.choice(TEMPLATES).format(
                person=person,
                title=title,
                actor=actor,
                actor_cap=actor[0].upper() + actor[1:],
                topic=rng.choice(TOPICS),
                quantity=rng.choice(QUANTITIES),
                number=f"{rng.randint(2, 9_999):,}",
                small=rng.randint(2, 12),
                day=rng.choice(DAYS),
            )
            sentences.append(sentence)
        paragraph = " ".join(sentences)
        lines.append(paragraph)
        count += len(paragraph.split())
        if rng.random() < 0.04:
            lines.append(rng.choice(BOILERPLATE))
    return "\n".join(lines) + "\n"
