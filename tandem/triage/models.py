"""What the duplicate-suggestion engine stores: each ask's and feature's vector, and a log of changes.

Each web process keeps its own index in memory (`tandem/triage/index.py`), loaded from these rows
on first use and brought up to date from `IndexChange` on every call, so processes agree without a
shared cache.
"""

import secrets

from django.db import models


def _token() -> int:
    return secrets.randbits(62)


class AskVector(models.Model):
    """An ask's wording as a vector, and the feature whose evidence it was last counted in."""

    ask = models.OneToOneField("asks.Ask", on_delete=models.CASCADE, primary_key=True, related_name="+")
    vector = models.BinaryField(help_text="Unit vector of the ask's wording, 256 int8 (scaled to its largest value).")
    counted_in = models.ForeignKey(
        "product.Feature", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sentence = models.BinaryField(
        default=b"",
        help_text="The need's sentence vector, 384 int8; empty for an ask linked before it was indexed "
        "(it counts through its feature's kept wordings).",
    )

    def __str__(self) -> str:
        return f"Vector of ask {self.ask_id}"


class FeatureVector(models.Model):
    """A feature's title and description as a vector, plus what its linked asks taught.

    The evidence learnt from triage: every ask a PM links pulls the feature towards the words
    customers use for it (the sum of their vectors), and a few of them are kept as they read, the
    feature's different wordings, so an ask that reads like one of them finds the feature without
    a scan of every linked ask.
    """

    feature = models.OneToOneField("product.Feature", on_delete=models.CASCADE, primary_key=True, related_name="+")
    vector = models.BinaryField(help_text="Unit vector of the title and description, 256 int8.")
    asks_sum = models.BinaryField(help_text="Sum of the linked asks' vectors, 256 single-precision floats.")
    asks_count = models.PositiveIntegerField(default=0)
    kept_asks = models.BinaryField(default=b"", help_text="Ids of the linked asks kept as wordings, int64 each.")
    kept_vectors = models.BinaryField(default=b"", help_text="Their vectors, 256 int8 each, in the same order.")
    sentence = models.BinaryField(default=b"", help_text="Sentence vector of the title and description, 384 int8.")

    def __str__(self) -> str:
        return f"Vector of feature {self.feature_id}"


class IndexChange(models.Model):
    """One ask or feature whose vector or link changed; both empty means 'reload everything'.

    The token tells a change apart from an earlier one that had the same id and was rolled back
    (SQLite reuses the ids of rolled-back rows).
    """

    token = models.BigIntegerField(default=_token)
    ask_id = models.BigIntegerField(null=True, blank=True)
    feature_id = models.BigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Change {self.pk}"
