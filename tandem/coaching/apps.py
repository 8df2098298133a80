from django.apps import AppConfig


class CoachingConfig(AppConfig):
    name = "tandem.coaching"
    label = "coaching"

    def ready(self) -> None:
        from tandem.coaching import selectors as s
        from tandem.core import visibility

        visibility.register("coaching.CoachingNote", s.coaching_note_visible, changeable=s.coaching_note_changeable)
        visibility.register("coaching.Review", s.review_visible, changeable=s.review_changeable)
