import datetime

import factory
from django.utils import timezone

from tandem.coaching.models import CoachingNote, Review


class CoachingNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachingNote

    noted_on = factory.LazyFunction(timezone.localdate)
    text = factory.Faker("sentence")
    author = factory.LazyAttribute(lambda o: o.rep.team.manager if o.rep.team else o.rep)
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    author = factory.LazyAttribute(lambda o: o.rep.team.manager if o.rep.team else o.rep)
    period_kind = Review.PeriodKind.MONTH
    period_start = datetime.date(2026, 10, 1)
    period_end = datetime.date(2026, 10, 31)
    period_label = "October 2026"
    summary = "A strong month: two new logos."
    created_at = factory.LazyFunction(timezone.now)
    updated_at = factory.LazyFunction(timezone.now)
