"""Step 2 of the data flow: deterministic analysis on the NLP pipeline (spaCy), no model.

One module per concern:

* ``parsing``: every citable sentence parsed once (POS, dependencies, entities);
* ``parties``: actors as named entities resolved across documents (coreference, affiliations,
  salience), the people who speak for them, and a speaker's side;
* ``roles``: what part each party plays, from what the text says it does (titles, descriptions,
  'brokered by', 'the hosts'), then from its name;
* ``attribution``: who says what, from the parse;
* ``reference``: who a pronoun ('he said', 'they argued') stands for;
* ``figures``: numbers with what they count, and the one number parser;
* ``document``: one document's attributions (read in order: pronouns, quotations over several
  sentences), figures and party mentions;
* ``demands``: what a party demands, whole phrases with their owner, from the parse;
* ``rules``: the rules-only extraction (what the ``fake`` backend answers and a small local model
  builds on) and the hints every model sees.

Word lists are in ``summarizer.vocabulary`` and ``summarizer.geo``.
"""

from summarizer.analysis.attribution import Attribution, find_attribution
from summarizer.analysis.demands import demand_owner, find_demands
from summarizer.analysis.document import DocumentAnalysis, analyse_document
from summarizer.analysis.figures import FigureMention, find_figures, parse_number
from summarizer.analysis.parsing import ParsedCorpus, parse_corpus
from summarizer.analysis.parties import UNKNOWN_SIDE, PartyIndex, build_party_index, split_title
from summarizer.analysis.roles import default_role, organisation_role, title_role
from summarizer.analysis.rules import excerpt, hints_for_prompt, party_role, rules_extraction

__all__ = [
    "UNKNOWN_SIDE",
    "Attribution",
    "DocumentAnalysis",
    "FigureMention",
    "ParsedCorpus",
    "PartyIndex",
    "analyse_document",
    "build_party_index",
    "demand_owner",
    "excerpt",
    "find_demands",
    "find_attribution",
    "find_figures",
    "hints_for_prompt",
    "default_role",
    "organisation_role",
    "party_role",
    "title_role",
    "parse_corpus",
    "parse_number",
    "rules_extraction",
    "split_title",
]
