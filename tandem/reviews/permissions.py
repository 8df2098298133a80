from enum import StrEnum


class ReviewsPermission(StrEnum):
    RUN_REVIEWS = "reviews.run_reviews"
