from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "tandem.reviews"
    label = "reviews"

    def ready(self) -> None:
        from tandem.core import visibility
        from tandem.reviews import selectors

        visibility.register("reviews.Review", selectors.review_visible, changeable=selectors.review_changeable)
        visibility.register(
            "reviews.ReviewMeeting", selectors.review_meeting_visible, changeable=selectors.review_meeting_changeable
        )
        visibility.register(
            "reviews.ActionItem", selectors.action_item_visible, changeable=selectors.action_item_changeable
        )
        visibility.register(
            "reviews.MeetingDecision",
            selectors.meeting_decision_visible,
            changeable=selectors.meeting_decision_changeable,
        )
