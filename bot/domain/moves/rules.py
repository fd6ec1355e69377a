"""Hand-written patterns for each move, run on normalised segments.

Each rule is named so that a tutor can see *why* a move was detected.
Patterns are regular expressions over the normalised text of one segment
(lowercase, text-speak expanded, ``? ! , .`` spaced out). A *veto* removes a
move that a positive rule or the classifier proposed when the segment shows
the keyword without the act ("what are you sorry for?", "no need to thank me").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, List, Pattern, Tuple

# Reusable fragments.
_I = r"(?:i|we)"
_ILL = r"(?:i'll|i will|we'll|we will|i am going to|i'm going to|we're going to|we are going to|i shall|we shall)"
_CAN = r"(?:can|could|will|'ll|would|am able to|are able to|'d be happy to|would be happy to|'m happy to|am happy to|are happy to|'d like to|would like to|'m going to|am going to|are going to|'re going to|shall)"
_INTENS = r"(?:so |really |very |truly |terribly |awfully |extremely |incredibly |deeply |sincerely |genuinely |super |completely |totally |absolutely |massively |hugely |properly |just |such )*"
_FEEL = (
    r"(?:frustrat\w*|annoy\w*|stress\w*|worr\w*|upset\w*|disappoint\w*|awful|horrible|horrid|terrible|"
    r"difficult|hard|inconvenien\w*|concern\w*|infuriat\w*|maddening|exhausting|a pain|a nightmare|"
    r"a hassle|a headache|not good|no good|rubbish|unacceptable|distress\w*|anxious|angry|"
    r"irritat\w*|aggravat\w*|unsettl\w*|scary|frighten\w*|draining|tiring|gutting|gutted|"
    r"a let ?down|let down|disheartening|unfair|tough|rough|painful|bad|challenging|miserable|"
    r"devastat\w*|heartbreak\w*|upsetting|worrying|troubling|alarming|confusing|overwhelming|"
    r"far from ideal|less than ideal|not ideal|not on|not okay|not ok|not right|not acceptable|"
    r"a real pain|a shock|shocking|disruptive|a worry|exasperat\w*|fed up|cross|furious|mad|livid|"
    r"the last thing you need\w*|the last thing you want\w*)"
)
_FEELING_NOUN = (
    r"(?:frustration|concern|concerns|annoyance|disappointment|anger|worry|worries|upset|"
    r"feelings|pain|stress|distress|irritation|unhappiness|dissatisfaction|situation|"
    r"position|point of view|point|perspective|anxiety|exasperation|feeling)"
)
_REMEDY = (
    r"(?:refund\w*|replacement|replace\w*|credit\w*|voucher|discount|gift card|goodwill|"
    r"compensation|compensate|exchange|repair\w*|rebook\w*|upgrade\w*|free (?:delivery|shipping|"
    r"postage|month|upgrade|of charge)|reimburs\w*|waive\w*|resend\w*|re-send\w*|reship\w*|"
    r"re-deliver\w*|redeliver\w*|express (?:delivery|shipping|postage)|next[- ]day (?:delivery|shipping)|"
    r"priority (?:delivery|shipping)|courier|collection|engineer visit|technician|callback|call back|"
    r"partial refund|full refund|money back|cashback|cash back|points|a new one|new one|"
    r"a fix|a patch|workaround|work-around|temporary|loan|spare|substitute|alternative)"
)
_DAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thurs|fri|sat|sun)"
_TIME = (
    r"(?:(?:within|in|in the next|over the next|for the next|by|before|no later than|up to|around|about|"
    r"roughly|approximately|approx|under|less than|at least|inside|at most|in about|in around|"
    r"in roughly)\s+(?:\d+|a|an|one|two|three|four|five|six|seven|ten|twelve|fourteen|24|48|72|"
    r"the next|a few|a couple of|a couple|couple of|the|half an?)\s*(?:-|to)?\s*(?:\d+\s*)?"
    r"(?:working |business |calendar |more )?(?:minutes?|hours?|days?|weeks?|months?|hrs?|mins?|"
    r"hour|day|week|month|business days|working days)|"
    r"\b(?:by|on|before|until|till|from|this|next|first thing|on or before)\s+" + _DAY + r"|"
    r"\b(?:by|before|until|till)\s+(?:tomorrow|tonight|the end of|end of|close of|eod|cob|midday|noon|"
    r"\d{1,2}(?::\d\d)?\s*(?:am|pm)|\d{1,2}(?:st|nd|rd|th))|"
    r"\b(?:today|tomorrow|tonight|this afternoon|this evening|this morning|later today|"
    r"end of (?:the )?day|end of (?:the )?week|first thing|within the hour|"
    r"in the next hour|by the end of|next week|later this week|this week|overnight|"
    r"\d+\s*(?:-|to)\s*\d+\s*(?:working |business )?(?:days|weeks|hours)|"
    r"\d+\s*(?:working |business )(?:days?)|24 hours|48 hours|72 hours|\d{1,2}(?::\d\d)?\s*(?:am|pm)|"
    r"(?:on|by) the \d{1,2}(?:st|nd|rd|th)?))"
)
_TEAM = (
    r"(?:manager|supervisor|team ?lead(?:er)?|line manager|specialist|specialists|senior|seniors|"
    r"escalations?(?: team)?|complaints?(?: team| department)?|billing(?: team| department)?|"
    r"technical(?: team| support| department)?|tech(?: team| support)?|accounts?(?: team| department)?|"
    r"data protection(?: team| officer)?|dpo|engineers?|engineering(?: team)?|legal(?: team)?|"
    r"claims?(?: team| department)?|returns?(?: team| department)|customer relations(?: team)?|"
    r"colleague|colleagues|team|department|dept|back ?office|fraud(?: team)?|security(?: team)?|"
    r"the relevant team|relevant team|relevant department|head office|resolutions? team|"
    r"(?:\w+ )?team|(?:\w+ )?department|account manager|case manager|retention(?: team)?|"
    r"logistics(?: team)?|quality(?: team)?|production(?: team)?|specialist team)"
)

# Thanks for something the customer did wrong is sarcasm, not thanks.
_SARCASTIC_THANKS = (
    r"\b(?:thanks?|thank you|cheers|ty)(?: you)?(?: so much| so very much| a lot| a bunch| ever so much)? "
    r"for (?:shouting|yelling|screaming|swearing|the abuse|the attitude|being (?:so )?(?:rude|difficult|"
    r"aggressive|awkward)|wasting|ignoring|reading none|not reading|the (?:caps|capitals|capital letters)|"
    r"your (?:attitude|abuse|tone|rudeness)|making (?:my|this) (?:day|job|life) (?:so )?(?:hard|difficult))\b"
)
# Outside parties an agent may pin a fault on.
_PARTY = (
    r"(?:installers?|fitters?|(?:sub)?contractors?|builders?|couriers?|courier company|delivery company|drivers?|"
    r"post office|postman|royal mail|bank|retailer|seller|manufacturer|supplier|landlord|council|airline|insurer|"
    r"agency|developers?|warehouse|night team|day team|other team|previous owner|previous tenant|plumber|"
    r"electrician|solicitor|estate agent|letting agent|third party|marketplace seller|tour operator|garage)"
)


@dataclass(frozen=True)
class Rule:
    move: str
    name: str
    pattern: Pattern[str]


def _rules(move: str, *patterns: Tuple[str, str]) -> List[Rule]:
    return [Rule(move, name, re.compile(pattern)) for name, pattern in patterns]


POSITIVE: List[Rule] = []
POSITIVE += _rules(
    "greet",
    (
        "opening greeting",
        r"^(?:hi|hello|hey|hiya|howdy|greetings|good (?:morning|afternoon|evening|day)|morning|afternoon|evening|dear \w+|yo)\b(?! again\b)",
    ),
    (
        "self-introduction",
        r"\b(?:you're|you are|ur) (?:through|speaking|talking|chatting|connected) (?:to|with)\b|\bmy name(?:'s| is) \w+|^(?:this is|it's) \w+(?: \w+)? (?:from|at|with|here)\b|\b(?:i'm|i am) \w+ (?:from|at|with|and i'll be|and i will be|and i'm|and i am|,? (?:your|the)|here)\b|\b\w+ here from\b",
    ),
    (
        "general offer of help",
        r"\bhow (?:can|may|could|might) (?:i|we) (?:help|assist|be of (?:help|assistance)|support)\b|\bwhat can (?:i|we) (?:do|help) (?:for|with) you\b|^(?:here to help|happy to help|glad to help|we're here to help|i'm here to help|we'd be happy to help|we would be happy to help|we're happy to help|i'd be happy to help|we'd love to help|we are here for you|we're here for you|i'm here for you|always here to help|we're always here|here for you)\b|\bwelcome to\b|\bhow are you(?: today| doing)?\b|\bthanks for (?:contacting|reaching out to|calling|getting in touch with|messaging|chatting with) \w+",
    ),
)
POSITIVE += _rules(
    "acknowledge",
    (
        "sees the situation",
        r"\b(?:i|we) (?:can )?see (?:that|from|on|in|here|your|the|you|what|it)\b(?! (?:you mean|what you mean|what you're saying))|\b(?:i|we) can see (?:why|how)\b(?= (?:this|that|it|the|your) (?:happened|went wrong|was|has|occurred|came))",
    ),
    (
        "checked the record",
        r"\b(?:i|we)(?:'ve| have)? (?:checked|looked (?:at|into|up)|pulled up|found|reviewed|read|gone through|gone over|had a look at|located)(?: \w+){0,2} (?:your|the|this|that|our)\b|\blooking at (?:your|the|our) (?:account|order|booking|record|records|notes|history|details|case|file|system|tracking|bill|statement)",
    ),
    (
        "restates the problem",
        r"^(?:so(?! (?:sorry|sory|much|very|glad|happy|pleased|please|thanks|thank|that|if|yes|no|i've|i'll|i'm|i will|i have|i can|i am|we've|we'll|we will|we have|we can|am i)\b)|ok so|right so|just so i'm clear|so just to (?:confirm|check|clarify)|just to (?:confirm|check|clarify|recap|be clear)|to (?:confirm|recap|summari[sz]e)|if i understand (?:correctly|right|you correctly)|if i've understood|let me (?:make sure|check) i(?:'ve| have)? (?:got|understood)|am i right (?:in thinking|that)|in other words|to make sure i've got this)\b",
    ),
    (
        "understands the facts",
        r"\b(?:i|we) (?:understand|understood|get|got|hear|note|noted|see)(?: that)?,? (?:your|the|you|it|this|that|there|nobody|no one)\b(?! (?:must|feel|are upset|are frustrated|frustration|concern))(?![\w']* (?:frustrat|upset|annoy|angry|disappoint|feel|cross|worried|fed up|stressed))(?![\w' ]{0,15}\b(?:upset|frustrat|annoy|angry|disappoint|feel|cross|worried|fed up|stressed|anxious))",
    ),
    (
        "got it",
        r"^(?:ok |right |yes |yep |okay |ah |oh )?(?:got it|noted|understood|gotcha|i see|makes sense|i hear you|point taken|fair enough|thanks for (?:explaining|clarifying|confirming)|that makes sense|i've got that|i have that|copy that)\b(?!\s*,?\s*but)",
    ),
    (
        "names the specific problem",
        r"\b(?:sorry|apologies|apologize|apologi[sz]e) (?:that|to hear that|to hear|your|about your|for the|the|about the) \w*\s*(?:order|parcel|package|delivery|item|bill|charge|payment|booking|flight|train|connection|broadband|service|product|refund|account|device|phone|engineer|appointment|repair|parts|shipment|reservation|room|card|app|website|router|invoice|table|ticket|replacement|courier|driver)\b(?:[\w' ]{0,40})?\b(?:hasn't|has not|didn't|did not|wasn't|was not|isn't|is not|hasnt|arrived|late|delayed|broke|broken|stopped|failed|went|was|is|has|been|cancel\w*|double|twice|charged|missing|damaged|faulty|wrong|down|not)\b",
    ),
    (
        "apology names what went wrong",
        r"\b(?:sorry|apologies) (?:to (?:hear|see|learn|read) )?(?:that |about )?(?:(?:your|the|this|that) [\w' ]{0,50}|(?:you're|you are|you've|you have|you were|you had|you) (?!(?:having|experiencing|facing|dealing with|going through|feel|felt|feeling|think|thought)\b)[\w' ]{1,50})\b(?:hasn't|has not|haven't|didn't|did not|wasn't|was not|weren't|isn't|is not|can't|cannot|couldn't|won't|wouldn't|stopped|missing|missed|late|delayed|cancel\w*|broke|broken|lost|damaged|faulty|wrong|dropped|patchy|slow|stuck|declined|overcharged|twice|no longer|not working|keeps|kept|disappeared|vanished|crashing|crashed|freezing|froze|failed|failing)\b|\b(?:sorry|apologies) (?:to (?:hear|see|learn|read) )?(?:that )?(?:you're|you are|you've been|you were|you|you've) (?:seeing|getting|being charged|stuck|without|unable|not able|still|missing|having to|left|can't|couldn't|haven't|hadn't|didn't|weren't|wasn't|lost|missed)\b",
    ),
    (
        "repeats the problem back",
        r"\b(?:you(?:'ve| have)? (?:said|mentioned|told (?:me|us)|explained)|you're saying|you are saying|as you (?:said|mentioned|explained))\b",
    ),
    (
        "understands what happened",
        r"\bi (?:completely |totally |fully )?understand(?: (?:what|that) (?:happened|the problem|the issue|your order|it|you))?\s*(?:\.|,|$)(?!\s*but)",
    ),
)
POSITIVE += _rules(
    "apologize",
    (
        "sorry",
        r"\b(?:so |really |very |truly |terribly |awfully |deeply |extremely |incredibly |super |sincerely |genuinely |massively |hugely )*sorry\b",
    ),
    (
        "apologises",
        r"\b(?:i|we|i do|we do|i really|we really|i sincerely|we sincerely|i truly|we truly|i must|we must|i'd like to|we'd like to|i would like to|we would like to|let me|allow me to|can i|i want to|we want to|i wanted to|we wanted to|i can only|i can't|can't) (?:\w+ )?apologi[sz]e\b|\bapologi[sz]e (?:for|again|that|about|profusely|sincerely|unreservedly)\b|\bapologi[sz]ing\b",
    ),
    (
        "apologies",
        r"\b(?:my|our|many|sincere|sincerest|deepest|humble|heartfelt|huge|big|profuse|again|real|genuine|full|unreserved|all the) (?:\w+ )?apologies\b|^apologies\b|\bapologies (?:for|about|again|that|on|if)\b|\bplease accept (?:my|our) (?:\w+ )?apolog\w+",
    ),
    (
        "regret",
        r"\b(?:i|we) (?:deeply |sincerely |truly |really )?regret (?:that|the|any|this|to)\b|\bmy bad\b|\bmy mistake\b|\bthat's (?:on us|my fault|our fault|our mistake|my mistake)\b|\bit's (?:on us|our fault|my fault)\b|\bwe (?:messed|got it wrong|dropped the ball|let you down)\b|\b(?:i|we) (?:owe you an apology|hold our hands up)\b|\bforgive (?:me|us)\b|\bpardon (?:the|our|my)\b(?! \?)",
    ),
)
POSITIVE += _rules(
    "empathize",
    (
        "that must be hard",
        r"\b(?:that|this|it|which|what a|how|such a|must be|must have been|must've been|sounds?|seems?|looks?)\b[\w' ]{0,25}\b(?:must|must've|must have|would|'d|sounds?|seems?|looks?|can be|has been|have been|is|was|be|been)\b[\w' ]{0,15}"
        + _INTENS
        + _FEEL
        + r"\b",
    ),
    (
        "understands feelings",
        r"\b(?:i|we) (?:completely |totally |fully |really |truly |absolutely |can |do |definitely |certainly |can totally |can completely |can really |can fully )*(?:understand|get|appreciate|see|know|imagine|hear|recogni[sz]e|sympathi[sz]e with|empathi[sz]e with|feel|share|realize|respect)\b[\w' ]{0,10}\b(?:how|why|your|the|what|that you|you're|you are|you'd|you would|you must|you feel|you might)\b[\w' ]{0,25}(?:"
        + _FEEL
        + r"|"
        + _FEELING_NOUN
        + r"|feel\w*|important|much|stressful|upset|angry|annoy|frustrat|worr|disappoint|inconvenien|concern|matters|matter)",
    ),
    (
        "names the feeling",
        r"\b(?:understand|appreciate|hear|feel|share|recogni[sz]e|acknowledge|get|sense|validate) (?:your|the|how|this|that) ?(?:"
        + _FEELING_NOUN
        + r")\b|\byour (?:frustration|concern|anger|upset|disappointment|feelings|annoyance) (?:is|are) (?:completely |totally |entirely |perfectly |fully )?(?:valid|understandable|justified|fair|reasonable|natural)\b|\b(?:completely|totally|perfectly|entirely|very|fully) understandable\b|\b(?:you're|you are|you have every|you've every|you have|you've) (?:absolutely |completely |totally |quite )?(?:right|entitled|reason|justified) to (?:be|feel) (?:upset|annoyed|frustrated|angry|disappointed|cross|worried|concerned|let down)\b|\bno wonder you(?:'re| are| feel)\b",
    ),
    (
        "puts self in their shoes",
        r"\b(?:i'd|i would|anyone would|anybody would|i'd be|i would be|i'd feel|i would feel|we'd)\b[\w' ]{0,10}\b(?:feel |be )?(?:the same|frustrated|upset|annoyed|furious|angry|worried|disappointed|fuming|livid|cross)\b|\bin your (?:shoes|position|place)\b|\bif (?:i|that) (?:was|were) (?:me|in your)\b|\bcan (?:only )?imagine\b|\bi can't imagine\b",
    ),
    (
        "sympathy without sorry",
        r"\b(?:oh no|oh dear|oh man|oh gosh|oh goodness|oh my|ugh|yikes|oof|ouch|oh wow|goodness|dear me)\b|\bthat(?:'s| is| isn't| is not)\b[\w' ]{0,10}\b(?:not good|no good|not ok|not okay|awful|terrible|horrible|not right|not acceptable|unacceptable|not on|rubbish|not great|far from ideal|not ideal|less than ideal|a shame|a pity|frustrating|annoying|disappointing|worrying|stressful|upsetting|rough|tough|hard|a pain|a nightmare|not what you|the last thing|really bad|bad)\b|\bnot the (?:experience|service|standard|level of service) (?:we|you|i)\b|\b(?:sounds|sound|seems|looks) (?:really |very |so |incredibly |quite |pretty )?(?:concerning|worrying|stressful|frustrating|awful|difficult|upsetting|rough|tough|horrible|terrible|bad|annoying|unpleasant|exhausting|disappointing|like a (?:nightmare|pain|hassle|real|rough|tough|difficult|frustrating|terrible|horrible))\b|\b(?:what a|such a) (?:pain|nightmare|hassle|shame|pity|frustrating|stressful|horrible|terrible|rubbish|awful)\b",
    ),
    (
        "hates to hear it",
        r"\b(?:we|i) (?:never |really |truly |certainly |definitely )?(?:hate|don't like|do not like|never like|dislike|hated) (?:to )?(?:hear|hearing|see|seeing|read|reading) (?:this|that|about|of|you|it|your)\b(?! (?:go|leave)\b)|\b(?:not|never) (?:what|something) (?:we|i) (?:like|want|love|expect|hope) to (?:hear|see|read)\b",
    ),
    (
        "impact on the customer",
        r"\b(?:especially|particularly|specially) (?:before|when|with|since|as|if|after|on|given|for)\b|\b(?:i|we) know how (?:important|much|frustrating|stressful|annoying|upsetting|inconvenient)\b|\b(?:i|we) reali[sz]e (?:how|this|that|what)\b[\w' ]{0,30}(?:important|much|inconvenient|difficult|frustrating|stressful|upsetting|impact|affect)|\bthe last thing you (?:need|want|needed|wanted)\b|\bhaven't been able to\b|\b(?:must have|must've|will have|would have) (?:caused|been|put|left|ruined|spoiled|affected|disrupted)\b|\b(?:impact|effect) (?:on|this has|it has|this had|it's had|this is having)\b|\bthrown (?:your|you)\b|\bleft you\b",
    ),
)
POSITIVE += _rules(
    "thank",
    (
        "thanks",
        r"\bthank(?:s| you| u)\b|\bthank you so much\b|\bmany thanks\b|\bthanks a lot\b|\bcheers for\b|\bcheers\b(?! for now)|\bta\b(?= (?:for|very much|so much))|\bmuch appreciated\b|\bgrateful\b|\bi (?:really |do |truly )?appreciate (?:your|you|the|that|it|this|ur|all)\b|\bwe (?:really |do |truly )?appreciate (?:your|you|the|that|it|this|all)\b|\bappreciate (?:your|you) (?:patience|understanding|help|time|business|loyalty|feedback|bringing|letting|reaching|contacting|waiting|bearing|raising|flagging|getting|sharing|custom|support|coming|telling|being|giving)",
    ),
)
POSITIVE += _rules(
    "ask_question",
    ("question mark", r"\?\s*$|\?\s+\w"),
    (
        "asks for details",
        r"\b(?:can|could|would|will|may|might) (?:you|i|we|i please|you please|i just|i get you to|i ask you to|you kindly|i grab|i take|i have|i get|i confirm|i check|i ask|we get|we have|you just|you possibly|you also)\b[\w' ]{0,12}\b(?:give|send|provide|confirm|tell|share|let (?:me|us) know|check|dm|email|verify|describe|explain|supply|pass|spell|read out|quote|grab|take|have|get|ask|post|attach|upload|forward|reply|message|text|call|ring|update|clarify|repeat|remind|look|find|advise)\b",
    ),
    (
        "requests data",
        r"(?:^|\bplease |\bkindly |\bpls |\bjust |\bcan you |\bcould you |\bwould you |\band |\bthen |\bif you (?:could|can) |\bwe'd ask you to |\bi'd ask you to )(?:send|dm|message|provide|give|share|confirm|email|reply|pass|forward|attach|upload|drop|post|follow|text|include|supply|verify|spell|quote)\b[\w' ]{0,20}\b(?:your|the|ur|a|an|us|me|which|what|when|where|if|whether|with|over|details|number|reference|ref|order|account|email|address|postcode|zip|name|date|photo|picture|screenshot|serial|booking|invoice|dob|phone|contact)\b(?!.*\b(?:refund|replacement|voucher)\b)",
    ),
    (
        "needs information",
        r"\b(?:i|we)(?:'ll| will| would|'d)? need (?:your|the|a|an|to (?:get|take|have|know|see|confirm|check|ask|grab|verify)|some|more|a few|a couple|you to (?:send|give|confirm|provide|tell|check|dm|share|email|fill))\b|\b(?:let me|let us|lmk) know (?:your|the|what|which|when|where|how|if|whether|who)\b(?!.*\b(?:anything else|get on|goes|went|need anything|any(?:thing)? (?:further|more)|works? out)\b)|\btell (?:me|us) (?:more|your|the|what|which|when|where|how|a bit|about|if|whether)\b|\bwhat (?:is|was|'s) (?:your|the|ur)\b|\bmay i (?:have|ask|take|get|grab|confirm)\b",
    ),
    (
        "asks for a private message",
        r"\b(?:shoot|drop|send|pop|fire|slide|flick|give) (?:us|me) (?:a |an )?(?:quick |private |direct )?(?:dm|pm|direct message|private message|dms)\b|\b(?:reach out|contact us|get in touch|message us|talk to us|chat with us|connect with us|speak with us)\b[\w' ]{0,15}\b(?:via|by|through|in|over|using) (?:a )?(?:dm|pm|dms|direct message|private message)\b|\bin (?:a )?(?:dm|pm|direct message|private message) (?:with|including) (?:your|the)\b",
    ),
    (
        "question opener",
        r"^(?:and |so |ok |okay |right |also |just |sorry |and just )?(?:what|when|where|which|who|whom|whose|why|how|did|do|does|have|has|had|is|are|was|were|can you|could you|would you|will you|any chance|is there any chance|do you happen|have you|has it|is it|was it|were you|did you|do you|does it|are you|were they)\b(?!.*\b(?:anything else|else i can|work for you|sound ok|sound good|help\w*\s*$)\b)",
    ),
)
POSITIVE += _rules(
    "explain",
    (
        "gives a cause",
        r"\b(?:because|due to|owing to|as a result of|caused by|the reason (?:is|was|being|for)|the cause|that's because|that is because|this is because|this was because|it's because|it was because|happened because|this happened|that happened|what happened (?:is|was|here)|this is down to|was down to|is down to|stems from|resulted from|result of|following (?:a|an|the)|on account of)\b",
    ),
    (
        "reason after as or since",
        r"\b(?:can't|cannot|unable to|not able to|won't|couldn't|isn't|aren't|wasn't|weren't|don't|doesn't|didn't)\b[\w' ]{0,40}\b(?:as|since) (?:it's|it is|it was|the|your|they|this|that|there|we|our|its)\b[\w' ]{0,10}\b(?:past|over|outside|expired|after|used|opened|worn|damaged|a |an |non|not|no longer|only|already|more than|older|beyond|personali[sz]ed|sale|final)",
    ),
    (
        "explains policy or process",
        r"\b(?:our|the|this|company|store|shop|bank|airline|hotel) (?:policy|policies|terms|process|procedure|system|rules?|guidelines|t&cs|t's and c's|terms and conditions|contract|sla|agreement|warranty|guarantee|law|regulations?)\b[\w' ]{0,15}\b(?:is|are|states?|says|requires?|allows?|means|covers?|mean|only|doesn't|does not|don't|won't|will|lets|let|gives?|entitles?|excludes?|includes?)\b|\b(?:under|according to|in line with|as per|per) (?:our|the|your|this) (?:policy|terms|contract|sla|agreement|warranty|law|consumer rights act|rules|guidelines|equality act|data protection act|t&cs)\b|\b(?:consumer rights act|equality act|data protection act|gdpr)\b",
    ),
    (
        "explains timing",
        r"\b(?:refunds?|returns?|deliveries|delivery|orders?|payments?|transfers?|credits?|repairs?|claims?|replacements?|parcels?|it|they|this|that|the process|processing|the (?:bank|card|payment))\b[\w' ]{0,15}\b(?:usually|normally|typically|generally|can|may|tend to|often|always|do|does|will)? ?(?:take|takes|took|clear|clears|arrive|arrives|are processed|is processed|get processed|gets processed|process|go through|goes through|show|shows)\b[\w' ]{0,15}\b(?:\d|days?|hours?|weeks?|minutes?|working|business|while|time|longer)\b|\b(?:usually|normally|typically|generally|as a rule)\b(?! (?:does|do) the trick)[\w' ]{0,10}\b(?:takes|it|we|orders|deliveries|the|refunds|payments|this)\b",
    ),
    (
        "neutral account of a fault",
        r"\b(?:there (?:was|has been|is|were|have been|had been|'s been)|we (?:had|have had|'ve had|are having|'re having|were having|experienced|are experiencing|'re experiencing)|it looks like (?:there|the|your|our)|it seems (?:there|the|your|our)|it appears (?:there|the|your|our)|looks like (?:there|the|your|our))\b[\w' ]{0,20}\b(?:problem|issue|fault|error|outage|delay|delays|glitch|mix-up|mixup|backlog|strike|storm|snow|weather|breakdown|shortage|bug|incident|disruption|technical|system|failure|hold-up|holdup|mistake|overbook\w*|high volume|surge|maintenance|accident|flood\w*|power cut)\b|(?<!sorry )(?<!sorry that )(?<!apologies that )(?<!apologies )(?<!sorry to hear )(?<!sorry to see )(?<!so )\b(?:the|our|your) (?:courier|driver|van|warehouse|system|engineer|flight|train|payment|parcel|package|order|supplier|depot|hub|plane|server|network|site|website|app|shipment|delivery|machine|line|software|update|aircraft|crew|kitchen)\b[\w' ]{0,20}\b(?:broke|broken|down|missed|delayed|held up|stuck|failed|crashed|was rerouted|got lost|went to|was sent to|went out|was cancel\w*|is cancel\w*|ran out|didn't|couldn't|wasn't able|was unable|overran|had a|has a|was damaged|is damaged|caught|ran into|had an|hit|double-?charged|charged twice|duplicat\w*|processed twice|scanned|flagged)\b",
    ),
    (
        "how it works",
        r"\b(?:that|this|it|which) (?:(?:means|meant)(?! (?:a lot|so much|the world)\b)|is how|is why|is the way|happens when|is what happens)\b|\b(?:the way (?:it|this) works|how (?:it|this) works is|what this means is|what that means is|the good news is|to explain)\b|\bwhen (?:you|a|the|an) \w+ (?:is|are|gets|get)\b[\w' ]{0,25}\b(?:we|it|the|you)\b",
    ),
)
POSITIVE += _rules(
    "take_ownership",
    (
        "leave it with me",
        r"\bleave (?:this|it|that) with (?:me|us)\b|\b(?:i'm|i am) on (?:it|the case|this)\b|\bconsider it (?:done|sorted)\b|\bi(?:'ve| have) got (?:this|you|it)\b(?! (?:wrong|here))|\bwe(?:'ve| have) got (?:this|you)\b",
    ),
    (
        "commits to handle it",
        r"\b"
        + _ILL
        + r" (?:personally |definitely |absolutely |certainly |make sure to |now |right now |immediately )?(?:look into|looking into|sort|sorting|handle|handling|deal with|dealing with|take care|own|see (?:this|it) through|chase|chasing|investigate|investigating|find out|follow (?:this|it) up internally|get (?:this|it|that|things|everything) (?:sorted|fixed|resolved|done|moving|put right|right|looked at)|fix|fixing|resolve|resolving|put (?:this|it|things) right|make (?:this|it|things) right|get to the bottom|take (?:ownership|responsibility|charge)|keep (?:an eye|on top)|work on|personally|do (?:everything|all|what)|do my best|do our best|make sure (?:this|it|that|you|we|your|the|everything)|ensure (?:this|it|that|you|we|your|the)|raise (?:this|it) (?:internally|with)|look at|check (?:this|it|that|on|what|with|into|the status)|see what (?:i|we) can do|get on (?:it|this|to it)|take a (?:closer )?look|track (?:this|it|that|your|the)|trace|locate|find (?:your|the|out))\b",
    ),
    (
        "let me handle it",
        r"\b(?:let me|allow me to|let us|lemme) (?:look into|check|sort|fix|handle|take a (?:closer )?look|find out|investigate|see what|get (?:this|that|it) (?:sorted|fixed|resolved)|dig into|look at|chase|track|trace|take care|have a look|look up|pull up|review|get to the bottom|see if|see how|deal with|get on)\b",
    ),
    (
        "works on it for them",
        r"\b(?:we|i|our (?:\w+ )?(?:team|staff|engineers|crew|agents))(?:'re|'ll| are| will| is| am)? (?:be )?(?:working|work|going to work|doing (?:all|everything)|do (?:all|everything|our best|our utmost|what we can)) (?:hard |around the clock |flat out |as quickly as we can |(?:all|everything) (?:we|i) can )?(?:to |so )(?:get|reunite|return|fix|sort|resolve|restore|find|track|trace|make|help)\b[\w' ]{0,20}\b(?:you|your)\b",
    ),
    (
        "we'd like to look",
        r"\b(?:we'd|we would|i'd|i would|we'll|we will|we're|we are|i'm|i am)\s+(?:really |definitely |be )?(?:like|love|happy|glad|keen|want) to (?:take a (?:closer |quick )?look|look into|check|dig into|investigate|get (?:this|it|that) (?:sorted|fixed|resolved)|sort (?:this|it|that)|make (?:this|it|things) right)\b|\blet's (?:get (?:this|it|that|things|you) (?:sorted|fixed|resolved|sorted out|looked at)|figure (?:this|it|that) out|sort (?:this|it|that) out|take a look|fix (?:this|it|that)|get to the bottom)\b|\b(?:we'll|we will|i'll|i will) take it from there\b|\bso (?:we|i) can (?:make (?:this|it|things) right|see what we can do|look into (?:this|it|that)|get (?:this|it|that) (?:sorted|fixed|resolved)|sort (?:this|it|that)(?: out)?|investigate|dig into|take a (?:closer )?look)\b|\b(?:we'll|we will|i'll|i will|let us|let me)\s+(?:check|take a look|have a look|look)\s*(?:\.|!|,|$|for you|on (?:this|that|it)|into (?:this|that|it))",
    ),
    (
        "takes responsibility",
        r"\b(?:i|we) take (?:full |complete )?(?:responsibility|ownership)\b|\bi(?:'ll| will) be your (?:point of contact|contact|case owner)\b|\bi(?:'m| am) (?:personally )?(?:handling|taking care of|looking into|dealing with|going to handle|going to look|owning|responsible for|looking at|checking|chasing|investigating)\b|\bwe(?:'re| are) (?:looking into|investigating|on it|working on|handling|dealing with|checking)\b|\bi(?:'ll| will) (?:stay on|see it through|own this|be the one)\b|\bi(?:'m| am) (?:not going to|won't) let (?:this|it) (?:go|drop|slide)\b",
    ),
)
POSITIVE += _rules(
    "offer_solution",
    (
        "offers a remedy",
        r"\b(?:i|we)(?: |(?='))"
        + _CAN
        + r" (?!(?:\w+ )?(?:update (?:you|u|this|the ticket|here)|give you a (?:ring|call|bell|shout)|send (?:you |u )?(?:an? )?(?:update|message|text|note|reply)|send (?:this|it) (?:up|over|on)|get (?:a|someone|somebody|my|our|the|one of our) \w+ to|raise (?:a|an|this|it) (?:ticket|query|incident|case) with|only)\b)(?:\w+ )?(?:take (?:the|your|a) (?:order|payment|booking|details|card)|write off|knock|price match|offer|give|send|issue|process|arrange|refund|replace|credit|reimburse|waive|upgrade|rebook|reschedule|book|reship|resend|re-send|dispatch|expedite|cancel|fix|repair|provide|apply|add|compensate|swap|exchange|top up|extend|honou?r|pay|cover|collect|courier|post|put (?:a|an|through)|set up|organi[sz]e|raise a|get you|get a|sort you|sort out a|reverse|remove|correct|amend|update|change|unlock|reset|reactivate|restore|reconnect|release|move you|transfer the|return|void|adjust|match|bump|prioriti[sz]e|refer you for|hold|reserve|deliver|switch|install|unblock|upgrade|discount|reduce|lower|cancel the|stop the|freeze|pause|split|spread)\b",
    ),
    (
        "names a remedy",
        r"\b(?:a|an|the|full|partial|your|free|complimentary|one-off|goodwill|immediate|instant)\s+(?:\w+\s+)?"
        + _REMEDY
        + r"\b[\w' ]{0,30}\b(?:for you|today|now|straight away|right away|instead|if you(?:'d| would) like|if you prefer|if that helps|as a|which|that|or|will|would|to|is|on its way|has been|have been|on your)\b|\b(?:would you (?:like|prefer)|do you want|shall i|should i|how about|what about|what if|i suggest|i'd suggest|i would suggest|i recommend|i'd recommend|we recommend|we suggest|my suggestion|one option|another option|the options? (?:is|are|would be)|you(?:'re| are) (?:entitled|eligible) to|you (?:can|could) (?:have|choose|get|claim|return|request|exchange|opt|pick|select|take|keep|use|collect|cancel|book|apply|switch)|either|or alternatively|alternatively|as a gesture|as a goodwill|as goodwill|by way of apology)\b",
    ),
    (
        "action already taken",
        r"\b(?:i|we)(?:'ve| have)? (?:just |now |already )?(?:issued|processed|refunded|sent|arranged|applied|credited|booked|rebooked|reshipped|re-sent|resent|dispatched|canceled|added|raised a|upgraded|waived|reversed|removed|corrected|amended|updated|reset|unlocked|reactivated|restored|reconnected|released|replaced|repaired|fixed|expedited|reordered|re-ordered|rescheduled|requested a (?:refund|replacement|callback|collection)|put through|set up|organi[sz]ed|escalated? and)\b(?! (?:you\b|that on|this to|it to|your case to|the case to))",
    ),
    (
        "points to fix steps",
        r"\b(?:steps|guide|article|instructions|tips|troubleshooting|walkthrough|workaround|fix|how-to|help page|support page)\b[\w' ,:]{0,40}\blink\b(?![\w' ]{0,20}\b(?:policy|terms|form)\b)|\b(?:try|follow|check out|use) (?:the |these |this |our )?(?:steps|guide|article|instructions|tips|troubleshooting steps|workaround)\b",
    ),
    (
        "self-service the customer can use",
        r"\byou can (?:also |still |easily |now |always |just |simply )?(?:reschedule|rebook|return|cancel|claim|change|update|track|add|request|pick (?:it|them) up|collect|download|reset|dial|turn (?:it |this |that )?(?:on|off)|switch|apply|manage|swap|exchange|upgrade|transfer|renew|start (?:a|the|your) (?:return|claim|refund)|submit|report|redeem|use (?:your|the|a|it|this|that|our)|rebook)\b|\b(?:we'd|i'd|we would|i would) (?:suggest|recommend|advise)\b|\b(?:we'll|we will|i'll|i will|let's|let me|we can|i can) get (?:it|that|this|them|you|one) (?:swapped|replaced|rebooked|refunded|exchanged|reissued|resent|re-sent|credited|booked in|upgraded|moved|repaired|fixed up)\b|\bhere's (?:a|the|our) (?:guide|walkthrough|article|how-to|link)\b",
    ),
    (
        "troubleshooting step",
        r"\b(?:please |pls |try |can you try |could you try |have you tried |if you |just |you could try |you can try |you might try |why not |you may want to |it's worth |worth |try to )(?:restart\w*|reboot\w*|reset\w*|clear\w*|updat\w*|reinstall\w*|unplug\w*|turn\w* (?:it )?(?:off|on)|log\w* (?:out|in|back)|sign\w* (?:out|in)|switch\w* (?:it )?(?:off|on)|re-?enter\w*|us\w* a different|try\w* again|power ?cycl\w*|check\w* (?:the|your) (?:cable|settings|spam|junk|connection|router|plug|battery|app)|toggl\w*|disconnect\w*|reconnect\w*|forget\w* the network|re-?pair\w*|charg\w*|hard reset|factory reset|deleting|delete)\b",
    ),
)
POSITIVE += _rules(
    "set_expectations",
    (
        "timeline",
        r"\b(?:you(?:'ll| will| should| shall)|it(?:'ll| will| should)|this (?:will|should)|that (?:will|should)|they(?:'ll| will| should)|he(?:'ll| will)|she(?:'ll| will)|we(?:'ll| will| should)|i(?:'ll| will)|your \w+ (?:will|should)|the \w+ (?:will|should)|expect|expecting|you can expect|should be|will be|is due|are due|due to arrive|estimated|eta)\b[\w' ,£$.-]{0,60}"
        + _TIME,
    ),
    (
        "scheduled departure or reopening",
        r"\b(?:(?:is|are|you're|you are|it's|now) )?(?:due to|expected to|scheduled to|set to|now|should|will)\s+(?:\w+\s+)?(?:depart\w*|arrive|reopen|resume|land|board\w*|go out|be back up|be restored|return to service)\b[\w' ,]{0,30}\b(?:at|on|in|by|from)\s+(?:\d|"
        + _DAY
        + r"|tomorrow|tonight|the|gate|platform|january|february|march|april|may|june|july|august|september|october|november|december)",
    ),
    (
        "next steps",
        r"\b(?:next steps?|the next step|what (?:will|'ll|is going to) happen (?:next|now)|here's what (?:happens|will happen)|what happens (?:next|now) is|from here|once (?:that|this|it|we|i|the|your)(?:'s| is| has| have)? ?(?:\w+ )?(?:done|processed|approved|received|back|complete|completed|confirmed|arrived|through|in|sorted)|as soon as (?:it|that|this|we|the|your)|in the meantime|meanwhile|keep an eye out for|look out for|watch out for|you(?:'ll| will) (?:receive|get|see|hear|be (?:contacted|notified|sent|emailed|refunded|credited|updated)))\b",
    ),
    (
        "states when",
        r"\b(?:by|before|within|no later than)\s+(?:the end of|end of|close of|eod|cob|tomorrow|tonight|"
        + _DAY
        + r"|\d+\s*(?:working |business )?(?:days?|hours?|minutes?|weeks?))\b|\b(?:will|should|'ll) (?:arrive|land|be there|be with you|reach you|be delivered|be processed|be credited|be refunded|clear|show|appear|go out|be back|be fixed|be resolved|be sorted|be ready|be dispatched)\b",
    ),
)
POSITIVE += _rules(
    "escalate",
    (
        "hands the case on",
        r"\b(?:pass|passing|passed|transfer|transferring|transferred|refer|referring|referred|escalate|escalating|escalated|hand|handing|handed|forward|forwarding|forwarded|raise|raising|raised|send|sending|sent|put|putting|connect|connecting|flag|flagging|flagged|log|logging|logged|get|getting|bring|bringing|loop|looping|route|routing|routed|assign|assigning|assigned|allocate|allocating|allocated|book|booking|move|moving|direct|directing)\b[\w' ]{0,20}\b(?:to|over to|on to|onto|up to|with|through to|in|across to|for)\s+(?:our|my|the|a|an|one of our|your|their|his|her)?\s*"
        + _TEAM
        + r"\b",
    ),
    ("escalation", r"\bescalat(?:e|ed|es|ing|ion)\b(?! (?:isn't|is not|won't|will not|wouldn't|would not|not needed))"),
    (
        "brings in someone senior",
        r"\b(?:i'll|i will|we'll|we will|let me|i can|i'm going to|i am going to|i'm|i've|i have|we've|we have|i'd like to|can i|shall i)\s+(?:get|ask|have|arrange for|request|bring in|call|fetch|find|grab|put you through to|transfer you to|connect you (?:to|with)|speak (?:to|with)|talk to|contact|involve|consult|check with|email|notify)\s+(?:a|my|our|the|a senior|one of our|someone (?:from|in)|somebody (?:from|in))\s*(?:manager|supervisor|team ?leader|team ?lead|specialist|senior|line manager|engineer|technician|expert|colleague from|billing|technical|complaints|escalations|data protection|dpo)\b",
    ),
    (
        "sends them elsewhere",
        r"\b(?:please |pls |you(?:'ll| will)? (?:need|have) to |you can |you could |you should |you'd need to |you would need to |best to |it's best to |i'd recommend you |i recommend you |we recommend you |we'd advise you to |kindly |you may |you might )?(?:call|phone|ring|contact|email|e-mail|visit|go to|head to|pop into|pop in to|drop into|fill (?:in|out)|complete|submit|use|reach out to|get in touch with|speak to|talk to|chat with|message|write to|raise it with|take (?:it|this) up with|try|check with|head over to|go through)\s+(?:our|the|their|your (?:local|nearest|bank|provider)|a|an|your|one of our)?\s*(?:\w+\s+)?(?:billing|technical|tech|support|customer service|customer services|complaints|returns|data protection|accounts|sales|claims|fraud|disputes?|escalations|bookings|reservations|help|helpdesk|service|specialist|care|repairs|warranty|collections)?\s*(?:team|line|department|dept|store|branch|shop|website|site|form|online form|helpline|hotline|number|page|portal|live chat|webchat|web chat|chat|app|centre|center|desk|office|dpo|officer|partner|manufacturer|retailer|bank|provider|supplier|courier|insurer)\b(?! (?:and|to) (?:dm|send))|\b(?:on|at) (?:0\d{3}|0\d{2,4}[ -]?\d{3}|\+44|1-?800|800|\(?\d{3}\)?[ -]?\d{3}[ -]?\d{4})",
    ),
    (
        "points to who can help",
        r"\b(?:they|the (?:\w+ )?(?:team|desk|office|department|store|branch|shop|surgery|pharmacy|helpline|line|reception|staff|provider|manufacturer|retailer|seller|landlord|bank|insurer|council)|your (?:\w+ )?(?:bank|provider|gp|surgery|pharmacy|landlord|insurer|admin|employer|school|council|optician|dentist))\s+(?:can|will be able to|would be able to|should be able to|are best placed to|is best placed to|can advise|will advise)\s+(?:help|advise|sort|deal|assist|look|swap|fix|arrange|reissue|unlock|update)\b|\b(?:you'll|you will|you'd|you would|you'll just) (?:want|need|have) to (?:speak|talk|go|get in touch|check) (?:to|with|through) (?:the|your|them|their)\b|\bthe (?:best|right) (?:people|person|place|team) (?:to (?:help|ask|contact|speak to)|for (?:this|that)|is|are|would be)\b|\b(?:i've|we've|i have|we have) (?:let|made) (?:the|our|your) (?:\w+ )?(?:\w+ )?(?:know|aware)\b|\b(?:i've|we've|i have|we have) (?:passed|fed|shared|sent) (?:this|it|that|your (?:\w+ )?(?:comments|feedback|complaint|details|case|file|query|email|message)) (?:back |on |over |up )?(?:to|with)\b|\b(?:put you through|pass you (?:over )?to|transfer you to|loop in|bring in)\b|\b(?:portal|online form|claim form|web form|contact form)\b(?=[\w' ]{0,30}$)",
    ),
)
POSITIVE += _rules(
    "check_satisfaction",
    (
        "does that work",
        r"\b(?:does|would|will|is|did|do|has|could|might|can)\b (?:that|this|it|these|those|either|any of (?:those|these|them)|one of (?:those|these)|this option|that option|the \w+)\b[\w' ]{0,6}\b(?:work|suit|help|sort|solve|resolve|fix|fit|ok|okay|alright|all right|good|fair|acceptable|satisfactory|cover|address|answer|make sense|sound|do)\b(?=[\w' ]{0,20}(?:\?|$|for you|with you|to you))",
    ),
    (
        "is that ok",
        r"\b(?:is|was|would|will) (?:that|this|it) (?:be )?(?:ok|okay|alright|all right|acceptable|fair|suitable|enough|good|fine|helpful|satisfactory|agreeable|something you)\b|\bhow does (?:that|this) (?:sound|seem|feel)\b|\bhow (?:would|'s|is|does) that\b(?= (?:sound|be|work|seem|suit))|\bsound (?:good|ok|okay|fair|alright|reasonable)\s*\?|\b(?:are you|r you|you) (?:happy|ok|okay|alright|satisfied|comfortable|content|good) (?:with|for|to)\b|\b(?:happy|ok|okay|satisfied) with (?:that|this|the|those)\s*\?|\bwork for you\b|\bsuit you\b|\bwhat do you think\b|\bare you happy\b",
    ),
    (
        "anything else",
        r"\banything else\b|\bsomething else (?:i|we) can\b|\bany other (?:questions?|issues?|concerns?|problems?|way|queries)\b|\b(?:can|could|may) (?:i|we) help (?:you )?with anything\b|\bif (?:you|there's|there is) (?:need|anything)\b[\w' ]{0,15}\b(?:else|further|more)\b|\bany(?:thing)? (?:further|more) (?:i|we) can\b|\bfurther assistance\b|\bis there (?:anything|something) (?:more|further)\b|\bhelp with today\b",
    ),
    (
        "has it resolved",
        r"\b(?:has|did|have|is|was) (?:that|this|it|everything|the \w+|your \w+)\b[\w' ]{0,8}\b(?:answer|resolve|sort|fix|help|clear|solve|work|arrive|come through|go through|turn up|sorted|resolved|fixed|working)\w*\b(?=[\w' ]{0,25}(?:\?|$))|\bhope (?:that|this) (?:helps|answers|resolves|clears|sorts|is ok)\b[\w' ]{0,6}\?|\bare you (?:all )?(?:set|sorted)\b|\bdid (?:that|this|i) (?:answer|help|resolve)\b|\b(?:all good|all ok|we good)\s*\?|\bhave i (?:answered|resolved|covered)\b|\bfully resolved\b|\bresolved (?:everything|your (?:issue|query|problem))\b",
    ),
)
POSITIVE += _rules(
    "follow_up",
    (
        "will come back",
        r"\b(?:i'll|i will|we'll|we will|i'm going to|we're going to|i am going to|we are going to|i can|we can|i shall|someone will|i'd like to|we'd like to)\s+(?:personally |also |then |definitely |make sure to |be sure to )?(?:call|ring|phone|email|e-mail|message|text|contact|check in|check back|follow up|follow this up|follow it up|get back to|come back to|touch base|update|chase (?:this|it) (?:up )?and (?:let|get|call|update)|reach out|drop you|send you an update|let you know|keep you (?:posted|updated|informed|in the loop)|be in touch|give you a (?:call|ring|bell)|check (?:on|that|whether|it)|monitor|confirm (?:with you|once|when))\b",
    ),
    (
        "checking in",
        r"\b(?:just )?(?:checking|following) (?:in|up|back)\b|\bcheck(?:ing)? (?:in )?(?:to see|on (?:how|whether|if|you))\b|\bjust wanted to (?:check|follow|see|make sure)\b|\bfollow(?:ing)?-?up (?:on|from|call|email|message|regarding)\b|\bi'm (?:calling|writing|getting in touch|messaging|emailing) (?:back|to follow|to check|about your|to see)\b",
    ),
    (
        "answered in private or posts updates",
        r"\b(?:we|i)(?:'ve| have)? (?:just )?(?:replied|responded|answered|written back|got back to you|sent you a (?:dm|pm|message|reply|note)|followed up|dm'd you|dmed you|messaged you)\b[\w' ]{0,20}\b(?:dm|dms|pm|direct message|private message|inbox|messages|email)\b|\b(?:we'll|we will|i'll|i will)\s+(?:tweet|post|share|send|publish)(?: you)?\s+(?:any |further |more |regular |the latest )?(?:updates?|news)\b",
    ),
    (
        "report back",
        r"\blet (?:me|us) know (?:how|if|whether|when)\b[\w' ]{0,15}\b(?:get on|goes|went|works out|turns out|arrives|comes|it arrives|it works|that works|you got on|it goes|that goes|it helped|that helped|it comes|any (?:more )?(?:problems|issues|trouble)|still|doesn't|does not|hasn't|isn't|it doesn't|happens again|persists|recurs|the problem|the issue)\b|\b(?:get|come) back to (?:me|us) if\b|\b(?:reply|respond|message (?:us|me)|get in touch|drop (?:us|me) a (?:line|message)|reach out|write back|give (?:us|me) a shout|shout|ping (?:us|me))\b[\w' ]{0,15}\bif (?:it|that|this|the \w+|you|anything|there|things)\b[\w' ]{0,20}\b(?:doesn't|does not|still|hasn't|isn't|fails|not|again|any|more|further|other|else|problems|issues|trouble)\b|\bkeep (?:me|us) (?:posted|updated|informed)\b|\bkeep you (?:posted|updated|informed|in the loop)\b|\b(?:i|we)(?:'ll| will) be in touch\b|\bhear back from you\b|\bif (?:it|that|this|the \w+) (?:doesn't|does not|hasn't|isn't|still|fails)\b[\w' ]{0,30}\b(?:let (?:me|us) know|get in touch|come back|reply|message|contact|reach out|just say|shout)\b",
    ),
)
POSITIVE += _rules(
    "close",
    (
        "signs off",
        r"\b(?:have a (?:lovely|great|good|nice|wonderful|fantastic|brilliant|super|pleasant|blessed|safe|restful|relaxing|happy|peaceful|better|smashing|good rest of|great rest of|lovely rest of)\b[\w' ]{0,12}(?:day|evening|weekend|night|afternoon|morning|one|rest|week|trip|time|flight|holiday|holidays|christmas|stay|journey)|take care|all the best|best wishes|kind regards|warm regards|best regards|regards|goodbye|good ?bye|bye for now|bye\b|cheers for now|speak (?:soon|later)|talk (?:soon|later)|until next time|enjoy (?:your|the) (?:day|evening|weekend|trip|holiday|meal|stay|flight|rest)|signing off|good night|goodnight|stay safe|be well|have a good (?:one|day)|thanks again and|all sorted then|i'll let you go|i'll let you get on|enjoy the rest of)\b|\bthanks (?:again )?for (?:your|getting in touch|contacting|calling|chatting|reaching out|choosing|being)\b(?=[\w' ]{0,40}(?:bye|day|evening|care|weekend))|\bthank you for (?:calling|contacting|chatting)\b(?=[\w' ,!.]{0,20}$)",
    ),
)
# The moves that make things worse. Agents rarely name the act ("I blame you"); they pin
# the cause on someone, shrug the problem off or take a dig, so these look for the
# constructions that do that rather than for keywords.
POSITIVE += _rules(
    "blame",
    (
        "customer should have",
        r"\b(?:you|u) (?:really |clearly |obviously |just |simply |probably |must )?(?:should(?:n't| not)?|should've|should have|shouldve|could have|could've|must have|must've|need(?:ed)? to have|ought to have|ought to|were supposed to|was supposed to|didn't|did not|failed to|forgot to|never|neglected to|obviously didn't|clearly didn't|must not have|mustn't have|probably didn't|apparently didn't)\b[\w' ]{0,10}\b(?:read|check|enter|put|give|follow|provide|keep|pay|listen|tell|select|click|choose|update|notice|look|order|ask|call|cancel|open|follow|booked|book|entered|chose|ticked|tick|register|confirm|fill|save|report|test|measure|specify|attach|mention|included?|typed|type|set|plugged|plug|charged|charge|sign|send|reply|respond|used|use|install|checked|read|seen|arrived|kept|brought|backed up|got to|got there|got here|turned up|left|packed|noticed|known|thought|realised|realized)\b",
    ),
    (
        "your fault",
        r"\b(?:your|ur|you're|the customer's|the customers) (?:own )?(?:fault|mistake|problem|responsibility|error|doing|lookout|fault entirely)\b|\b(?:user|customer|operator|your) error\b|\byou (?:entered|typed|put|gave|selected|ordered|chose|picked|booked|provided|used|supplied|wrote|filled in|set)\b[\w' ]{0,10}\b(?:wrong|incorrect|incorrectly|wrongly|the wrong|an incorrect|an old|a wrong|invalid)\b|\bif you (?:had|'d) (?:read|checked|looked|listened|followed|bothered|paid attention|entered|called|told)\b|\bthat's (?:on you|down to you)\b|\byou (?:caused|broke|damaged|messed|did) (?:this|it|that)\b",
    ),
    (
        "someone else's fault",
        r"\b(?:it's|that's|its|thats|it is|that is|this is|it was|that was|this was)\s+(?:\w+\s+){0,3}?(?:fault|mistake|doing|problem|responsibility|issue|error|cock-?up|screw-?up|mess)\s*,?\s*(?:not (?:ours|mine|us|me)|not our|not my)\b|\b(?:it's|that's|its|thats|it is|that is|this is|it was|that was|blame|blame it on|blame the|the fault of|fault lies with|down to|caused by) (?:the|our|their|his|her|those|that|a)? ?(?:courier|couriers|supplier|suppliers|warehouse|bank|manufacturer|driver|drivers|colleague|colleagues|other (?:team|department|agent|staff)|previous agent|last agent|royal mail|post office|airline|developers?|it team|night shift|day shift|temp|new guy|new girl|agency|contractor|contractors|third party|dpd|hermes|evri|ups|fedex|dhl|amazon|delivery company|delivery firm|shipping company|sales team|sales|billing team|tech team|engineers?|factory|production|they|them)(?:'s|s)?\b[\w' ]{0,12}\b(?:fault|mistake|doing|problem|responsibility|error|blame|cock-?up|screw-?up|messed|mess|fault not ours|lot)\b|\bnot (?:our|my|the company's|the store's) fault\b|\b(?:blame|blaming) (?:the|our|them|him|her|it on|those|that)\b|\b(?:they|the (?:warehouse|courier|other team|night shift|day shift|previous agent|last agent|developers|supplier|driver|sales team|engineers|factory|production team|billing team|tech team|agency|contractor|bank)|my colleague|your colleague|he|she)\s+(?:\w+\s+)?(?:messed|screwed|cocked|mucked|botched|fouled|stuffed|balls?ed)\b|\bnothing to do with (?:us|me|our (?:company|team|store|shop))\b|\b(?:take|complain|raise) (?:it|that|this) (?:up )?with (?:the courier|the bank|them|the manufacturer|your bank|royal mail)\b(?=.*\b(?:not us|fault|their)\b)",
    ),
    (
        "not us",
        r"\b(?:not|rather than|instead of) (?:us|ours|me|mine|our (?:end|side|doing|fault|mistake)|my (?:doing|fault|mistake))\b(?! (?:to|who|that|,? i|,? we)\b)|\b(?:on|at) (?:your|their|his|her|the \w+'s) (?:side|end)\b(?=[\w' ]{0,25}(?:\bnot\b|\bfault\b|\bproblem\b|$))|\b(?:that's|thats|it's|its|this is|that is|it is) (?:all |really |entirely )?on (?:you|them|him|her)\b|\b(?:their|his|her|your) (?:responsibility|problem|fault|mistake|lookout|doing|issue),? not (?:ours|ours|us|mine)\b|\bis (?:their|his|her) (?:responsibility|fault|problem|mistake)\b",
    ),
    (
        "someone else messed up",
        r"\b(?:they|he|she|someone|somebody|(?:the|our|their|your|that) (?:\w+ )?(?:team|department|shift|agent|colleague|staff|courier|driver|engineer|warehouse|supplier|installer|contractor|subcontractor|fitter|builder|bank|seller|retailer|manufacturer|lab|office|branch|depot)s?)\s+(?:really |totally |completely |clearly |obviously )?(?:messed|screwed|mucked|cocked|botched|fouled|dropped the ball)\b|\b(?:the|our|their|that|your) (?:\w+ )?(?:team|department|shift|courier|couriers|driver|drivers|engineer|engineers|warehouse|supplier|installers?|contractors?|subcontractors?|fitters?|builders?|depot|branch|lot|lab|agents?)\s+(?:is|are|was|were) (?:\w+ )?(?:useless|hopeless|a shambles|a joke|terrible|awful|incompetent|clueless|rubbish|a nightmare)\b|\bdidn't know what (?:he|she|they) (?:was|were) doing\b",
    ),
    (
        "customer caused it",
        r"\b(?:you|u) (?:really |clearly |obviously |just |simply |probably )?(?:should(?:'ve| have)|shouldve|ought to have|needed to have)\s+(?:\w+ )?(?!(?:received|got|gotten|been|heard|had)\b)\w+(?:ed|en|id|ught|ade|one|ook|ose|ent|elt|eft)\b|\b(?:you|u) (?:were|was) (?:meant|supposed|told|asked|required|advised|warned) to\b|\b(?:you'd|you would|you'd have|you would have) (?:have )?(?:known|seen|noticed|spotted|realised|realized)\b(?=[\w' ]{0,30}\bif\b)|\bif you(?:'d| had)\b[\w' ]{0,30}\b(?:you'd|you would) (?:have )?(?:known|seen|noticed|spotted)\b|\byourself by mistake\b|\b(?:you|u) (?:left|waited|reported|cancel\w*|booked|renewed|ordered|paid) (?:it )?too (?:late|long)\b|\b(?:you|u)(?:'ve| have)? (?:obviously|clearly|probably) (?:been )?(?:using|used|entered|typed|put|pressed|clicked|deleted|broken|dropped)\b|\buser error\b|\boperator error\b",
    ),
    (
        "pins it on the customer's kit",
        r"\byou(?:'re| are)? (?:must be |must have been |must have |must've |are probably |'re probably |probably |obviously |clearly )(?:doing|done|using|entering|typing|did|pressing|setting) (?:something|it|that|this|them) wrong\b|\b(?:must be|it'll be|it will be|probably|prob|most likely|obviously|clearly|definitely|i reckon it's|i'd say it's)\s+(?:just |down to |something (?:wrong )?(?:on|at|with) )?(?:your|ur) (?:own )?(?:phone|handset|device|router|laptop|computer|pc|browser|wifi|wi-fi|connection|internet|broadband|settings|end|side|bank|card|equipment|setup|set-up|network|firewall|it department|it team|provider|isp|printer|cable|wiring|socket|signal|aerial|boiler|car|driving)\b",
    ),
    (
        "customer counterfactual",
        r"\bif (?:you'd|you had|u had|u'd|youd)\b(?! (?:like|prefer|rather|want|asked|be ok))[\w' ]{0,60}\b(?:we|it|this|you|there|that)(?:'d| would| could| might)(?:n't| not)? (?:have|'ve)\b|^had you\b[\w' ]{0,40}\b(?:we|it|this|you)(?:'d| would| could)\b|\bwouldn't (?:have )?(?:happened|be (?:in|having) this)\b[\w' ]{0,20}\bif you\b",
    ),
    (
        "someone else did it",
        r"\b(?:that was|it was|that's|it's|its|thats)\s+(?:my colleague|your colleague|a colleague|the other (?:agent|adviser|advisor|guy|girl|lady|person|team|shift|department|branch|office)|the (?:last|previous|first) (?:agent|adviser|advisor|person|guy|girl|lady|team)|the (?:night|day|weekend|morning|evening|early|late) (?:team|shift|staff|crew)|head office|the (?:sales|billing|tech|it|other) team|the developers|the installers?|the (?:sub)?contractors?|the agency)\s+(?:who|that)\b",
    ),
    (
        "they should have",
        r"\b(?:they|he|she|housekeeping|reception|my colleague|your colleague|the (?:\w+ )?(?:team|staff|shift|agent|adviser|advisor|driver|courier|engineer|technician|installer|fitter|contractor|subcontractor|branch|store|office|warehouse|supplier|seller|landlord|bank|manufacturer|porter|crew|receptionist|department|desk|agency|builder|plumber|electrician)s?)\s+(?:really |clearly |obviously )?(?:should(?:'ve| have| never have)|shouldn't have|ought to have)\s+(?:told|said|sorted|done|checked|known|passed|sent|fixed|noticed|asked|given|promised|booked|processed|caught|spotted|offered|explained|mentioned|logged|left|put|packed|fitted|installed|cleaned|called|phoned|emailed|warned|dealt)\b",
    ),
    (
        "on a third party",
        r"\b(?:that's|thats|that is|it's|its|it is|this is|that was|it was|this was)\s+(?:all |really |entirely |totally |completely |just )?(?:on|down to|the fault of)\s+(?:the|your|their|those|that)\s+(?:\w+\s+)?"
        + _PARTY
        + r"\b(?! to\b| now\b)|\b(?:that's|thats|it's|its|that'll be|that will be)\s+(?:the|your|their)\s+(?:\w+\s+)?"
        + _PARTY
        + r"\s+again\b|\b(?:the|their|your|that|those) (?:\w+ )?"
        + _PARTY
        + r"\s+(?:did|have done|'ve done|has done|made)\s+(?:a |an |such a )?(?:\w+ )?(?:terrible|awful|shoddy|poor|rubbish|bad|botched|sloppy|lousy|dreadful|bodged|hash|mess)\b|\byour (?:\w+ )?(?:team|engineers?|staff|it department|it team|accounts team|office|builders?|installers?|designers?|supplier)\s+(?:sent|supplied|gave|provided|entered|specified|ordered|put|drew|filled in)\b[\w' ]{0,25}\b(?:wrong|incorrect|out of date|old|missing)\b",
    ),
    (
        "others are hopeless",
        r"\b(?:the|our|their|that|your|those) (?:\w+ )?(?:team|department|shift|courier|couriers|driver|drivers|engineer|engineers|warehouse|supplier|suppliers|installers?|contractors?|subcontractors?|fitters?|builders?|depot|branch|lot|agents?|staff|posties|postman|post office|bank|agency)\b[\w' ]{0,30}\b(?:is|are|was|were)\s+(?:\w+ )?(?:useless|hopeless|a shambles|a joke|terrible|awful|incompetent|clueless|rubbish|shocking|diabolical|a disgrace|lazy|careless)\b",
    ),
    (
        "on your end",
        r"\b(?:the |this |that )?(?:problem|issue|fault|error)\b[\w' ]{0,20}\b(?:is |lies |sits )?(?:on|at|with) your (?:end|side)\b|\b(?:a |the )?(?:problem|issue|fault) with your (?:\w+ )?(?:phone|device|laptop|computer|router|card|bank|browser|wifi|connection|console|network|settings|account|address|email|set ?up)\b[\w' ,]{0,20}\bnot (?:our|with our|us|ours)\b|\b(?:your|the) (?:card|bank|phone|device|browser|router|wifi|connection|email provider|isp|address)\b[\w' ]{0,20},? not (?:our|us|ours)\b|\b(?:caused by|down to|because of|the fault of|due to) (?:the|your) [\w' ]{1,25},? not (?:us|ours|our|the (?:airline|company|store|shop|hotel|app|site|network))\b|\b(?:works|working) (?:fine|ok|perfectly) for (?:everyone|everybody|all our (?:other )?customers)\b[\w' ,]{0,30}\b(?:you|your)\b",
    ),
    (
        "do better next time",
        r"^be (?:in|home|around|there|ready|on time|available|at home|early)\b[\w' ]{0,20}\bnext time\b|\b(?:maybe|perhaps|try|just|please|so)\b[\w' ]{0,25}\b(?:don't|do not|be|arrive|get|check|read|leave|book|plan|allow)\b[\w' ]{0,40}\bnext time\b(?<!\bhope to see you next time)(?<!\bbetter luck next time)",
    ),
    (
        "read it next time",
        r"\b(?:maybe|perhaps|try|just)\b[\w' ]{0,10}\b(?:read|reading|check|checking|look|looking|measure|measuring)\b[\w' ]{0,30}\bnext time\b",
    ),
)
POSITIVE += _rules(
    "dismiss",
    (
        "calm down",
        r"\b(?:calm down|relax|chill(?: out)?|settle down|take a (?:deep )?breath|cool it|keep your hair on|simmer down|no need to (?:get|be|shout|raise)|(?:don't|do not) (?:get|be) (?:so )?(?:upset|angry|worked up|dramatic|emotional|aggressive|hysterical|stroppy|rude)|stop (?:shouting|getting upset|being (?:so )?dramatic|overreacting|complaining|moaning|panicking)|(?:there's )?no need for that|(?:there's )?no need to panic|don't panic)\b",
    ),
    (
        "minimises",
        r"\b(?:you're|you are|ur|your) (?:\w+ )?(?:over ?reacting|overreacting|being (?:dramatic|unreasonable|silly|ridiculous|difficult|hysterical|emotional|over the top|a bit much|too sensitive|precious)|making a (?:big )?fuss|too sensitive)\b|\b(?:it's|its|it is|this is|that's|thats|that is|it was|it's only|they're) (?:\w+ )?(?:only|just|merely|simply) (?:a|an|\d+|two|three|four|five|a few|a couple|one|some|minor|slightly|\w+ (?:days|hours|minutes|quid|pounds|pence|dollars|weeks))\b(?! (?:moment|second|minute|quick|small step|formality))|\b(?:it's|its|it is|that's|thats|that is|this is|not|isn't|it isn't|it's not|hardly)\s+(?:not\s+)?(?:a|that|such a|really that|really a)?\s*(?:big|huge|massive|major|serious)\s+(?:deal|problem|issue)\b|\bnot (?:the end of the world|a disaster|a catastrophe|that important|that serious|that bad|a tragedy)\b|\b(?:happens? all the time|these things happen|it happens(?! again| to (?:lots|loads|a lot|plenty|many|most|everyone|everybody))|stuff happens|that's life|shit happens|worse things happen|could be worse|at least (?:it|you|they|it's|you've|you got))\b|\b(?:a |only a |just a )?(?:minor|small|slight|little|tiny|trivial) (?:delay|issue|inconvenience|thing|problem|hiccup|glitch|error|matter|mistake)\b(?! (?:on our|we)\b)|\bno (?:real )?harm done\b|\b(?:you'll|you will) (?:survive|live|be fine|get over it|get it eventually|get it when you get it)\b|\bworse things happen at sea\b|\bwhat's the (?:big )?(?:deal|rush|problem|fuss)\b|\bi don't see (?:the|what the|why) (?:problem|issue|big deal|fuss)\b|\bwhy (?:are you|is this) (?:so )?(?:upset|bothered|worked up|a problem)\b",
    ),
    (
        "refuses without help",
        r"\b(?:there's|there is|theres) (?:really |honestly |just |absolutely )?nothing (?:more )?(?:i|we|anyone|anybody) (?:can|could|'re able to|am able to|are able to) (?:do|help)\b|\b(?:i|we) (?:really |honestly |just |simply )?(?:can't|cannot|can not|won't|will not|am unable to|'m unable to|are unable to|'re unable to|am not able to|'m not able to|are not able to|don't|do not) (?:do anything|help (?:you )?with (?:that|this|it)|help you (?:there|further|any further)|help further|be of (?:any )?help|offer anything|change (?:that|it|anything|the policy|policy)|make exceptions|make an exception|do refunds|give refunds|offer refunds|deal with (?:that|this)|do that|do more|do much|assist (?:with|you with) (?:that|this))\b(?![\w' ,]{0,40}\b(?:but|however|instead|what i can|what we can|although|though|you(?:'ll| will)? need|u need|please|you can|you could)\b)|\b(?:that's|thats|that is|it's|its|it is) (?:just )?(?:the |our )?(?:policy|how it is|the way it is|how it works|the rules?|out of (?:my|our) hands|not my (?:department|problem|job|area|responsibility)|not (?:our|something we|something i) (?:problem|department|responsibility|concern|do|handle)|above my pay grade|not up to me)\b(?![\w' ,]{0,40}\b(?:but|however|instead|what i can|what we can)\b)|\bit is what it is\b|\b(?:policy is policy|rules are rules)\b|\b(?:deal with it|get over it|take it or leave it|like it or lump it|tough luck|hard luck|too bad|oh well)\b|\b(?:you'll|you will|you'll just|you will just|you just) (?:have to|need to|gonna have to|going to have to) (?:wait|accept|live with|put up with|be patient|deal with)\b|\b(?:just )?(?:wait|be patient)(?: like everyone else| your turn| like everybody)\b|\bsorry you feel (?:that way|like that|this way|so|upset|annoyed|frustrated)\b|\bsorry (?:if|that) you (?:feel|felt|were|are|think|found)\b|\b(?:i|we) (?:understand|hear you|get it|get that|appreciate that|know|see that|see your point)\s*,?\s*(?:\w+\s*,?\s*){0,4}(?:but|however)\b[\w' ]{0,40}\b(?:policy|rules|can't|cannot|nothing|not possible|won't|unable|that's|it is|it's|have to|no way|not able|procedure|process|terms|system|doesn't|don't)\b|\bnot (?:really )?(?:our|my) (?:problem|concern|department|issue|responsibility)\b|\bno way\b(?![\w' ]{0,20}\b(?:to|of)\b)|\bnot happening\b|\bnope\b|\b(?:we|i) (?:don't|do not|won't|will not|never) (?:do|offer|give|provide|issue|accept) (?:that|refunds|compensation|returns|exchanges|exceptions)\b(?![\w' ,]{0,40}\b(?:but|however|instead|what i can|what we can)\b)",
    ),
    (
        "closes the matter",
        r"\b(?:our |my |the )?(?:decision|answer) (?:is|was|remains|'s) (?:final|still no|no|the same|not going to change)\b|\b(?:decision|answer) stands\b|\b(?:won't|will not|not going to|aren't going to|am not going to|'m not going to) (?:be )?(?:taking (?:this|it|that|the matter) (?:any )?further|reviewing (?:it|this|that|the decision)|reconsider\w*|change (?:my|our|the) (?:answer|decision|mind)|discuss\w* (?:this|it|that) (?:any )?further|argue\w*|keep repeating)\b|\bnothing (?:more|else|further) to (?:say|discuss|add|be done)\b|\b(?:you're|you are|ur) on your own\b|\bsort (?:it|that|this) out (?:with them )?yourself\b|\b(?:take|raise) (?:it|that|this) up with (?:them|him|her|the \w+)\b(?![\w' ]{0,30}\b(?:and we|we'll|i'll|if you)\b)|\b(?:not sure|no idea|don't know|idk|dunno) what (?:else )?(?:to tell you|to say|you want me to (?:do|say)|you expect me to do|else you want)\b|\b(?:no ?one|nobody|noone) else (?:is|has|seems|'s)\b[\w' ]{0,20}\b(?:problem|issue|trouble|reported|complained|complaining)\b|\bwork(?:s|ing)? (?:fine|perfectly|ok|okay|normally)? ?(?:for everyone else|on my end|on our end|on my side|on our side|for me|on my machine)\b|\b(?:i|we) (?:can't|cannot|don't) control the (?:weather|traffic|trains|post|roads|strikes?)\b|\b(?:i|we) don't (?:really )?(?:deal with|get involved (?:in|with)|handle) (?:that|this|those|these|disputes|lost property|that kind)\b",
    ),
    (
        "everyone waits",
        r"\b(?:everyone|everybody) (?:else )?(?:has|have|is having|'s having|needs?) to (?:wait|pay|queue|put up with)\b|\byou(?:'re| are) no (?:different|exception)\b|\bwait your turn\b|\bin the grand scheme of things\b",
    ),
    (
        "end of discussion",
        r"\bend of (?:story|discussion|conversation|the matter)\b|\bend of\s*[.!]*\s*$|\band that's (?:that|final|the end of it)\b|\bsimple as\s*[.!]*\s*$|\bfull stop\s*[.!]*\s*$|\bno (?:ifs|buts)\b|\bno means no\b",
    ),
    (
        "won't argue",
        r"\b(?:i'm|i am|we're|we are|i|we)\s+(?:not|won't|will not|am not|are not)\s+(?:going to |gonna )?(?:argu(?:e|ing)|debat(?:e|ing)|go(?:ing)? round in circles|keep going over)\b",
    ),
    (
        "go ahead then",
        r"\bdo (?:what(?:ever)?|as) you (?:want|like|please|wish)\b|\b(?:complain|moan|shout)\s+(?:all you (?:like|want)|as much as you (?:like|want)|to whoever you (?:like|want))\b|\bgo ahead and (?:complain|report|escalate|leave a review|cancel)\b",
    ),
    (
        "not our concern",
        r"\b(?:that's|thats|it's|its|that is|it is)\s+(?:between you and|for you and (?:them|the \w+) to)\b|\b(?:don't|do not) bring (?:it|that|this) to (?:me|us)\b|\b(?:not|isn't|is not) (?:my|our) (?:job|place|business|concern|area|issue) to\b",
    ),
    (
        "refuses the remedy",
        r"\b(?:refunds?|exchanges?|returns?|compensation|cancellations?|credits?) (?:aren't|are not|isn't|is not|can't be|cannot be|won't be) (?:available|possible|offered|given|accepted|allowed|made|issued|paid)\b(?![\w' ,]{0,60}\b(?:but|however|instead|what i can|what we can|unless|if)\b)|\b(?:there's|there is|theres) (?:no ?one|nobody|noone) (?:above me|else|higher up|more senior)\b[\w' ]{0,25}\b(?:escalate|pass|refer|speak|talk|send)\b|\b(?:we|i)\s+(?:just |simply |really )?(?:can't|cannot|won't|will not|are not able to|aren't able to|am not able to|'m not able to|'re not able to|are unable to|am unable to)\s+(?:refund|compensate|reimburse|give (?:you )?(?:a|any) (?:refund|discount|credit|compensation)|offer (?:a|any|you a|you any) (?:refund|discount|credit|compensation|goodwill)|take (?:it|them|this) back)\b(?![\w' ,]{0,60}\b(?:but|however|instead|what i can|what we can|until|unless|if|once|as soon as|so i've|so i'll|so we'll|so we've|so i can|so we can|to a|to the|to your|because|as|since)\b)",
    ),
)
POSITIVE += _rules(
    "rude",
    (
        "hostility",
        r"\b(?:seriously|really|honestly|omg|jeez|geez|come on|ffs|for god's sake|for goodness sake|for heaven's sake|for crying out loud|unbelievable|good grief|give me strength|oh my god)\s*[?!]|\bare you (?:stupid|serious|kidding|dumb|thick|deaf|blind|even (?:listening|reading)|for real|having a laugh|joking|an idiot|daft|slow|incapable|illiterate)\b|\b(?:can't|cant|can you not|cannot|do you not|don't you|did you not|didn't you) (?:you )?(?:even )?read\b|(?:^|\bjust |\bgo and |\bgo |, )read the (?:email|instructions|terms|manual|message|faq|website|policy|t&cs|small print|fine print|label|confirmation|description|page|screen|damn|bloody)\b|\b(?:i|we) (?:don't|dont|do not|haven't|have not) (?:got|have) (?:all day|time for this|time for you|the time for this)\b|\bi haven't got all day\b|^(?:whatever(?! (?:suits|works|is (?:easiest|best)|you (?:prefer|need|like|want|'d like)))|meh|pfft|ugh whatever|so\?|and\?)\b|\bwhatever\s*[.!]*\s*$|\b(?:stop|quit) (?:whining|moaning|complaining|wasting (?:my|our) time|crying|bothering)\b|\bwhat part of\b[\w' ]{0,40}\b(?:don't|didn't|do you not) you (?:understand|get)\b|\b(?:like|as) i(?:'ve)? (?:already |just )?(?:said|told you|explained|mentioned)\b[\w' ,.]{0,5}(?:\b(?:already|twice|three times|before|a million times|\d+ times)\b|!)|\b(?:do|did) you (?:even|actually|not) (?:read|listen|understand|look)\b|\bare you (?:even )?(?:listening|paying attention)\b|\bfor the (?:last|hundredth|third|millionth|\d+\w*) time\b|\b(?:you're|you are|ur|you|you're being|you are being) (?:so |really |just |completely |totally )?(?:useless|clueless|incompetent|pathetic|hopeless|impossible)\b|\b(?:shut up|idiot|idiots|moron|morons|stupid|dumb|ridiculous person|muppet|numpty|pillock|get a grip|get a life|grow up|piss off|sod off|bugger off|go away|bloody hell|damn|dammit|crap|wtf|stfu|jerk)\b|\b(?:excuse me|sorry|pardon me) for (?:trying|breathing|existing|helping|doing my job|caring)\b|\bwell excuse me\b|\b(?:i )?(?:couldn't|could not|could) care less\b|\b(?:you people|people like you|your sort|your type)\b|\b(?:go|look it up) (?:it up )?yourself\b|\bgoogle it\b|\bthat's your problem\b|\b(?:it's|its|it is|this isn't|this is not) not rocket science\b|\bsome of us have (?:jobs|work|lives|better things)\b|\bgood luck with that\b|\bboo ?hoo\b|\bcry me a river\b|\bnot my problem\b|\*sigh\*|\b(?:eye ?roll|eyeroll)\b|\bif you (?:don't|do not) like it\b|\bgo (?:elsewhere|somewhere else|shop elsewhere)\b|\bwhat do you want me to do about it\b|\b(?:i|we) don't care\b|\bnot listening\b|\bdo (?:your|some) (?:homework|research)\b|\bhow (?:hard|difficult) (?:is it|can it be)\b|(?:^|\boh\b|\bit's\b|\blook\b)\s*,?\s*(?:it's )?you again\b|^not again\b|\bobviously\b(?=.*\b(?:you|your)\b)|\b(?:whatevs|meh)\b",
    ),
    (
        "condescension",
        r"\b(?:it's|its|it is|this is|this isn't|that's|thats|it isn't|it's not|its not|this is not)\s+(?:not\s+)?(?:that |so |exactly |very |really )?(?:hard|difficult|complicated|rocket science|brain surgery)\b(?! (?:for|to (?:fix|sort|do)) (?:us|me)\b)|,\s*(?:sweetheart|darling|sweetie|genius|einstein|sunshine|princess)\b|\bok(?:ay)? (?:karen|boomer)\b|\b(?:i'm|i am|we're|we are) not (?:your|a) (?:personal assistant|babysitter|mind reader|punchbag|punch bag|servant|slave|mum|mother|therapist|secretary)\b|\b(?:don't|do not) (?:take|use) (?:that|this) tone\b|\bwatch your (?:tone|language|mouth)\b|\b(?:won't|will not|not going to|am not going to|'m not going to) be (?:spoken|talked) to like that\b|\b(?:thanks?|thank you|cheers)(?: you)?(?: so much| a lot| a bunch)? for (?:finally|nothing|the (?:essay|lecture|novel|life story|sermon|speech))\b|\b(?:i|we) (?:don't|do not|can't|cannot|didn't|did not|won't)\b[\w' ,]{3,40}\b(?:do|can|did|will) (?:i|we)\s*\?*\s*$|\bthen (?:, )?(?:shouldn't|should|didn't|wouldn't|couldn't) you\s*\?*\s*$|\b(?:spell it out|hold your hand|draw you a (?:picture|diagram|map))\b",
    ),
    ("exasperation", r"\b(?:ffs|smh|smdh|omfg|fml|jfc|pfft|sheesh|tsk)\b|\bfor (?:fuck's|fucks|feck's|pete's) sake\b"),
    ("sarcastic thanks", _SARCASTIC_THANKS),
    (
        "use your head",
        r"\b(?:try |just |maybe )?(?:using|use) (?:your|ur) (?:eyes|brain|head|common sense|noggin|loaf|initiative)\b|\blearn (?:to|how to) (?:read|spell|use|count|follow)\b|\b(?:a child|a (?:five|5|six|6|ten|10)[- ]year[- ]old|my (?:nan|gran|grandma|granny|kids?|dog)|even (?:my|a) \w+) (?:could|can|would be able to) (?:do|manage|set|work|use|figure|understand)\b|\b(?:most|normal|other|sensible|reasonable) people (?:manage|can|know|are able|seem able|understand|figure)\b|\b(?:sherlock|einstein|captain obvious)\b",
    ),
    (
        "mocks the customer",
        r"\beyeroll\b|\bwhat (?:did|do) you expect\b|\b(?:maybe |perhaps |try to |just )?learn (?:how|what|to)\b[\w' ]{0,20}\b(?:works?|means?|read|use)\b|\byou're the only (?:one|person|customer)\b[\w' ]{0,20}\b(?:complain\w*|moan\w*|problem|issue|struggl\w*)\b|\b(?:thanks|thank you|cheers)(?: ,)? i guess\b|\b(?:you'll|you will) (?:survive|live) (?:haha|lol)\b",
    ),
    (
        "talks down",
        r"\b(?:can't|cannot|couldn't|can not) (?:make|put|explain|say) (?:it|this|that) (?:any )?(?:simpler|clearer|plainer|easier|more simply|more clearly)\b|\bhow many (?:more )?times (?:do|must|have) i\b|\bi(?:'ve| have) (?:already )?(?:told|explained|said) (?:you |this |that |it )?(?:twice|three times|several times|multiple times|a (?:dozen|hundred|million) times)\b|\b(?:say|explain) it (?:slowly|again slowly)\b|\bwith crayons\b|\bwait your turn\b|\bin (?:small|little|short) words\b|\bnot (?:a|an|your)\s+(?:\w+\s+)?(?:babysit\w*|mind ?reader|charity|magician|miracle worker|genie|psychic|nanny|creche|punchbag|punch bag|personal (?:assistant|shopper|butler|chauffeur|secretary)|butler|free advice service|magic shop)\b",
    ),
    (
        "tells them off for shouting",
        r"\b(?:why (?:are|r) you|why you're|why you are|no need to|stop|quit|you don't need to|there's no need to)\s+(?:\w+ )?(?:shouting|yelling|screaming|shout|yell|scream|typing in caps|using caps|swearing|swear)\b",
    ),
)

# A veto removes a move from a segment where the keyword is present but the act is not.
# A segment made only of backchannel words ("ok cool", "haha yeah", "lol") carries no insult,
# blame or brush-off on its own, however short and flat it looks.
_BACKCHANNEL = re.compile(
    r"^(?:(?:ok|okay|cool|lol|haha+|ha|hah|hehe|yeah|yes|yep|yup|sure|right|alright|all right|"
    r"hmm+|ah|ahh|oh|ooh|aha|nice|great|perfect|lovely|brilliant|awesome|gotcha|got it|noted|"
    r"no worries|no problem|np|thanks|thank you|cheers|understood|of course|absolutely)"
    r"\s*[,.!?]*\s*)+$"
)

VETO: Dict[str, List[Tuple[str, Pattern[str]]]] = {
    "rude": [
        ("backchannel only", _BACKCHANNEL),
        (
            "reassurance",
            re.compile(
                r"\b(?:don't|do not|never|no need to) feel (?:stupid|silly|dumb|bad|daft)\b|\b(?:no such thing as a|not a|isn't a|wasn't a) (?:stupid|silly|dumb|daft) question\b"
            ),
        ),
    ],
    "blame": [
        ("backchannel only", _BACKCHANNEL),
        (
            "reassures the customer",
            re.compile(
                r"\b(?:not|isn't|is not|wasn't|was not|none of (?:this|it|that) (?:is|was))\b[\w' ]{0,12}\byour (?:fault|mistake|doing|error)\b|\byou (?:did|have done|'ve done) (?:nothing|absolutely nothing) wrong\b|\b(?:even though|although|though|despite|when|where) (?:you|u) (?:didn't|did not|never|haven't|hadn't|have not)\b"
            ),
        ),
    ],
    "apologize": [
        (
            "asks what the apology is for",
            re.compile(
                r"\bwhat (?:are|r|were) (?:you|u) sorry (?:for|about)\b|\bsorry for what\b|\bwhy (?:are|r) you sorry\b|\bno need to (?:be sorry|apologi[sz]e|say sorry)\b|\b(?:don't|do not) (?:need to )?(?:be sorry|apologi[sz]e|say sorry)\b|\bi'm not sorry\b|\bnot sorry\b|\bno apolog(?:y|ies) (?:needed|necessary|required)\b|\bsorry state\b|\byou(?:'ll| will) be sorry\b|\bsorry excuse\b|\bsay sorry\b|\bshould (?:apologi[sz]e|say sorry)\b"
            ),
        ),
        (
            "sorry as 'pardon?'",
            re.compile(
                r"^(?:sorry|sorry ,|sorry \?|pardon|sorry what|sorry ,? what|sorry ,? (?:i )?(?:didn't|did not) (?:catch|get|hear|understand)|sorry ,? (?:can|could) you (?:repeat|say that again))\b(?![\w' ,]{0,10}\b(?:about|for|to hear|that|again for|if)\b)(?=[\w' ,]{0,60}\?)"
            ),
        ),
        (
            "sarcastic apology",
            re.compile(
                r"\bsorry you feel (?:that way|like that|this way|so)\b|\bsorry (?:if|that) you (?:feel|felt|think|found|were offended|are offended)\b|\b(?:excuse me|sorry|pardon me) for (?:trying|breathing|existing|helping|doing my job|caring)\b|\bwell sorry\b|\bsorry not sorry\b|\bsorry ,? but (?:that's|thats|it's|its|this is) (?:not my|your|just|life|policy|how)\b"
            ),
        ),
    ],
    "thank": [
        (
            "declines thanks",
            re.compile(
                r"\bthanks?(?: you)?(?: so much| a lot| a bunch)? for (?:nothing|the (?:essay|lecture|novel|life story|sermon|speech))\b|"
                + _SARCASTIC_THANKS
                + r"|\bno need to thank\b|\b(?:thanks|thank you|cheers)(?: ,)? i guess\b|\b(?:thanks|thank you)\b(?=.*\beyeroll\b)|\b(?:don't|do not) thank me\b|\bno thanks\b|\bthanks ,? but no thanks\b|\bthanks for nothing\b|\bno thank you\b|\bthanks a bunch\b(?=.*\b(?:not|nothing)\b)|\bthanks (?:to|for) the (?:storm|strike|courier|delay|weather)\b|\bthanks to (?:the|a|an|our|their|your|this|that)\b(?![\w' ]{0,20}\b(?:you|patience|help)\b)"
            ),
        ),
    ],
    "empathize": [
        (
            "empathy withdrawn by 'but'",
            re.compile(
                r"\b(?:i|we) (?:understand|hear you|get it|get that|appreciate that|know|see that|see your point|understand that|understand your \w+)\s*,?\s*(?:\w+\s*,?\s*){0,4}(?:but|however)\b[\w' ]{0,40}\b(?:policy|rules|can't|cannot|nothing|not possible|won't|unable|that's|it is|it's|have to|no way|not able|procedure|process|terms|system|doesn't|don't)\b"
            ),
        ),
        ("sarcasm", re.compile(r"\bsorry you feel\b|\bsorry if you feel\b|\bboo ?hoo\b|\bcry me a river\b")),
    ],
    "acknowledge": [
        (
            "does not understand",
            re.compile(
                r"\b(?:i|we) (?:don't|do not|didn't|did not|can't|cannot) (?:understand|see|get)\b|\b(?:i'm|i am) not sure (?:i|what)\b|\bi see (?:what you mean|your point)\b(?=.*\bbut\b)"
            ),
        ),
    ],
    "escalate": [
        (
            "mentions a manager without a referral",
            re.compile(
                r"\b(?:no need to|won't|will not|can't|cannot|don't|do not|wouldn't|would not|not going to|no point|pointless to|there's no|there is no|doesn't|does not|isn't|is not) (?:\w+ )?(?:escalat\w*|transfer|pass (?:it|this|you)|refer|speak to|talk to|get|put you through)\b|\b(?:manager|supervisor) (?:is|are|was|were) (?:on holiday|away|off|out|busy|not available|unavailable|in a meeting)\b|\b(?:dm|direct message|private message)\b(?! (?:our|the) \w+ team)"
            ),
        ),
    ],
    "ask_question": [
        (
            "general offer of help",
            re.compile(
                r"^(?:\w+ ,? )?(?:hi|hello|hey|good \w+)?[\w' ,!.]{0,60}\b(?:how (?:can|may|could|might) (?:i|we) (?:help|assist)(?: you)?(?: today)?|what can (?:i|we) (?:do|help) (?:for|with) you(?: today)?|how are you(?: today| doing)?)\s*\?\s*$"
            ),
        ),
        (
            "rhetorical or sarcastic question",
            re.compile(
                r"^(?:seriously|really|are you (?:stupid|serious|kidding|joking|having a laugh|deaf|blind|dumb|thick)|what do you want me to do(?: about it)?|do you (?:even|actually|not) (?:read|listen|understand)|did you (?:even|not) (?:read|listen|look)|can't you read|what part of|are you even listening|how hard is it|how difficult is it|what's the (?:big )?(?:deal|rush|fuss|problem)|so what|and \?|so \?|why are you (?:so )?(?:upset|bothered|worked up))\b"
            ),
        ),
        (
            "satisfaction check only",
            re.compile(
                r"^(?:and |so |ok |okay |also |lastly |finally |just |now )?(?:is there |was there |are there |anything |can i help (?:you )?with |could i help (?:you )?with |is that |was that |would that |does that |does this |would this |is this |will that |will this |how does that |how does this |are you happy|are you ok with|are you okay with|are you satisfied|is everything|has that |has this |did that |did this |have i )(?:[\w' ,]{0,40})(?:anything else|else|work|suit|ok|okay|alright|all right|acceptable|fair|sound|help|resolve|sort|fix|answer|happy|satisfied|enough|good|fine|with that|with this)\b[\w' ,]{0,20}\??\s*$"
            ),
        ),
        (
            "report back request",
            re.compile(
                r"^(?:please |pls |just |and )?let (?:me|us) know (?:how|if (?:you need|there's|there is|it|that|anything|you have)|whether (?:it|that))\b"
            ),
        ),
    ],
    "offer_solution": [
        (
            "what the customer should have done",
            re.compile(
                r"\b(?:you|u) (?:really |clearly |obviously |just |simply )?(?:should(?:'ve| have)|shouldve|ought to have)\b"
            ),
        ),
        (
            "ownership without a remedy",
            re.compile(
                r"^(?:i|we)(?:'ll| will| can) (?:look into|check|investigate|find out|chase|see what|take a look|have a look|look at)\b(?![\w' ]{0,40}\b(?:and (?:send|refund|replace|arrange|offer|give|credit|rebook)|refund|replacement|voucher|credit)\b)"
            ),
        ),
        (
            "refusal",
            re.compile(
                r"\b(?:can't|cannot|can not|won't|will not|unable to|not able to|don't|do not|never) (?:offer|give|send|issue|process|arrange|refund|replace|credit|reimburse|waive|do)\b(?![\w' ,]{0,40}\b(?:but|however|instead|what i can|what we can)\b)"
                + r"|\bnothing (?:else |more |further )?(?:i|we) (?:can|could) (?:offer|do|fix|give)\b|\bnot something (?:i|we)(?:'re| are)? (?:going to|can|will)\b"
            ),
        ),
    ],
    "dismiss": [
        ("backchannel only", _BACKCHANNEL),
        (
            "reassurance, not dismissal",
            re.compile(
                r"\bno need to (?:worry|apologi[sz]e|be sorry|thank)\b|\b(?:don't|do not) (?:worry|panic) ,? (?:i|we)(?:'ll| will| can| are|'re| have|'ve)\b"
            ),
        ),
    ],
    "greet": [
        (
            "not an opening",
            re.compile(
                r"^(?:hi|hello|hey)\s*\?|\bhello\s*\?\s*$|^hey\b(?=[\w' ]{0,10}\b(?:stop|calm|listen|look|watch)\b)"
            ),
        ),
    ],
    "close": [
        (
            "not a sign-off",
            re.compile(
                r"\bregards to\b|\bwith regards? to\b|\bin regards? to\b|\bregarding\b|\btake care of\b|\btake care not\b"
            ),
        ),
    ],
    "set_expectations": [
        (
            "past or conditional time",
            re.compile(r"^(?:it|this|that|the \w+|your \w+) (?:was|were|should have|should've|had|has been) "),
        ),
    ],
    "follow_up": [
        (
            "satisfaction check only",
            re.compile(
                r"^let (?:me|us) know if (?:you need|there's|there is|you have|you want) (?:anything|something)(?: else| further| more)?\b[\w' ]{0,20}$"
            ),
        ),
    ],
}

# Rules whose construction *is* the act (a counterfactual that pins the fault on the customer,
# "that's the courier's fault, not ours", "thanks for shouting"): their hit stands unless a
# veto removes it, however unsure the classifier is. Each was checked against the training
# examples (precision >= 0.95 there). The other rules are hints the classifier may overrule.
STRONG = frozenset(
    {
        ("blame", "not us"),
        ("blame", "customer should have"),
        ("blame", "someone else's fault"),
        ("blame", "customer caused it"),
        ("blame", "someone else messed up"),
        ("blame", "customer counterfactual"),
        ("blame", "someone else did it"),
        ("blame", "they should have"),
        ("blame", "others are hopeless"),
        ("blame", "pins it on the customer's kit"),
        ("blame", "on a third party"),
        ("dismiss", "closes the matter"),
        ("dismiss", "everyone waits"),
        ("dismiss", "end of discussion"),
        ("dismiss", "won't argue"),
        ("dismiss", "go ahead then"),
        ("dismiss", "not our concern"),
        ("dismiss", "refuses the remedy"),
        ("rude", "condescension"),
        ("rude", "talks down"),
        ("rude", "use your head"),
        ("rude", "sarcastic thanks"),
        ("rude", "mocks the customer"),
        ("blame", "on your end"),
        ("rude", "exasperation"),
        ("rude", "tells them off for shouting"),
    }
)


def is_strong(move: str, rule: str) -> bool:
    """Whether a hit of this rule stands without the classifier's agreement."""
    return (move, rule) in STRONG


@dataclass(frozen=True)
class RuleHit:
    move: str
    rule: str


def match(normalised_segment: str) -> List[RuleHit]:
    """Every positive rule that fires on one normalised segment."""
    return [RuleHit(rule.move, rule.name) for rule in POSITIVE if rule.pattern.search(normalised_segment)]


def vetoed(move: str, normalised_segment: str) -> str:
    """The name of the veto that removes ``move`` from this segment, or ''."""
    for name, pattern in VETO.get(move, ()):
        if pattern.search(normalised_segment):
            return name
    return ""
