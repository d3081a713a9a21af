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

# ---------------------------------------------------------------------------------------------------
# Roles: what the words of a title or a description say a party does (``analysis/roles.py``). Each
# list is one role; a phrase of several words is matched as written (lower case, dots dropped).
# ---------------------------------------------------------------------------------------------------

ROLE_SPOKESPERSON = _words("spokesman spokeswoman spokesperson spokespeople")
ROLE_SPOKESPERSON_PHRASES = (
    "press secretary",
    "communications director",
    "director of communications",
    "press officer",
    "press aide",
)
ROLE_JUDGE = _words("judge judges justice justices magistrate")
ROLE_LAWYER = _words("lawyer lawyers attorney attorneys counsel solicitor barrister")
# Titles with a lawyer's word that name a member of the government, not someone's lawyer.
GOVERNMENT_LAWYER_PHRASES = ("attorney general", "solicitor general", "attorneys general")
ROLE_CANDIDATE = _words("candidate nominee challenger hopeful contender")
ROLE_LEGISLATOR = _words(
    """
    sen sens senator senators rep reps representative representatives congressman congresswoman
    congressmen lawmaker lawmakers legislator legislators mp mps speaker whip senate house
    congressional parliamentary assemblyman assemblywoman
    """
)
ROLE_PARTY_LEADER_PHRASES = (
    "party leader",
    "party chairman",
    "party chair",
    "party chief",
    "national committee",
)
ROLE_EXPERT = _words(
    "professor scholar analyst economist researcher expert historian lecturer academic scientist"
)
ROLE_MEDIA = _words("journalist reporter correspondent editor columnist anchor host commentator")
ROLE_GOVERNMENT = _words(
    """
    president premier minister ministers secretary chancellor governor mayor king queen emir sultan
    prince monarch taoiseach
    """
)
ROLE_GOVERNMENT_PHRASES = ("prime minister", "vice president", "chief of staff", "head of state")
ROLE_OFFICIAL = _words(
    """
    official officials director ambassador envoy diplomat adviser advisor aide commissioner
    administrator chief officer deputy assistant undersecretary general commander admiral colonel
    inspector coordinator representative
    """
)
ROLE_NEGOTIATOR = _words("negotiator negotiators")
ROLE_AFFECTED = _words(
    "resident residents victim victims survivor survivors patient patients migrant migrants refugee "
    "refugees plaintiff plaintiffs student students parent parents mother father widow"
)
ROLE_ADVOCACY = _words("activist activists advocate advocates campaigner campaigners")
ROLE_UNION = _words("union unions teamsters")
# Words in an organisation's name or description that say what it is.
UNION_ORG_WORDS = _words("union unions brotherhood guild teamsters")
# Occupations whose association is a labour union ('National Border Patrol Council').
OCCUPATION_WORDS = _words(
    "teachers nurses workers employees police patrol officers agents pilots firefighters miners drivers "
    "machinists steelworkers autoworkers dockworkers educators"
)
ASSOCIATION_WORDS = _words("council association federation union brotherhood guild")
# An organisation named '... Union' that is no labour union.
NOT_A_UNION_WORDS = _words("european soviet african civil liberties credit")
ADVOCACY_ORG_WORDS = _words(
    "liberties rights watch amnesty advocates coalition alliance foundation action parenthood campaign"
)
ADVOCACY_DESCRIPTIONS = _words(
    "advocacy rights group groups lobby activist activists nonprofit non-profit charity watchdog"
)
COMPANY_ORG_WORDS = _words(
    "inc corp corporation co ltd llc plc company holdings airlines airways motors bank pharmaceuticals "
    "technologies"
)
COMPANY_DESCRIPTIONS = _words(
    "company firm maker manufacturer retailer carrier bank insurer giant automaker corporation startup "
    "conglomerate lender producer operator"
)
COURT_ORG_WORDS = _words("court courts tribunal circuit")
ARMED_DESCRIPTIONS = _words("militia militias rebels insurgents militants paramilitary guerrillas fighters")
EXPERT_ORG_WORDS = _words("university institute school college academy think tank")
# Words that make a name an agency of the executive ('Centers for Disease Control', 'Border Patrol').
AGENCY_WORDS = _words(
    "agency bureau commission service centers administration office patrol pentagon reserve institutes"
)
# Words a host or mediator is called ('the Egyptian hosts', 'Qatari mediators').
MEDIATOR_NOUNS = _words("mediator mediators host hosts broker brokers intermediary intermediaries")
# Verbs whose agent ('brokered by X') is a mediator.
MEDIATING_VERBS = _words("broker mediate host facilitate")
# Words of a mention that cites someone in passing ('appointed by X', 'an X appointee'): not an act.
PASSING_NOUNS = _words("appointee appointees predecessor predecessors successor era nominee")
PASSING_VERBS = _words("appoint nominate")
# Words before a party's name that single out a faction of it ('moderate Democrats').
FACTION_WORDS = _words(
    "moderate moderates progressive progressives conservative conservatives liberal liberals hardline "
    "hardliners centrist centrists senate house rank-and-file"
)
# Titles of people quoted on an event they have no part in ('resident X', 'a witness').
BYSTANDER_TITLES = _words(
    "resident residents witness witnesses passerby onlooker neighbor neighbour bystander"
)
# Given names and the short forms news English writes them in ('Bill Taylor' is 'William Taylor').
NICKNAMES = {
    "bill": "william",
    "will": "william",
    "billy": "william",
    "bob": "robert",
    "rob": "robert",
    "bobby": "robert",
    "dick": "richard",
    "rick": "richard",
    "rich": "richard",
    "jim": "james",
    "jimmy": "james",
    "joe": "joseph",
    "chuck": "charles",
    "charlie": "charles",
    "mike": "michael",
    "tom": "thomas",
    "ted": "edward",
    "ed": "edward",
    "rudy": "rudolph",
    "steve": "stephen",
    "steven": "stephen",
    "nick": "nicholas",
    "chris": "christopher",
    "dan": "daniel",
    "tony": "anthony",
    "andy": "andrew",
    "liz": "elizabeth",
    "beth": "elizabeth",
    "kate": "katherine",
    "pat": "patricia",
    "sam": "samuel",
    "ben": "benjamin",
    "matt": "matthew",
    "pete": "peter",
    "alex": "alexander",
    "larry": "lawrence",
    "jerry": "gerald",
}
# Words before a name that are courtesy, not a title ('Mr. Kudlow').
HONORIFICS = _words("mr mrs ms miss dr")
# Title words of the one who heads an organisation ('CIA Director', 'President of the X Federation').
HEAD_TITLES = _words("president chairman chairwoman chair head chief director leader founder ceo executive")
# Nouns for the people a party sends to talks ('the Israeli delegation', 'Hamas negotiators').
NEGOTIATING_NOUNS = _words("delegation delegations negotiator negotiators team teams")
# Words (lemmas) of armed conflict between two sides ('war on X', 'attack against X').
WAR_WORDS = _words("war offensive attack fighting fight conflict invasion")
# Words before a title that are no part of it ('fellow moderate Sen. X').
TITLE_FILLERS = _words("fellow moderate longtime veteran")
# Words a phrase cut short ends with ('the hiring of an additional', '... as a').
FUNCTION_WORDS = _words("a an the of to for as and or but with by in on at from that which who whose")
# Nouns a text calls a group by once it has named it ('the group reiterated its demands').
ANAPHORIC_GROUP_NOUNS = _words("group movement organization organisation faction militants administration")
# Participles of irregular verbs, for a figure's label ('money spent on ...', 'hostages held').
IRREGULAR_PARTICIPLES = {
    "spend": "spent",
    "seek": "sought",
    "give": "given",
    "take": "taken",
    "pay": "paid",
    "send": "sent",
    "cut": "cut",
    "build": "built",
    "hold": "held",
    "win": "won",
    "lose": "lost",
    "set": "set",
    "put": "put",
    "make": "made",
    "bring": "brought",
    "get": "got",
    "leave": "left",
    "keep": "kept",
    "find": "found",
    "raise": "raised",
    "free": "freed",
    "flee": "fled",
    "kill": "killed",
    "come": "come",
    "run": "run",
}
# Words that qualify a number ('more than 250', 'around 130'), not what it counts.
QUALIFIER_WORDS = _words(
    "more than over around about nearly almost some roughly approximately least fewer less under up"
)
