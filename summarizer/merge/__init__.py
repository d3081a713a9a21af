"""Step 5 of the data flow: merge the grounded documents into one ``Brief``, deterministically.

One module per concern:

* ``parties``: names and aliases resolved to one canonical party (country demonyms, parenthetical
  aliases, learned affiliations, fuzzy name match);
* ``claims``: merged by meaning (sentence embeddings of their propositions) within one side and one
  polarity, each merged claim listing every source that carries it;
* ``contested``: questions the sides answer differently, each side's position with its sources;
* ``demands``: one per party and demand, by wording or by meaning with a shared word; a faction of
  a party keeps its own name;
* ``plans``: proposals checked against the parse, with their terms and the other sides' reactions;
* ``figures``: one quantity as given by several outlets, discrepancies flagged;
* ``keypoints``: the key points that open the brief;
* ``brief``: sources, coverage and the assembly of the brief; voices (articles that republish one
  text, ``duplicates.py``) count once in the counts and the ranking of claims and contested points;
* ``clustering``: the clustering every kind of item shares.
"""

from summarizer.merge.brief import coverage_rows, default_title, merge_documents, source_entry
from summarizer.merge.claims import SAME_CLAIM, AnaphoraContext, merge_claims, without_figure_statements
from summarizer.merge.clustering import greedy_cluster, similar_claim, similar_phrase
from summarizer.merge.contested import CANDIDATE_SIMILARITY, Judge, Verdict, find_contested, rule_verdict
from summarizer.merge.demands import merge_demands, resolve_demands
from summarizer.merge.figures import merge_figures
from summarizer.merge.keypoints import key_points
from summarizer.merge.parties import PartyResolver, merge_parties
from summarizer.merge.plans import merge_plans
from summarizer.merge.speakers import side_names

__all__ = [
    "SAME_CLAIM",
    "CANDIDATE_SIMILARITY",
    "AnaphoraContext",
    "PartyResolver",
    "similar_claim",
    "similar_phrase",
    "coverage_rows",
    "default_title",
    "find_contested",
    "greedy_cluster",
    "key_points",
    "merge_claims",
    "merge_demands",
    "merge_documents",
    "merge_figures",
    "merge_parties",
    "merge_plans",
    "rule_verdict",
    "Judge",
    "Verdict",
    "resolve_demands",
    "source_entry",
    "side_names",
    "without_figure_statements",
]
