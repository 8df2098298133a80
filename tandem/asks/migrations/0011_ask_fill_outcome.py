"""Every existing ask gets its outcome by the rule of `asks/outcomes.py` as it stood when the field
was added. The rule is spelled out here, against the historical models, so later changes to the
code's rule do not rewrite history; the asks' services keep it from now on."""

from django.db import migrations
from django.db.models import F, OuterRef, Q, Subquery

NEWEST = ("-decided_at", "-id")


def fill(apps, schema_editor):
    Ask = apps.get_model("asks", "Ask")
    Decision = apps.get_model("asks", "Decision")
    placed = Ask.objects.exclude(status="new")

    def on_feature(outcomes=None):
        decisions = Decision.objects.filter(feature_id=OuterRef("feature_id"))
        if outcomes:
            decisions = decisions.filter(outcome__in=outcomes)
        return decisions.order_by(*NEWEST)

    for outcome, statuses in (("planned", ["planned", "in_progress"]), ("declined", ["declined"])):
        placed.filter(feature__status__in=statuses).update(
            outcome=outcome, outcome_decision=Subquery(on_feature([outcome]).values("pk")[:1])
        )
    newest = on_feature()
    placed.filter(feature__status="backlog").annotate(latest=Subquery(newest.values("outcome")[:1])).filter(
        latest__in=["later", "needs_info"]
    ).update(outcome=Subquery(newest.values("outcome")[:1]), outcome_decision=Subquery(newest.values("pk")[:1]))
    on_ask = Decision.objects.filter(Q(ask_id=OuterRef("pk")) | Q(ask_id=OuterRef("duplicate_of_id"))).order_by(
        *NEWEST
    )
    Ask.objects.annotate(
        ask_decided=Subquery(on_ask.values("decided_at")[:1]), feature_decided=Subquery(newest.values("decided_at")[:1])
    ).filter(ask_decided__isnull=False).filter(
        Q(feature_decided__isnull=True) | Q(ask_decided__gt=F("feature_decided"))
    ).update(outcome=Subquery(on_ask.values("outcome")[:1]), outcome_decision=Subquery(on_ask.values("pk")[:1]))
    placed.filter(feature__status="shipped").update(
        outcome="shipped", outcome_decision=Subquery(on_feature(["planned"]).values("pk")[:1])
    )


def empty(apps, schema_editor):
    apps.get_model("asks", "Ask").objects.update(outcome="", outcome_decision=None)


class Migration(migrations.Migration):
    dependencies = [("asks", "0010_ask_add_outcome")]

    operations = [migrations.RunPython(fill, empty)]
