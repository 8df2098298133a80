"""Reading an ask's words: the labels channels put before it."""

import string

from hypothesis import assume, given
from hypothesis import strategies as st

from tandem.triage import wording

VOCABULARY = wording.Vocabulary()
VOCABULARY.add("Audit log. A record of who changed what and when.")
VOCABULARY.add("Slack notifications. Post deal changes to a Slack channel for the sales team.")


def test_channel_tags_are_dropped_even_in_the_features_words():
    for text in (
        "[Slack #sales] customer wants SSO with Okta",
        "[Teams] customer wants SSO with Okta",
        "(from Gong call) customer wants SSO with Okta",
        "Re: customer wants SSO with Okta",
        "Fwd: Re: [Slack #sales] customer wants SSO with Okta",
        "Feature request: customer wants SSO with Okta",
        "Gong call note — [Teams] customer wants SSO with Okta",
    ):
        assert wording.without_label(text, VOCABULARY) == "customer wants SSO with Okta", text


def test_a_label_in_the_features_words_and_a_label_alone_stay():
    assert wording.without_label("Audit log: who changed the owner?", VOCABULARY) == "Audit log: who changed the owner?"
    assert wording.without_label("Re: Audit log: who changed it", VOCABULARY) == "Audit log: who changed it"
    assert wording.without_label("[Slack #sales] ", VOCABULARY) == "[Slack #sales] "
    assert wording.without_label("Fwd: Re:", VOCABULARY) == "Fwd: Re:"
    # Words in brackets later in the text are the need's, not a label.
    assert wording.without_label("SSO (Okta) for staff", VOCABULARY) == "SSO (Okta) for staff"


@given(st.text())
def test_only_leading_words_go_and_a_text_with_words_keeps_some(text):
    kept = wording.without_label(text, VOCABULARY)
    assert text.endswith(kept)
    assert bool(wording.terms(kept)) == bool(wording.terms(text))


_TAG_WORDS = st.text(
    alphabet=st.characters(blacklist_characters="[]()\n", blacklist_categories=("Cs",)), min_size=1, max_size=30
)
_LABELS = st.lists(
    st.one_of(
        _TAG_WORDS.map(lambda words: f"[{words}] "),
        _TAG_WORDS.map(lambda words: f"({words}) "),
        st.sampled_from(["Re: ", "RE: ", "Fwd: ", "Fw: ", "Feature request: ", "Ticket #4411: ", "Gong call note — "]),
    ),
    min_size=1,
    max_size=3,
)
# A need as typed after the label: words and sentence punctuation, none of a label's marks.
_NEED = st.lists(st.text(alphabet=string.ascii_letters + string.digits + ",.?!'", min_size=1), min_size=1).map(" ".join)


@given(_LABELS, _NEED)
def test_every_word_after_the_labels_is_kept(labels, need):
    assume(wording.terms(need))
    assert wording.without_label("".join(labels) + need, VOCABULARY) == need
