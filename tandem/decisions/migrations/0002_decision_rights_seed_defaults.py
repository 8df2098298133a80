"""The default decision rights: product managers decide on their own products, executives on anything
and alone rule on escalations. The data is spelled out here, not imported, so later changes to the
code's defaults do not rewrite history."""

from django.db import migrations

PM, EXEC, ENG, SM = "product_manager", "executive", "engineering_lead", "sales_manager"
DEFAULTS = [
    ("planned", [PM, EXEC], [ENG], []),
    ("declined", [PM, EXEC], [SM], []),
    ("needs_info", [PM, EXEC], [], []),
    ("later", [PM, EXEC], [SM], []),
    ("escalation_ruling", [EXEC], [PM, SM], []),
]


def seed(apps, schema_editor):
    DecisionRight = apps.get_model("decisions", "DecisionRight")
    for decision_type, deciding, consulted, informed in DEFAULTS:
        DecisionRight.objects.get_or_create(
            decision_type=decision_type,
            defaults={
                "deciding_roles": deciding,
                "consulted_roles": consulted,
                "informed_roles": informed,
                "managers_own_products_only": True,
            },
        )


def unseed(apps, schema_editor):
    DecisionRight = apps.get_model("decisions", "DecisionRight")
    DecisionRight.objects.filter(decision_type__in=[row[0] for row in DEFAULTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("decisions", "0001_decision_rights_and_escalations")]

    operations = [migrations.RunPython(seed, unseed)]
