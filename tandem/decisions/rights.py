"""The workspace's decision rights: who may take which decision, and how a refusal names who may.

The rights are rows of `DecisionRight`, edited by admins and executives; `DEFAULT_RIGHTS` are the
ones seeded by the data migration and assumed for a type whose row is missing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from tandem.core.permissions import has_permission
from tandem.core.roles import Role
from tandem.decisions.models import DecisionRight, DecisionType
from tandem.people.models import User
from tandem.product.models import Product
from tandem.product.permissions import ProductPermission

R = Role
DEFAULT_RIGHTS: dict[str, dict[str, object]] = {
    DecisionType.PLANNED: {
        "deciding_roles": [R.PRODUCT_MANAGER, R.EXECUTIVE],
        "consulted_roles": [R.ENGINEERING_LEAD],
        "informed_roles": [],
        "managers_own_products_only": True,
    },
    DecisionType.DECLINED: {
        "deciding_roles": [R.PRODUCT_MANAGER, R.EXECUTIVE],
        "consulted_roles": [R.SALES_MANAGER],
        "informed_roles": [],
        "managers_own_products_only": True,
    },
    DecisionType.NEEDS_INFO: {
        "deciding_roles": [R.PRODUCT_MANAGER, R.EXECUTIVE],
        "consulted_roles": [],
        "informed_roles": [],
        "managers_own_products_only": True,
    },
    DecisionType.LATER: {
        "deciding_roles": [R.PRODUCT_MANAGER, R.EXECUTIVE],
        "consulted_roles": [R.SALES_MANAGER],
        "informed_roles": [],
        "managers_own_products_only": True,
    },
    DecisionType.ESCALATION_RULING: {
        "deciding_roles": [R.EXECUTIVE],
        "consulted_roles": [R.PRODUCT_MANAGER, R.SALES_MANAGER],
        "informed_roles": [],
        "managers_own_products_only": True,
    },
}

# How a refusal names the act: "Only … may decline this feature."
VERBS = {
    DecisionType.PLANNED: "plan",
    DecisionType.DECLINED: "decline",
    DecisionType.NEEDS_INFO: "ask for more information on",
    DecisionType.LATER: "defer",
    DecisionType.ESCALATION_RULING: "rule on",
}
ROLE_NOUNS = {
    R.REP: "a sales rep",
    R.SALES_MANAGER: "a sales manager",
    R.PRODUCT_MANAGER: "a product manager",
    R.ENGINEERING_LEAD: "an engineering lead",
    R.EXECUTIVE: "an executive",
    R.ADMIN: "an admin",
}


def decision_rights_all() -> dict[str, DecisionRight]:
    """Every decision type's right, from the table, with the defaults standing in for a missing row."""
    stored = {right.decision_type: right for right in DecisionRight.objects.all()}
    return {
        str(kind): stored.get(kind) or DecisionRight(decision_type=kind, **DEFAULT_RIGHTS[kind])
        for kind in DecisionType
    }


def decision_right_for(decision_type: str) -> DecisionRight:
    right = DecisionRight.objects.filter(decision_type=decision_type).first()
    return right or DecisionRight(decision_type=decision_type, **DEFAULT_RIGHTS[decision_type])


@dataclass(frozen=True)
class Subject:
    """What is being decided, for the rights check: the product it belongs to (None for an ask not yet
    linked to a feature) and how to call it in a sentence ("this feature")."""

    product: Product | None
    noun: str


def holds_right(user: User, right: DecisionRight, subject: Subject) -> bool:
    if not (user.is_active and user.role in right.deciding_roles):
        return False
    if user.role == R.PRODUCT_MANAGER and right.managers_own_products_only and subject.product is not None:
        return subject.product.manager_id == user.pk
    return True


def holders_text(right: DecisionRight, subject: Subject) -> str:
    """Who holds the right, in words: "the product manager of Payments (Priya Shah) or an executive"."""
    names: list[str] = []
    for role in right.roles("deciding_roles"):
        if role == R.PRODUCT_MANAGER and right.managers_own_products_only and subject.product is not None:
            manager = subject.product.manager
            who = str(manager) if manager is not None else "no one assigned yet"
            names.append(f"the product manager of {subject.product.name} ({who})")
        else:
            names.append(ROLE_NOUNS[role])
    if not names:
        return "no one (the decision rights give this to no role)"
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def decision_right_check(*, user: User, right: DecisionRight, subject: Subject) -> None:
    """Refuse (403) a decision by someone without the right, naming who holds it."""
    if not holds_right(user, right, subject):
        verb = VERBS[DecisionType(right.decision_type)]
        raise PermissionDenied(f"Only {holders_text(right, subject)} may {verb} {subject.noun}.")


def may_manage_releases(user: User, product: Product, planning_right: DecisionRight) -> bool:
    """Whether this person may plan, change or ship the releases of this product.

    Releases carry the plans made for them, so they follow the right to plan: among those who
    manage releases (product managers and admins), a product manager manages only their own
    products' releases while the rights keep product managers to their own products.
    """
    if not has_permission(user, ProductPermission.MANAGE_RELEASES):
        return False
    return product.manager_id == user.pk if _own_products_only(user, planning_right) else True


def release_products(user: User, products: QuerySet[Product], planning_right: DecisionRight) -> QuerySet[Product]:
    """Of these products, those whose releases this person may manage: the rule of `may_manage_releases`
    as a filter, for the product choices of the release form."""
    if not has_permission(user, ProductPermission.MANAGE_RELEASES):
        return products.none()
    return products.filter(manager=user) if _own_products_only(user, planning_right) else products


def _own_products_only(user: User, planning_right: DecisionRight) -> bool:
    return user.role == R.PRODUCT_MANAGER and planning_right.managers_own_products_only


def releases_check(*, user: User, product: Product, planning_right: DecisionRight) -> None:
    """Refuse (403) planning, changing or shipping a release to someone who may not, naming who may."""
    if not may_manage_releases(user, product, planning_right):
        manager = product.manager or "no one assigned yet"
        raise PermissionDenied(
            f"Only the product manager of {product.name} ({manager}) or an admin may plan or ship its releases."
        )
