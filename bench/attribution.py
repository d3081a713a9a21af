"""Attribution yardstick: who says what, against sentences labelled by reading their articles.

    python bench/attribution.py                 # the scores
    python bench/attribution.py --errors        # and every wrong or missed speaker
    python bench/attribution.py --json out.json # per-sentence results, to compare two runs

``bench/attribution_labels.json`` holds sentences that report speech (a reporting verb, "according
to", a quote) from the seeds and the 22 dev clusters (``../shared/dev-clusters`` beside the
repository), each labelled with the true speaker as the article gives it (a list of acceptable
names: the full name of a person, a description the article itself uses), or ``null`` where the
sentence reports no one's statement; ``pronoun`` marks a statement introduced by 'he', 'she',
'they' or 'it' (the speaker is then who the pronoun stands for). Labels are keyed by (file, sentence
text), so a sentence the splitter cuts differently shows up as unmatched instead of being scored
against the wrong label.

Each cluster is analysed as the pipeline does it (one party index over the cluster's documents,
then ``analyse_document`` per document); the speaker is ``Attribution.speaker``. A speaker is right
when it names the same person or body as one of the label's names: the label's last word (a surname,
or the head of a description: 'source', 'officials') is the last word of one of the speaker's
conjuncts (before its modifiers: 'experts across the spectrum'), or the label's capitalised last
word appears in the speaker as a name rather than as a modifier ('Trump' in 'President Donald
Trump', not in 'the Trump administration').

Scores:
* speaker precision: of the labelled sentences given a speaker, how many are right (a speaker given
  to a sentence labelled ``null`` is wrong);
* recall: of the labelled sentences with a speaker, how many get the right one;
* pronoun-introduced accuracy: of the sentences labelled ``pronoun``, how many get the right speaker
  (none given counts as wrong).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.analysis import analyse_document, build_party_index  # noqa: E402
from summarizer.documents import load_documents  # noqa: E402

LABELS = ROOT / "bench" / "attribution_labels.json"
DEV_CLUSTERS = ROOT.parent / "shared" / "dev-clusters"
_WORD = re.compile(r"[\w’'.-]+|,|&")
_POSTMODIFIER = re.compile(r",? (?:of|across|in|from|at|for|on|with|close|familiar|who|which|speaking) ")


@dataclass
class Result:
    file: str
    text: str
    label: list[str] | None
    pronoun: bool
    speaker: str | None
    cue: str | None

    @property
    def right(self) -> bool:
        return self.label is not None and self.speaker is not None and same_speaker(self.speaker, self.label)


def _words(text: str) -> list[str]:
    return [w.strip(".") or w for w in _WORD.findall(text)]


def same_speaker(speaker: str, names: list[str]) -> bool:
    """Whether ``speaker`` names the person or body of one of ``names`` (rule in the module doc)."""
    words = _words(speaker)
    lower = [w.lower() for w in words]
    # A description's head comes before its modifiers: 'experts across the spectrum', 'Miller of AEI'.
    core = _POSTMODIFIER.split(speaker, maxsplit=1)[0]
    heads = {part.split()[-1].lower().strip(".") for part in re.split(r",| and | & ", core) if part.split()}
    for name in names:
        last = _words(name)[-1]
        name_core = _POSTMODIFIER.split(name, maxsplit=1)[0].split()
        described = name_core[-1].islower() and name_core[-1] in heads  # 'a group of red states'
        if speaker.lower() == name.lower() or last.lower() in heads or described:
            return True
        if not last[:1].isupper():
            continue
        for i, word in enumerate(lower):
            following = words[i + 1] if i + 1 < len(words) else ""
            as_name = not following or following[:1].isupper() or following in (",", "and", "&")
            if word == last.lower() and as_name:
                return True
    return False


def document_path(key: str) -> Path:
    if key.startswith("dev-clusters/"):
        return DEV_CLUSTERS / key.removeprefix("dev-clusters/")
    return ROOT / key


def run(labels: list[dict]) -> tuple[list[Result], list[dict]]:
    """Our speaker for every labelled sentence, and the labels whose sentence was not found."""
    by_folder: dict[Path, list[dict]] = defaultdict(list)
    for label in labels:
        by_folder[document_path(label["file"]).parent].append(label)
    results: list[Result] = []
    unmatched: list[dict] = []
    for folder, wanted in sorted(by_folder.items()):
        documents = load_documents([folder]).documents
        index = build_party_index(documents)
        spoken: dict[tuple[str, str], list[tuple[str | None, str | None]]] = defaultdict(list)
        for document in documents:
            analysis = analyse_document(document, index)
            key = str(document_path_key(folder, document.path))
            for sentence in document.citable_sentences:
                found = analysis.attributions.get(sentence.id)
                spoken[(key, sentence.text)].append((found.speaker, found.cue) if found else (None, None))
        for label in wanted:
            seen = spoken.get((label["file"], label["text"]))
            if not seen:
                unmatched.append(label)
                continue
            for speaker, cue in seen:  # a sentence repeated in one article is scored each time
                results.append(
                    Result(label["file"], label["text"], label["speaker"], label["pronoun"], speaker, cue)
                )
    return results, unmatched


def document_path_key(folder: Path, path: str) -> str:
    name = Path(path).name
    if folder.resolve() == (ROOT / "seeds").resolve():
        return f"seeds/{name}"
    return f"dev-clusters/{folder.name}/{name}"


def scores(results: list[Result]) -> dict[str, tuple[int, int]]:
    """Each score as (right, out of)."""
    given = [r for r in results if r.speaker is not None]
    with_speaker = [r for r in results if r.label is not None]
    pronoun = [r for r in results if r.pronoun]
    named = [r for r in given if not r.pronoun]
    return {
        "speaker precision": (sum(r.right for r in given), len(given)),
        "recall": (sum(r.right for r in with_speaker), len(with_speaker)),
        "pronoun-introduced accuracy": (sum(r.right for r in pronoun), len(pronoun)),
        "precision, pronoun-introduced": (
            sum(r.right for r in given if r.pronoun),
            sum(1 for r in given if r.pronoun),
        ),
        "precision, named and quotes": (sum(r.right for r in named), len(named)),
        "speaker given where none is due": (
            sum(1 for r in given if r.label is None),
            sum(1 for r in results if r.label is None),
        ),
    }


def _percent(right: int, total: int) -> str:
    return f"{100 * right / total:5.1f}% ({right}/{total})" if total else "  n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--errors", action="store_true", help="list every wrong or missing speaker")
    parser.add_argument("--json", type=Path, help="write per-sentence results here")
    args = parser.parse_args()
    labels = json.loads(LABELS.read_text(encoding="utf-8"))
    results, unmatched = run(labels)
    print(f"{len(labels)} labelled sentences, {len(results)} scored, {len(unmatched)} not found")
    for name, (right, total) in scores(results).items():
        print(f"  {name:34s} {_percent(right, total)}")
    if args.errors:
        print()
        for r in results:
            if r.right or (r.label is None and r.speaker is None):
                continue
            kind = "MISSED" if r.speaker is None else "WRONG "
            label = " | ".join(r.label) if r.label else "(no one)"
            pronoun = " [pronoun]" if r.pronoun else ""
            print(f"{kind} {r.file}{pronoun}\n    {r.text[:220]}")
            print(f"    label: {label}    ours: {r.speaker} ({r.cue})")
    for label in unmatched:
        print(f"NOT FOUND {label['file']}: {label['text'][:120]}")
    if args.json:
        args.json.write_text(
            json.dumps([r.__dict__ | {"right": r.right} for r in results], indent=1, ensure_ascii=False),
            encoding="utf-8",
        )


if __name__ == "__main__":
    main()
