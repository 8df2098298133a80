import zoneinfo
from decimal import Decimal
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tandem.core.constraints import FieldCheckConstraint
from tandem.core.models import money_field
from tandem.core.roles import SALES_ROLES, Role


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not a known time zone.")


class Territory(models.Model):
    """A slice of the market a sales team covers, e.g. 'EMEA North'."""

    name = models.CharField(max_length=100, unique=True)
    region = models.CharField(max_length=50, help_text="Broad region: AMER, EMEA, APAC or LATAM.")
    potential = money_field(
        default=Decimal("0"),
        help_text="What the territory could buy in a year, in the home currency: weighs the quota breakdown.",
    )
    # Accounts matching all the non-empty parts of the rule belong here when the rule is applied.
    rule_region = models.CharField("Region is", max_length=50, blank=True)
    rule_segment = models.CharField("Segment is", max_length=20, blank=True)
    rule_industry = models.CharField("Industry is", max_length=100, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "territories"
        constraints = [
            FieldCheckConstraint(
                condition=Q(potential__gte=0),
                name="territory_potential_not_negative",
                field="potential",
                violation_error_message="A territory's potential cannot be negative.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of people with a manager; sales teams carry quotas and cover a territory."""

    class Kind(models.TextChoices):
        SALES = "sales", "Sales"
        PRODUCT = "product", "Product"
        ENGINEERING = "engineering", "Engineering"
        LEADERSHIP = "leadership", "Leadership"

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.SALES)
    manager = models.ForeignKey(
        "people.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="managed_teams"
    )
    territory = models.ForeignKey(Territory, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def user_name(first_name: str, last_name: str, username: str) -> str:
    """How a person is named on every page and in the API: full name, else username. Lists that read
    `.values()` call it with the three columns."""
    return f"{first_name} {last_name}".strip() or username


def admin_site_access(role: str) -> dict[str, bool]:
    """The Django admin's flags of a person of `role`: Tandem's admins keep people, teams, stages and
    the rest there with every permission, and no other role enters it. The role decides them: `User`
    sets them from it when a save adds a person or changes their role, a constraint holds every
    other write to it (the seed's and the users
    import's rows take them from here)."""
    admin = role == Role.ADMIN
    return {"is_staff": admin, "is_superuser": admin}


class PeopleManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra_fields: Any
    ) -> "User":
        """`manage.py createsuperuser` makes one of Tandem's admins: a superuser of another role would
        hold the admin site's every permission while the product treated them as a rep."""
        extra_fields["role"] = Role.ADMIN
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in. Exactly one role; a team for everyone who belongs to one."""

    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.REP, db_index=True)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    title = models.CharField(max_length=100, blank=True)
    # The id the record has in the CRM or tool it was imported from: a re-import updates it instead of adding another.
    external_id = models.CharField(max_length=100, null=True, blank=True, unique=True)

    objects: ClassVar[PeopleManager] = PeopleManager()

    class Meta:
        ordering = ["first_name", "last_name"]
        constraints = [
            FieldCheckConstraint(
                condition=Q(role__in=Role.values),
                name="user_role_valid",
                field="role",
                violation_error_message="Choose one of Tandem's roles.",
            ),
            FieldCheckConstraint(
                condition=(Q(role=Role.ADMIN) & Q(is_staff=True, is_superuser=True))
                | (~Q(role=Role.ADMIN) & Q(is_staff=False, is_superuser=False)),
                name="user_admin_site_follows_role",
                field="role",
                violation_error_message="Only admins enter the admin site, and every admin does.",
            ),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The role decides who enters the admin site: a person added, or whose role changed anywhere
        # (the admin's form, an import), takes the flags of the role with it.
        # Flags that already follow the role need no look at the stored row.
        update_fields = kwargs.get("update_fields")
        access = admin_site_access(self.role)
        role_written = update_fields is None or "role" in update_fields
        follows = all(getattr(self, flag) == value for flag, value in access.items())
        if (
            role_written
            and not follows
            and (self._state.adding or not User.objects.filter(pk=self.pk, role=self.role).exists())
        ):
            for flag, value in access.items():
                setattr(self, flag, value)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "is_staff", "is_superuser"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return user_name(self.first_name, self.last_name, self.username)

    @property
    def is_sales(self) -> bool:
        return self.role in SALES_ROLES


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the key is shown once at creation.

    A read token reads what its owner sees and changes nothing; a write token does both. A token
    works until it is revoked or, when it has one, until its expiry.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, help_text="First characters of the key, to recognise it.")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Tokens made before scopes existed could write: they keep doing so.
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.WRITE)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: the token works until revoked.")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class RecoveryCode(models.Model):
    """A one-time code that signs a person in when their authenticator app is lost (two-factor).

    Stored as a salted SHA-256 digest (ASVS 2.6.2: a secret of under 112 bits is salted and hashed);
    the codes themselves are shown once, when made. A used code keeps its row, marked used.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=100, help_text="salt$sha256(salt + code), hexadecimal.")
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Recovery code of {self.user_id}{' (used)' if self.used_at else ''}"
