from ninja import Router, Schema

from tandem.core.api import ERRORS
from tandem.core.http import ApiRequest

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
