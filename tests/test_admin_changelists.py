"""Query counts of the admin changelists that no app's own tests pin: each is the
same literal whatever the number of rows."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token

from reviews.enums import DecisionOutcome
from reviews.models import Decision, DecisionLetterTemplate
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    ProposalVersionFactory,
    ReviewerFactory,
    UserFactory,
)
from tests.mfa import enable_totp, login_with_mfa


def _versions(count):
    for _ in range(count):
        ProposalVersionFactory()


def _reviewer_profiles(count):
    for index in range(count):
        ReviewerFactory(expertise=f"radon, regolith {index}")


def _letter_templates(count):
    for _ in range(count):
        DecisionLetterTemplate.objects.create(
            opportunity=OpportunityFactory(closed=True),
            outcome=DecisionOutcome.SELECTED,
            body="We are pleased to tell you that your proposal is selected.",
        )


def _decisions(count):
    for _ in range(count):
        Decision.objects.create(
            proposal=ProposalFactory(submitted=True),
            outcome=DecisionOutcome.NOT_SELECTED,
            letter="We regret that your proposal was not selected.",
            decided_at=timezone.now(),
        )


def _groups(count):
    for index in range(count):
        Group.objects.create(name=f"Panel {index}")


def _email_addresses(count):
    for _ in range(count):
        UserFactory()  # with its verified EmailAddress


def _authenticators(count):
    for _ in range(count):
        enable_totp(UserFactory())


def _tokens(count):
    for _ in range(count):
        Token.objects.create(user=UserFactory())


CHANGELISTS = {
    # url name: (rows maker, queries)
    "admin:proposals_proposalversion_changelist": (_versions, 6),
    "admin:reviews_reviewerprofile_changelist": (_reviewer_profiles, 6),
    "admin:reviews_decisionlettertemplate_changelist": (_letter_templates, 7),
    "admin:reviews_decision_changelist": (_decisions, 6),
    "admin:auth_group_changelist": (_groups, 6),
    "admin:account_emailaddress_changelist": (_email_addresses, 6),
    "admin:mfa_authenticator_changelist": (_authenticators, 6),
    "admin:authtoken_tokenproxy_changelist": (_tokens, 6),
}


@pytest.mark.parametrize("item_count", [1, 3, 10])
@pytest.mark.parametrize("url_name", sorted(CHANGELISTS))
def test_admin_changelist_query_count_is_constant(
    client, admin_user, django_assert_num_queries, url_name, item_count
):
    make_rows, queries = CHANGELISTS[url_name]
    make_rows(item_count)
    login_with_mfa(client, admin_user)

    with django_assert_num_queries(queries):
        response = client.get(reverse(url_name))

    assert response.status_code == 200
    assert response.context["cl"].result_count >= item_count
