from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "tandem.people"
    label = "people"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.people import selectors

        visibility.register("people.User", selectors.user_visible, changeable=selectors.user_changeable)
        visibility.register("people.Team", selectors.team_visible, changeable=selectors.team_changeable)
        visibility.register("people.Territory", selectors.territory_visible, changeable=selectors.territory_changeable)
        visibility.register("people.ApiToken", selectors.api_token_visible, changeable=selectors.api_token_changeable)
        visibility.register(
            "people.RecoveryCode", selectors.recovery_code_visible, changeable=selectors.recovery_code_changeable
        )

        from django.contrib.auth.signals import user_logged_in

        from tandem.people import checks  # noqa: F401  (registers the settings check)
        from tandem.people.signals import signed_in

        user_logged_in.connect(signed_in, dispatch_uid="tandem.people.signed_in")
