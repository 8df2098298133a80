from django.db import models


class Competitor(models.Model):
    """A company we compete with for deals; deals name the one they were lost to or fought."""

    name = models.CharField(max_length=200, unique=True)
    website = models.URLField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
