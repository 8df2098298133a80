from typing import Literal

from django.db.models import QuerySet
from ninja import Router, Schema

from tandem.core.api import ERRORS
from tandem.core.http import ApiRequest
from tandem.people.models import Team
from tandem.people.selectors import team_visible

router = Router(tags=["people"])


class TeamOut(Schema):
    id: int
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str
    team: TeamOut | None


@router.get("/me", response={200: MeOut, **ERRORS}, operation_id="people_me", summary="The signed-in user")
def me(request: ApiRequest) -> MeOut:
    """Who the session or the personal token belongs to: useful to check a token works."""
    user = request.user
    team = TeamOut(id=user.team.pk, name=user.team.name) if user.team else None
    return MeOut(id=user.pk, username=user.username, name=str(user), role=user.role, team=team)


class TeamDetailOut(Schema):
    id: int
    name: str
    kind: Literal["sales", "product", "engineering", "leadership"]
    manager_id: int | None
    territory_id: int | None


@router.get(
    "/teams",
    response={200: list[TeamDetailOut], **ERRORS},
    operation_id="people_team_list",
    summary="List the teams, with their manager and territory",
    description="Teams are configured by admins in the admin pages; everyone may read them.",
)
def team_list(request: ApiRequest) -> QuerySet[Team]:
    return team_visible(user=request.user).order_by("name", "id")
