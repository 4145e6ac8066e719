"""The ranking's figures kept between requests (reviews.models.standings)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0005_person_names"),
        ("proposals", "0002_person_names"),
        ("reviews", "0005_assignment_plans"),
    ]

    operations = [
        migrations.CreateModel(
            name="RankingState",
            fields=[
                (
                    "opportunity",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalogue.opportunity",
                    ),
                ),
                ("version", models.PositiveBigIntegerField(default=0)),
            ],
        ),
        migrations.CreateModel(
            name="RankingFigureSet",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                (
                    "stage",
                    models.CharField(
                        choices=[
                            ("loi", "Letter of intent"),
                            ("full", "Full proposal"),
                        ],
                        max_length=8,
                    ),
                ),
                ("version", models.PositiveBigIntegerField()),
                ("computed_at", models.DateTimeField(auto_now_add=True)),
                (
                    "opportunity",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="catalogue.opportunity",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("opportunity", "stage", "version"),
                        name="ranking_figure_set_once_per_version",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="RankingFigures",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("reviews_in", models.IntegerField()),
                ("reviews_assigned", models.IntegerField()),
                ("incomplete", models.BooleanField()),
                (
                    "weighted_mean",
                    models.DecimalField(decimal_places=2, max_digits=8, null=True),
                ),
                (
                    "normalised",
                    models.DecimalField(decimal_places=2, max_digits=8, null=True),
                ),
                (
                    "spread",
                    models.DecimalField(decimal_places=2, max_digits=8, null=True),
                ),
                ("rank_mean", models.IntegerField(null=True)),
                ("rank_normalised", models.IntegerField(null=True)),
                ("disagreement", models.BooleanField()),
                ("triaged", models.BooleanField()),
                (
                    "figure_set",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="reviews.rankingfigureset",
                    ),
                ),
                (
                    "proposal",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="proposals.proposal",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("figure_set", "proposal"),
                        name="ranking_figures_once_per_proposal",
                    )
                ],
            },
        ),
    ]
