from django.db import models


class Row(models.Model):
    """One row of the baseline's 10,000-row table."""

    name = models.CharField(max_length=100)
    email = models.EmailField()
    country = models.CharField(max_length=2)
    score = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name
