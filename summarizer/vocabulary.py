"""Word lists of news English, as data in one place: every module that needs one reads it from here.

General knowledge only (reporting verbs, titles, role nouns, outlets' conventions), never the names or
phrases of one story. Countries, demonyms and seats of government are in ``geo``. A few lists are
patterns rather than sets, where inflections and phrases are spelled out ("calls? for", "n't").
"""

from __future__ import annotations

import re


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
# Verbs that report speech only around a quotation ('“…?” the judge asked', '“…,” she continued').
QUOTATION_VERBS = _words("ask continue")
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
    backer backers proponent proponents opponent opponents advocate advocates professor professors
    scholar scholars economist economists person people country countries coalition ally allies
    union company firm
    """
)

# Speaker nouns that name a body rather than a person: 'it' and 'they' may stand for one, 'he' and
# 'she' may not (a document that "says" is one too: 'the report said').
BODY_NOUNS = _words(
    """
    ministry government media group movement organization organisation agency channel network
    authorities authority delegation committee office department council statement report
    administration campaign party army military police court newspaper broadcaster outlet press
    country countries coalition state states filing lawsuit letter study survey poll union company
    """
)
# Titles that make the name after them a person's ('AFT President Randi Weingarten'), unlike the other
# words of a title ('House', 'Foreign'), which also name bodies.
PERSON_TITLES = _words(
    """
    secretary minister president director chief senator sen rep representative congressman
    congresswoman gov governor speaker leader spokesman spokeswoman spokesperson chairman chairwoman
    chair ambassador general envoy commissioner mayor judge justice mr mrs ms dr professor
    """
)
# Words that count the people of a phrase ('dozens of House Republicans', 'two of the senators').
QUANTIFIERS = _words("dozen dozens some many most all both several few none one two three four half")

# Words that tell a person's gender, for 'he' and 'she' ('Ms. Haley', 'the spokeswoman').
FEMININE_WORDS = _words(
    "ms mrs miss madam spokeswoman chairwoman congresswoman businesswoman woman mother wife daughter "
    "queen princess lady sister"
)
MASCULINE_WORDS = _words(
    "mr sir spokesman chairman congressman businessman man father husband son king prince lord brother"
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

# A reporting verb that states nothing: hypothetical ('would accuse', 'should reiterate'), asked about
# ('whether they maintain', 'why he was demanding', 'what she said'), or declined ('declined to
# comment'): its subject is no speaker of the sentence.
HYPOTHETICAL_MODALS = _words("should would could might may must will shall")
CONDITIONAL_MARKS = _words("whether if unless")
QUESTION_WORDS = _words("what whatever why how")
REFUSAL_VERBS = _words("decline refuse fail")

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

# Verbs (lemmas) of belief whose clause is the claim: 'I don't believe [he will go through with it]'.
BELIEF_VERBS = _words("believe think expect know hope feel")
# Verbs (lemmas) that deny the act after them: 'failed to respond' says that they did not respond.
FAILURE_VERBS = _words("fail refuse decline")
# Subjects or objects that deny their clause: 'nothing was agreed', 'none of them voted'.
NEGATIVE_PRONOUNS = _words("nothing none nobody noone neither")
# Verbs (lemmas) whose object takes a complement that carries the claim: 'called the rules unfair',
# 'described the talks as close'.
COMPLEMENT_VERBS = _words("call describe label deem consider brand dub term find declare characterize")
# Pronouns that stand for someone named elsewhere: a statement whose subject is one cannot be read alone.
THIRD_PERSON_PRONOUNS = _words("he she it they him her them his its their")
# Verbs (lemmas) that only say their object came about: 'progress was made' says there was progress.
LIGHT_VERBS = _words("make achieve reach see witness record register")

# Positions for or against something (analysis/stances.py), as political English words them.
# Verbs (lemmas) whose subject backs their object or the act after 'to' ('proposed X', 'threatened
# to close the border', 'plans to impose tariffs'), or which back what follows 'for'/'on'.
STANCE_VERBS_FOR = _words(
    """
    propose offer support back endorse favor favour champion demand want seek request urge push insist
    press pledge vow promise threaten plan intend sign approve defend advocate welcome praise applaud
    embrace call ask
    """
)
# Verbs (lemmas) whose subject opposes their object or the act after 'to' ('refused to fund it').
STANCE_VERBS_AGAINST = _words(
    """
    oppose reject refuse block resist dismiss criticize criticise condemn denounce slam blast decry
    veto challenge scrap object disagree balk protest rebuff spurn
    """
)
# Of those, verbs whose object is the person asked, not the thing: 'called for X', 'urged them to X'.
PREPOSITIONAL_STANCE_VERBS = _words("call ask press urge")
# Nouns of a position, with 'to'/'for'/'of' the thing ('deep opposition to the tariffs').
STANCE_NOUNS_FOR = _words("support backing endorsement demand push")
STANCE_NOUNS_AGAINST = _words("opposition objection rejection resistance criticism")
# Judging words a speaker applies to a thing ('the ask is a non-starter', 'called it impractical').
JUDGMENTS_AGAINST = _words(
    """
    non-starter nonstarter unacceptable sham hoax farce illegal unconstitutional unlawful dangerous
    reckless outrageous offensive absurd ridiculous impractical unfair mistake disaster failure gimmick
    unworkable wrong irresponsible immoral ineffective
    """
)
JUDGMENTS_FOR = _words(
    "necessary essential fair legitimate reasonable right vital crucial appropriate lawful constitutional"
)
# Nouns that name a kind of thing, not one thing: two stances on 'the plan' may be on two plans.
GENERIC_TARGETS = _words(
    "plan proposal offer deal bill measure move effort idea thing way option position step agreement "
    "change decision action matter issue call demand request push support have be do make get take give"
)
# Words that count or measure: '$1.375 billion' and '$8.6 billion' share a unit, not a subject.
UNITS = _words(
    """
    billion million trillion thousand hundred percent per cent dollar dollars euro euros pound pounds
    year years month months week weeks day days hour hours
    """
)
# Verbs (lemmas) whose subject is the one who would do the act after 'to' ('threatened to close the
# border': should the holder close it?); after 'urge X to', 'call on X to' someone else would.
# Verbs (lemmas) that end a thing, one act however a story words it ('abolish the filibuster', 'nix
# the filibuster', 'end the filibuster'): stances on ending one thing meet whichever verb they use.
ENDING_VERBS = _words(
    "end abolish eliminate nix scrap repeal axe ditch terminate dismantle kill overturn rescind revoke"
)
SELF_ACT_VERBS = _words("threaten plan intend vow pledge promise offer seek want refuse propose decline")

# Proposals (analysis/plans.py). Verbs (lemmas) that put a plan forward ('unveiled a $928 billion plan').
PROPOSING_VERBS = _words("propose offer unveil introduce submit request table float counter")
# Nouns that name a plan on the table.
PLAN_NOUNS = _words(
    """
    proposal plan offer counteroffer counterproposal deal framework package budget blueprint bill
    truce ceasefire agreement compromise option
    """
)
# Verbs (lemmas) by which a plan says what it does ('the plan would cut ...', 'could result in ...').
TERMS_VERBS = _words(
    """
    include call provide give cut require allow result offer set fund raise release free divert create
    expand end stop ban bar extend increase reduce spend invest pay grant guarantee establish impose
    lift withdraw return stagger contain cover seek
    """
)
# How a sentence that adds terms to the proposal before it opens.
TERMS_OPENERS = ("in return", "in exchange", "under the plan", "under the proposal", "under the deal",
                 "under the agreement", "in the first stage", "in the second stage", "the deal would",
                 "the plan would", "the proposal would")  # fmt: skip
# Of the proposing verbs, those that also take things that are no plan ('offered an assessment').
OFFERING_VERBS = _words("offer float table counter")
# Of the verbs of terms, those that list what the plan holds ('would include X and Y'): each is a term.
LISTING_VERBS = _words("include call provide give result contain cover offer")
# Words by which a sentence points back at the one before it ('those complaints', 'also', 'instead').
BACK_POINTERS = _words(
    "this these those such also too instead specifically meanwhile likewise similarly however still "
    "again further furthermore moreover"
)
# Acts (stance verbs and judgments) by which a side backs someone else's plan: a reaction, not a plan
# or a demand of its own ('welcomed the offer', 'the deal is fair').
SUPPORTING_ACTS = _words(
    "support back endorse favor favour champion welcome praise applaud embrace approve sign defend "
    "necessary essential fair legitimate reasonable right vital crucial appropriate lawful constitutional"
)

# Verbs that state a position about their object even without a clause ('denied the report',
# 'described the talks as close'); other reporting verbs without one report an act, not a claim
# ('Israel declared war', 'Israel voiced optimism').
POSITION_VERBS = _words("deny confirm reject accuse warn describe call claim insist")
# Words that open a clause before its subject ('However, the minister said'): not part of a speaker.
LEADING_WORDS = _words("however but and so meanwhile also still yet then now")
# Words that say who speaks or that something was said; they do not make two claims the same claim.
ATTRIBUTION_WORDS = _words(
    "official source sources told reuters news according stated added reported confirmed spokesman "
    "spokesperson minister"
)
# Words that open a sentence in lower case when it is turned into a question ('Whether a truce…').
SENTENCE_OPENERS = _words("a an the some no there it this that these those")
# What may follow a person's surname ('Martin Luther King Jr.').
NAME_SUFFIXES = _words("jr sr ii iii")
# Words of an organisation's name its acronym leaves out ('Department of Homeland Security' -> DHS).
ACRONYM_SKIPPED = _words("of and for the on")

# Words that mark a statement as a denial or a refusal (its polarity), in any inflection.
NEGATION = re.compile(
    r"\b(no|not|never|nothing|none|neither|nor|denied|denies|deny|without|failed|fails|yet to|"
    r"deadlock(?:ed)?|refused|refuses|rejected|rejects|ruled out|oppose[sd]?|opposing|against|"
    r"n[’']t)\b|n[’']t\b",
    re.I,
)
# "arguing that the package should ...": a position stated as what must happen is a demand.
_MUST_CLAUSE = r"argu(?:e|es|ed|ing) that (?=[^.;]{0,80}\b(?:should|must|needs? to|has to|have to)\b)"
# Verbs whose object is the demanded thing itself ("called for repurposing ..."), as a pattern.
DEMAND_VERBS = (
    r"calls? for|called for|calling for|push(?:es|ed|ing)? for|press(?:es|ed|ing)? for|insists? on|"
    rf"insisted on|would like to see|{_MUST_CLAUSE}"
)
# The words that state a demand, as the rules read it (analysis/demands.py): each is a verb or noun
# whose object or list is the demand ('red line' has none, so it is no cue).
DEMAND_CUE = re.compile(
    rf"\b(?:demands?|demanded|conditions?|wants|wanted|adheres? to|{DEMAND_VERBS})",
    re.I,
)
# The sentences the focused model may cite for a demand (extract.py). Wider than DEMAND_CUE ('must',
# 'urge', 'seek', 'refuse', 'reject' too): the model may find a demand the rules' patterns miss, and
# its answer is kept only where the rules' reading names the same party (extract.apply_focused).
DEMAND_WORDS = re.compile(
    r"\b(demand\w*|condition\w*|insist\w*|calls? for|called for|wants?|seek\w*|refus\w*|reject\w*|"
    r"must|red line|adhere\w*|urg\w+|push\w*)\b",
    re.I,
)
# First words that make a list item a clause of the sentence rather than an item ('said', 'which').
NOT_AN_ITEM = re.compile(
    r"^(?:said|says|speaking|according|he|she|they|but|which|who|it|particularly|especially|notably)\b", re.I
)

# ---------------------------------------------------------------------------------------------------
# Matching a gold annotation's party names (devclusters.py: the SEESAW dev clusters)
# ---------------------------------------------------------------------------------------------------

HONORIFICS = _words(
    "mr mrs ms dr rep reps sen sens senator gov governor president vp judge justice gen general"
)
# Words that may stand before a surname in a party name without naming another person.
SURNAME_TITLES = HONORIFICS | _words(
    "vice former secretary speaker leader majority minority attorney chief mayor prime minister state "
    "house senate ambassador adviser advisor chairman chairwoman chair director commissioner press "
    "spokesperson spokesman spokeswoman sheriff lt us foreign defense homeland national security "
    "representative congressman congresswoman white"
)
# Words that make a name an organisation's, never a person's.
ORGANISATION_WORDS = _words(
    "party parties administration department court courts congress senate house committee union group "
    "agency company campaign corps guard council association office bureau commission center centers "
    "centre foundation fund institute university ministry government republicans democrats lawmakers "
    "senators majority panel votes life parenthood military liberties network news times post states "
    "organization organisation army force forces police"
)
# SEESAW also marks issues ('infrastructure bill', 'power-sharing agreement'): never a person's surname.
ISSUE_WORDS = _words("bill agreement deal plan infrastructure tax rate law act reform")
# Short words inside an organisation's name, never inside a person's ('Department of State').
NAME_FUNCTION_WORDS = _words("of and for the to on in a an by with")
# A speaker that opens with one of these is a reference back, not a name ('his spokesman').
ANAPHORS = _words("he she they it his her their its this that")
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
COURTESY_TITLES = _words("mr mrs ms miss dr")
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
