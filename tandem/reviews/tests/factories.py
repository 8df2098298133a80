import datetime

import factory
from django.utils import timezone

from tandem.people.tests.factories import UserFactory
from tandem.reviews.models import ActionItem, Review, ReviewMeeting


class ReviewFactory(factory.django.DjangoModelFactory[Review]):
    class Meta:
        model = Review
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Product-sales review {n}")
    cadence = Review.Cadence.FORTNIGHTLY
    organiser = factory.SubFactory(UserFactory)

    @factory.post_generation
    def attendees(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if create and extracted:
            self.attendees.set(extracted)


class ReviewMeetingFactory(factory.django.DjangoModelFactory[ReviewMeeting]):
    class Meta:
        model = ReviewMeeting

    review = factory.SubFactory(ReviewFactory)
    held_on = factory.LazyFunction(timezone.localdate)
    period_start = factory.LazyAttribute(lambda m: m.held_on - datetime.timedelta(days=14))


class ActionItemFactory(factory.django.DjangoModelFactory[ActionItem]):
    class Meta:
        model = ActionItem

    meeting = factory.SubFactory(ReviewMeetingFactory)
    title = "Send the security questionnaire to Acme"
    owner = factory.SubFactory(UserFactory)
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=7))
    created_by = factory.LazyAttribute(lambda i: i.meeting.review.organiser)
