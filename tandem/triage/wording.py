"""From an ask's or a feature's words to what the suggestion engine compares: terms and a vector.

Reps write in shorthand ("sso w/ okta", "2fa", "export to excell"); feature titles are written
out. Before comparing, abbreviations common in B2B software are spelt out and misspelt words are
repaired against the words features use. The vector comes from WordLlama, a static word-embedding
model whose weights and tokenizer ship inside its PyPI wheel, so it loads offline in under a second
and embeds a sentence in a tenth of a millisecond on one CPU core.
"""

import functools
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

DIMENSIONS = 256

# Shorthand reps type, spelt out the way feature titles say it. General B2B SaaS vocabulary only:
# nothing here names a feature of ours.
ABBREVIATIONS: dict[str, str] = {
    "sso": "single sign-on",
    "saml": "saml single sign-on",
    "idp": "identity provider",
    "adfs": "identity provider",
    "2fa": "two-factor authentication",
    "mfa": "multi-factor authentication",
    "otp": "one-time code",
    "rbac": "roles permissions",
    "perms": "permissions",
    "acl": "permissions",
    "gdpr": "gdpr personal data",
    "dpo": "data protection officer",
    "byok": "bring your own key encryption",
    "kms": "key management encryption",
    "xls": "excel spreadsheet",
    "xlsx": "excel spreadsheet",
    "csv": "csv spreadsheet file",
    "ppt": "powerpoint",
    "pptx": "powerpoint",
    "sf": "salesforce",
    "sfdc": "salesforce",
    "hs": "hubspot",
    "msteams": "microsoft teams",
    "gcal": "google calendar",
    "erp": "erp finance system",
    "api": "api",
    "ui": "interface",
    "ux": "interface",
    "i18n": "translated interface",
    "l10n": "translated interface",
    "opps": "opportunities deals",
    "opp": "opportunity deal",
    "fx": "currency exchange rates",
    "esign": "electronic signature",
    "e-sign": "electronic signature",
    "sla": "service level agreement",
    "uat": "test environment",
    "wcag": "accessibility",
    "a11y": "accessibility",
    "qbr": "quarterly business review",
    "fy": "fiscal year",
    "notifs": "notifications",
    "notif": "notification",
    "pls": "",
    "plz": "",
    "dupes": "duplicates",
    "dupe": "duplicate",
    "w/": "with",
    "w/o": "without",
    "info": "information",
    "config": "configuration",
}

_TOKEN = re.compile(r"[a-z0-9][a-z0-9/+\-]*[a-z0-9+]|[a-z0-9]")
_WORD = re.compile(r"[a-z0-9]+")

# Words that say nothing about which need an ask is: they never make a match on their own.
STOP_WORDS = frozenset(
    """a about above after again all also am an and any are as at be because been before being below between
    both but by can could did do does doing don down during each even every few for from further get gets
    got had has have having he her here hers him his how i if in into is it its just let like ll me more
    most my need needs needed no nor not now of off on once one only or other our out over own please re
    really same see should so some such than that the their them then there these they this those through to
    today too under until up us very via want wants wanted was we were what when where which while who whom
    why will with without would you your asked ask asks asking customer customers client clients team teams
    them something someone thing things way ways able use using used make makes made go going call calls
    said says told tell mentioned keep keeps still already whole new big lot lots much many day week month
    year years time times right well good great main one two three first last next another""".split()  # noqa: SIM905 (a word list reads better as text)
)


def spelt_out(text: str) -> str:
    """Lower-case `text` with B2B shorthand spelt out, so 'SSO w/ Okta' reads 'single sign-on with okta'."""
    words = []
    for token in _TOKEN.findall(text.lower()):
        words.append(ABBREVIATIONS.get(token, token))
    return " ".join(w for w in words if w)


def without_name(text: str, name: str) -> str:
    """`text` without the words of the customer's name: 'Kestrel Freight wants SSO' is about SSO, and
    the same customer's other asks are not duplicates for sharing its name."""
    words = {w for w in _WORD.findall(name.lower()) if len(w) > 1}
    if not words:
        return text
    return re.sub(r"[A-Za-z0-9]+", lambda m: "" if m.group(0).lower() in words else m.group(0), text)


# A channel's label before an ask: "Ticket #4411: ", "Gong call note — ", "AP clerk: ", "RFP 3.1.2: ".
# A dash ends one only with a space before it: "Nacht- und Sonntagsarbeit" is no label.
_LABEL = re.compile(r"^[\w #.-]{1,30}(?::|\s[—-])\s")
# Labels that are boilerplate by their shape, whatever their words: a tag in brackets where chat and
# call tools put the source ("[Slack #sales] ", "(from Gong call) "), a mail's "Re: " or "Fwd: ",
# a form's "Feature request: ". Their words are often a feature's too (a Slack integration, "sales").
_TAG = re.compile(r"^\s*(?:\[[^\[\]\n]{1,30}\]|\([^()\n]{1,30}\)|(?:re|fwd?|feature request)\s*:)[\s:—-]*", re.I)


def without_label(text: str, vocabulary: "Vocabulary") -> str:
    """`text` without its leading labels: tags ('[Slack #sales] ', 'Re: ') and labels none of whose
    words a feature uses ('Ticket #4411: ', 'AP clerk: '), as many as are stacked ('Fwd: [Teams] ').

    A channel's or persona's boilerplate says nothing about the need, but no feature uses it, so its
    words weigh as the rarest there are, and two asks that share it read as the same need. A label
    in the features' words ('SSO: ', 'Screen reader support: ') names the need and stays, and so
    does a label with nothing after it.
    """
    while True:
        match = _TAG.match(text) or _LABEL.match(text)
        if match is None or not terms(text[match.end() :]):
            return text
        if match.re is _LABEL and any(vocabulary.uses(stem(w)) for w in terms(match.group(0))):
            return text
        text = text[match.end() :]


def terms(text: str) -> list[str]:
    """The words of `text` that can tell one need from another, shorthand spelt out, in order."""
    return [w for w in _WORD.findall(spelt_out(text)) if w not in STOP_WORDS and len(w) > 1]


def stem(word: str) -> str:
    """A crude English stem, so 'exports', 'exported' and 'exporting' meet 'export'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + ("y" if suffix == "ies" else "")
    return word


@functools.lru_cache(maxsize=50_000)
def stemmed(text: str) -> tuple[tuple[str, str], ...]:
    """(stem, word) for each term of `text`; the same feature titles and asks are read on every call."""
    return tuple((stem(w), w) for w in terms(text))


def repaired(words: Iterable[str], vocabulary: "Vocabulary") -> list[str]:
    """Each word, or the known word it is most likely a misspelling of ('excell' -> 'excel')."""
    return [vocabulary.closest(w) for w in words]


class Vocabulary:
    """The words features are written in, to repair misspellings and complete a word being typed."""

    def __init__(self) -> None:
        self.known: set[str] = set(STOP_WORDS)
        self._by_length: dict[int, list[str]] = {}
        self._sorted: list[str] = []
        self._frequency: dict[str, int] = {}
        self._documents = 0
        self._stem_documents: dict[str, int] = {}

    def add(self, text: str) -> None:
        """Learn the words of one feature's title and description."""
        words = terms(text)
        self._documents += 1
        for s in {stem(w) for w in words}:
            self._stem_documents[s] = self._stem_documents.get(s, 0) + 1
        for word in words:
            self._frequency[word] = self._frequency.get(word, 0) + 1
            if word not in self.known:
                self.known.add(word)
                self._by_length.setdefault(len(word), []).append(word)
                self._sorted.clear()

    def uses(self, word_stem: str) -> bool:
        """Whether some feature's title or description has a word of this stem."""
        return word_stem in self._stem_documents

    def weight(self, word_stem: str) -> float:
        """How much sharing this word says: rare among features says more than 'report' or 'data'."""
        return math.log((self._documents + 1) / (self._stem_documents.get(word_stem, 0) + 0.5))

    def closest(self, word: str) -> str:
        if word in self.known or len(word) < 4 or not word.isalpha():
            return word
        from rapidfuzz import fuzz, process

        candidates = [w for n in range(len(word) - 2, len(word) + 3) for w in self._by_length.get(n, ())]
        best = process.extractOne(word, candidates, scorer=fuzz.ratio, score_cutoff=80)
        return best[0] if best else word

    def completions(self, prefix: str, limit: int = 3) -> list[str]:
        """The most used known words starting with `prefix`, for text still being typed."""
        import bisect

        if not self._sorted:
            self._sorted = sorted(w for words in self._by_length.values() for w in words)
        start = bisect.bisect_left(self._sorted, prefix)
        found = []
        for word in self._sorted[start:]:
            if not word.startswith(prefix):
                break
            found.append(word)
        found.sort(key=lambda w: -self._frequency.get(w, 0))
        return found[:limit]


@functools.cache
def _model() -> Any:
    # WordLlama's own loader looks for the bundled tokenizer in the wrong folder and then tries the
    # network; loading the two bundled files directly keeps it offline.
    import wordllama
    from safetensors import safe_open
    from tokenizers import Tokenizer
    from wordllama import WordLlamaInference

    root = Path(wordllama.__file__).parent
    tokenizer = Tokenizer.from_file(str(root / "tokenizers" / "l2_supercat_tokenizer_config.json"))
    with safe_open(str(root / "weights" / f"l2_supercat_{DIMENSIONS}.safetensors"), framework="np") as weights:
        embedding = weights.get_tensor("embedding.weight")
    return WordLlamaInference(embedding, tokenizer)


def embed(texts: list[str]) -> NDArray[np.float32]:
    """Unit-length vectors of `texts` (already spelt out), one row each; a text of no words gets zeros."""
    vectors = np.asarray(_model().embed(texts), dtype=np.float32).reshape(len(texts), DIMENSIONS)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


def to_bytes(vectors: NDArray[np.float32]) -> bytes:
    """One or more vectors as int8, each scaled so its largest value is 127: a quarter of float32,
    and ranking by cosine does not change."""
    rows = np.atleast_2d(vectors)
    scale = np.abs(rows).max(axis=1, keepdims=True)
    quantised = np.divide(rows * 127, scale, out=np.zeros_like(rows), where=scale > 0)
    return np.rint(quantised).astype(np.int8).tobytes()


def from_bytes(data: bytes, dimensions: int = DIMENSIONS) -> NDArray[np.float32]:
    """The unit vectors stored by `to_bytes`, one row each (an all-zero vector stays zero)."""
    rows = np.frombuffer(data, dtype=np.int8).reshape(-1, dimensions).astype(np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    return np.divide(rows, norms, out=np.zeros_like(rows), where=norms > 0)
