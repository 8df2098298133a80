from django.db import models


class Role(models.TextChoices):
    """Each user has exactly one role; it decides what they may do (see core.permissions)."""

    REP = "rep", "Sales rep"
    SALES_MANAGER = "sales_manager", "Sales manager"
    PRODUCT_MANAGER = "product_manager", "Product manager"
    ENGINEERING_LEAD = "engineering_lead", "Engineering lead"
    EXECUTIVE = "executive", "Executive sponsor"
    ADMIN = "admin", "Admin"


SALES_ROLES = frozenset({Role.REP, Role.SALES_MANAGER})
