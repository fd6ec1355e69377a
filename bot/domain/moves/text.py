"""Text clean-up and segmentation shared by the rule layer and the classifier.

Learners type fast: lowercase, no punctuation, typos and text-speak. Rules and
features are written against one normalised form, so "sry ur order is l8"
and "Sorry, your order is late" look alike to both layers.
"""

from __future__ import annotations

import html
import re
import unicodedata
from dataclasses import dataclass
from typing import List, Tuple

MAX_TEXT_CHARS = 5000  # longer messages are analysed on their first 5,000 chars

# Control and invisible formatting characters, and lone surrogates (a careless client splitting an
# emoji), which cannot be encoded, so spaCy could not hash them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[a-z0-9£$€][a-z0-9'£$€.,:/-]*[a-z0-9]|[a-z0-9£$€]")

# Text-speak, common typos and contractions without apostrophes, mapped to one spelling.
_WORD_MAP = {
    "u": "you",
    "ya": "you",
    "yu": "you",
    "ur": "your",
    "yr": "your",
    "r": "are",
    "pls": "please",
    "plz": "please",
    "plse": "please",
    "pleas": "please",
    "plez": "please",
    "thx": "thanks",
    "thnx": "thanks",
    "thanx": "thanks",
    "thks": "thanks",
    "tx": "thanks",
    "ty": "thank you",
    "tyvm": "thank you very much",
    "tq": "thank you",
    "thankyou": "thank you",
    "thnk": "thank",
    "thank-you": "thank you",
    "thanku": "thank you",
    "sry": "sorry",
    "soz": "sorry",
    "sorri": "sorry",
    "sory": "sorry",
    "srry": "sorry",
    "sowwy": "sorry",
    "sorryy": "sorry",
    "sooo": "so",
    "soo": "so",
    "sooooo": "so",
    "apologise": "apologize",
    "apologised": "apologized",
    "apologising": "apologizing",
    "apologises": "apologizes",
    "appologise": "apologize",
    "appologize": "apologize",
    "apologys": "apologies",
    "appologies": "apologies",
    "apolgies": "apologies",
    "apologie": "apology",
    "im": "i'm",
    "ive": "i've",
    "ill": "i'll",
    "id": "id",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "doesnt": "doesn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "arent": "aren't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "hadnt": "hadn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "thats": "that's",
    "whats": "what's",
    "theres": "there's",
    "its": "it's",
    "youre": "you're",
    "youll": "you'll",
    "youve": "you've",
    "youd": "you'd",
    "lets": "let's",
    "weve": "we've",
    "well": "well",
    "theyre": "they're",
    "theyll": "they'll",
    "hes": "he's",
    "shes": "she's",
    "wheres": "where's",
    "hows": "how's",
    "whos": "who's",
    "wats": "what's",
    "wat": "what",
    "wud": "would",
    "wld": "would",
    "cud": "could",
    "cld": "could",
    "shud": "should",
    "wen": "when",
    "b4": "before",
    "bfore": "before",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "tomoz": "tomorrow",
    "tmro": "tomorrow",
    "2day": "today",
    "2nite": "tonight",
    "tonite": "tonight",
    "asap": "as soon as possible",
    "recieve": "receive",
    "recieved": "received",
    "recieving": "receiving",
    "definately": "definitely",
    "defo": "definitely",
    "adress": "address",
    "ppl": "people",
    "msg": "message",
    "abt": "about",
    "bc": "because",
    "cuz": "because",
    "coz": "because",
    "cos": "because",
    "bcoz": "because",
    "bcz": "because",
    "becuase": "because",
    "becasue": "because",
    "k": "ok",
    "kk": "ok",
    "okay": "ok",
    "okey": "ok",
    "okie": "ok",
    "gr8": "great",
    "hv": "have",
    "frustated": "frustrated",
    "frustating": "frustrating",
    "frustrationg": "frustrating",
    "understnad": "understand",
    "undrstand": "understand",
    "apreciate": "appreciate",
    "appriciate": "appreciate",
    "appreaciate": "appreciate",
    "inconvinience": "inconvenience",
    "inconvenince": "inconvenience",
    "inconveniance": "inconvenience",
    "refundd": "refund",
    "replacment": "replacement",
    "replacemnt": "replacement",
    "manger": "manager",
    "supervsior": "supervisor",
    "dissapointed": "disappointed",
    "dissapointing": "disappointing",
    "disapointed": "disappointed",
    "anythin": "anything",
    "anythng": "anything",
    "somthing": "something",
    "sumthing": "something",
    "wanna": "want to",
    "gonna": "going to",
    "gotta": "got to",
    "lemme": "let me",
    "gimme": "give me",
    "dunno": "don't know",
    "pm": "dm",
    "hrs": "hours",
    "hr": "hour",
    "mins": "minutes",
    "min": "minute",
    "wk": "week",
    "wks": "weeks",
    "info": "information",
    "acc": "account",
    "acct": "account",
    "num": "number",
    "no.": "number",
    "nr": "number",
    "pwd": "password",
    "realise": "realize",
    "realised": "realized",
    "organise": "organize",
    "prioritise": "prioritize",
    "cancelled": "canceled",
    "cancelling": "canceling",
    "hiya": "hi",
    "heya": "hey",
    "helo": "hello",
    "hii": "hi",
    "hiii": "hi",
    "morning": "morning",
    "gd": "good",
    "bye-bye": "bye",
    "byee": "bye",
    "cya": "see you",
    "tc": "take care",
    "fyi": "for your information",
    "tbh": "to be honest",
    "idk": "i don't know",
    "btw": "by the way",
    "w/": "with",
    "w/o": "without",
    "thru": "through",
    "tho": "though",
    "nite": "night",
    "plus": "plus",
    "shld": "should",
    "bk": "back",
    "2": "2",
    "l8": "late",
    "l8r": "later",
}

_APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"}
)


def clean(text: str) -> str:
    """Unicode-normalise, drop control characters, collapse spaces, cap length."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", str(text))[:MAX_TEXT_CHARS]
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text.translate(_APOSTROPHES)).strip()


# A few emoji that carry tone (an eye-roll is sarcasm, a laugh can be mockery) become words.
_EMOJI = {"\U0001f644": " eyeroll ", "\U0001f612": " eyeroll ", "\U0001f602": " haha ", "\U0001f923": " haha "}
_EMOJI_RE = re.compile("|".join(_EMOJI))


# Social-media support replies: "@115712 Sorry to hear that! DM us https://t.co/x1 ^JD".
# The @handle and the agent's signature carry no move; a link becomes the word "link"
# ("check the steps here: link" is still an offer of a fix).
_HANDLE = re.compile(r"(?<![\w.@])@\w{1,30}")
_LEADING_HANDLES = re.compile(r"^\s*(?:@\w{1,30}[\s,:]*)+")
_THREAD_MARK = re.compile(r"^\s*\(?\d{1,2}/\d{1,2}\)?(?=\s)|(?<=\s)\(?\d{1,2}/\d{1,2}\)?\s*$")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_SIGNATURE = re.compile(
    r"(?:^|(?<=\s))[\^*~]\s?[A-Z][A-Za-z]{0,2}\b|(?:^|(?<=[\s.!?]))[-/\u2013\u2014]\s?[A-Z]{1,3}\s*$"
)


def strip_social(text: str) -> str:
    """Remove @handles and agent signatures, turn links into the word ``link`` and
    HTML entities ("&amp;", as exported posts carry them) into their characters."""
    if "&" in text:
        text = html.unescape(text)
    if "@" in text:
        # the handles a reply opens with only address it; one inside a sentence names
        # someone to turn to ("please reach out to @AppleSupport")
        text = _LEADING_HANDLES.sub("", text)
        text = _HANDLE.sub(" support ", text)
    text = _THREAD_MARK.sub(" ", text)
    text = _URL.sub(" link ", text)
    return _SIGNATURE.sub(" ", text)


def normalise(text: str) -> str:
    """Lowercase, map text-speak and typos; keeps ``? ! , .`` as separate marks."""
    text = _EMOJI_RE.sub(lambda m: _EMOJI[m.group(0)], strip_social(clean(text)).lower())
    text = re.sub(r"([?!,;:()\"])", r" \1 ", text)
    text = re.sub(r"(?<=[a-z])\.(?=\s|$)", " .", text)
    words = []
    for word in text.split():
        words.append(_WORD_MAP.get(word, word))
    return " ".join(words)


def tokens(normalised: str) -> List[str]:
    """Word tokens of a normalised text (marks ``?`` and ``!`` kept as tokens)."""
    return re.findall(r"[a-z0-9£$€'][a-z0-9£$€'.-]*[a-z0-9]|[a-z0-9£$€]|[?!]", normalised)


@dataclass(frozen=True)
class Segment:
    """A sentence-like piece of a message, with its offsets in the original text."""

    text: str
    start: int
    end: int
    index: int  # position of the segment in the message, 0-based
    count: int  # how many segments the message has


# Sentence ends, line breaks, semicolons and dashes used as separators.
_SPLIT = re.compile(r"(?<=[.!?])[\"')\]]*\s+|\n+|;\s*|\s[-\u2013\u2014]+\s|(?<=[.!?])(?=[A-Z])")


def segments(text: str) -> List[Segment]:
    """Split a message into sentence-like segments (evidence is quoted per segment)."""
    text = text or ""
    pieces = []
    position = 0
    for match in _SPLIT.finditer(text):
        pieces.append((position, match.start()))
        position = match.end()
    pieces.append((position, len(text)))
    spans: List[Tuple[int, int]] = []
    for start, end in pieces:
        chunk = text[start:end]
        stripped = chunk.strip()
        if spans and stripped and not any(ch.isalnum() for ch in stripped):
            # an emoji or two after a sentence belong to it: "Thanks, I guess. 🙄" is one act
            spans[-1] = (spans[-1][0], start + len(chunk.rstrip()))
            continue
        if not re.search(r"[A-Za-z0-9\u00c0-\uffff]", stripped):
            continue
        offset = start + (len(chunk) - len(chunk.lstrip()))
        spans.append((offset, offset + len(stripped)))
    return [Segment(text[s:e], s, e, i, len(spans)) for i, (s, e) in enumerate(spans)]
