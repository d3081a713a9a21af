"""Word lists of news English, as data in one place: every module that needs one reads it from here.

General knowledge only (reporting verbs, titles, role nouns, outlets' conventions), never the names or
phrases of one story. Countries, demonyms and seats of government are in ``geo``.
"""

from __future__ import annotations


def _words(text: str) -> frozenset[str]:
    """A word list written as text, one or more words a line."""
    return frozenset(text.split())


# Lemmas of verbs that report speech or a stated position ("said", "told", "warned", "denied").
REPORTING_VERBS = _words(
    """
    say tell state add announce report confirm deny reveal comment cite claim insist warn note describe
    reiterate voice urge argue predict acknowledge emphasize emphasise stress explain write tweet post
    declare accuse suggest believe expect estimate indicate signal concede maintain assert contend
    counter vow pledge respond reply allege admit agree disagree complain caution charge contend
    recall remark observe promise threaten demand call testify brief inform quote
    """
)
# Reporting verbs whose subject states a position rather than a fact: kept for demands and stances.
STANCE_VERBS = _words("demand insist urge call vow pledge threaten promise refuse reject")

# Nouns that make a phrase a plausible speaker without a name ("a senior official", "two sources").
SPEAKER_NOUNS = _words(
    """
    official officials source sources spokesman spokeswoman spokesperson minister ministry president
    secretary senator representative governor army military government media group movement
    organization organisation agency channel network authorities authority negotiator negotiators
    delegation leader leaders director chief diplomat diplomats analyst analysts resident residents
    outlet ambassador mediator mediators speaker committee office department council statement report
    aide aides adviser advisers advisor lawmaker lawmakers member members expert experts witness
    witnesses police prosecutor prosecutors lawyer lawyers attorney judge court administration
    campaign party commander commanders officer officers envoy staff staffer press newspaper
    broadcaster agency activist activists critic critics supporter supporters observer observers
    """
)

# Words of a title before a person's name ("Transportation Secretary Pete Buttigieg").
TITLE_WORDS = _words(
    """
    secretary minister president director chief senator sen rep representative congressman
    congresswoman gov governor speaker leader spokesman spokeswoman spokesperson chairman chairwoman
    chair ambassador general envoy commissioner mayor judge justice mr mrs ms dr prime vice deputy
    foreign defence defense state attorney whip majority minority house senate former acting
    """
)
LEGISLATOR_TITLES = _words(
    """
    sen sens senator rep representative congressman congresswoman speaker senate house congressional
    parliamentary mp lawmaker whip majority minority
    """
)

# Pronouns that refer back to an earlier speaker.
PERSONAL_PRONOUNS = _words("he she they we i it")

# Words that mark a statement as a denial or a refusal (its polarity).
NEGATION_WORDS = _words(
    """
    no not never nothing none neither nor denied deny denies without failed fails refused refuses
    rejected rejects oppose opposes opposed opposing against deadlock deadlocked n't
    """
)

# Function words that carry no content, for lexical overlap measures.
STOPWORDS = _words(
    """
    a an the of to in on at for by with from and or but as is are was were be been being has have had
    it its this that these those there their they them he she his her we our you i will would could
    should may might can said says say told also not no into over after before about than then so which
    who whom what when where while if any all some more most other such only just very
    """
)

# Phrases after a name that make it a news outlet reporting, not an actor ("told Reuters").
OUTLET_CUES = _words("told tells tell interview")

# Title words after which a person speaks for their organisation rather than as an actor of their own.
SPOKESPEOPLE = _words("official officials spokesman spokeswoman spokesperson aide member negotiator source "
                      "representative envoy delegate")  # fmt: skip
# Nouns after a demonym that make it a population ('the American people'), not an actor.
POPULACE_NOUNS = _words(
    "people public voters taxpayers families households workers citizens consumers economy companies "
    "businesses jobs society electorate"
)
# Nouns that make an organisation a news outlet ('the Egyptian channel X').
MEDIA_NOUNS = _words(
    "channel outlet newspaper agency broadcaster television tv network media daily site station"
)
# Nouns after a party, country or person that name its people or its government ('Republican lawmakers',
# 'the Trump administration'): another name of the same actor.
GROUP_NOUNS = _words(
    "lawmakers legislators senators representatives members leaders leadership officials administration "
    "government delegation negotiators campaign allies"
)
# Verbs (lemmas) that state a position for or against something ('proposed raising the rate', 'are
# opposed to it'), from which rival proposals meet as one contested question.
STANCE_FOR = _words("propose support back favor favour endorse champion")
STANCE_AGAINST = _words("oppose reject resist block")
# News agencies whose wire copy other outlets run (a page's outlet or author naming one of them): the
# copy of a wire story stands for its republished texts. Lowercase name -> the agency's usual name.
WIRE_AGENCIES = {
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "AP",
    "associated press": "AP",
    "the associated press": "AP",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "agence france presse": "AFP",
    "dpa": "dpa",
    "deutsche presse-agentur": "dpa",
    "efe": "EFE",
    "ansa": "ANSA",
    "anadolu": "Anadolu",
    "anadolu agency": "Anadolu",
    "xinhua": "Xinhua",
    "kyodo": "Kyodo",
    "kyodo news": "Kyodo",
    "bloomberg": "Bloomberg",
    "upi": "UPI",
    "pa media": "PA Media",
    "aap": "AAP",
}
