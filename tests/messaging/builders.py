"""The call, proposals and people the messaging tests write to.

`world()` builds one call with a letter-of-intent stage and proposals in the
states a message filters on; every person is named so a test can assert
recipients exactly.
"""

from dataclasses import dataclass

from messaging.enums import Audience
from messaging.models import Message
from proposals.enums import ProposalStage, ProposalStatus
from tests.factories import (
    OpportunityFactory,
    ProposalFactory,
    TeamMemberFactory,
    UserFactory,
)
from tests.mfa import enable_totp
from tests.reviews import reviewer_admin

BODY_EN = "Dear {name}, about {title} ({reference}): please answer by {deadline}."
BODY_ZH = "尊敬的{name}：关于{title}（{reference}），请于{deadline}前答复。"


@dataclass
class World:
    call: object
    draft: object  # full stage, draft
    letter: object  # letter-of-intent stage, draft
    submitted: object
    selected: object
    withdrawn: object
    pi_en: object  # the draft's PI, English
    member_zh: object  # confirmed on the draft and on the selected proposal
    letter_pi_zh: object
    member_no_account: object  # confirmed on the submitted proposal
    unconfirmed: object  # invited to the draft, not confirmed


def world() -> World:
    call = OpportunityFactory(with_loi=True)
    pi_en = UserFactory(full_name="Amina Haddad", email="amina@lab.example.org")
    member_zh = UserFactory(
        full_name="王小明", email="wang@lab.example.cn", chinese=True
    )
    letter_pi_zh = UserFactory(
        full_name="李华", email="li@lab.example.cn", chinese=True
    )
    draft = ProposalFactory(
        opportunity=call, principal_investigator=pi_en, title="Radon monitor"
    )
    TeamMemberFactory(
        proposal=draft, user=member_zh, email=member_zh.email, confirmed=True
    )
    unconfirmed = TeamMemberFactory(proposal=draft, email="invited@lab.example.org")
    letter = ProposalFactory(
        opportunity=call,
        principal_investigator=letter_pi_zh,
        stage=ProposalStage.LETTER_OF_INTENT,
        title="月尘探测器",
    )
    submitted = ProposalFactory(
        opportunity=call,
        submitted=True,
        principal_investigator__email="pi.submitted@lab.example.org",
        principal_investigator__full_name="Luca Bianchi",
    )
    member_no_account = TeamMemberFactory(
        proposal=submitted,
        name="Marie Curie",
        email="marie@lab.example.org",
        confirmed=True,
    )
    selected = ProposalFactory(
        opportunity=call,
        submitted=True,
        status=ProposalStatus.SELECTED,
        principal_investigator__email="pi.selected@lab.example.org",
    )
    TeamMemberFactory(
        proposal=selected, user=member_zh, email=member_zh.email, confirmed=True
    )
    withdrawn = ProposalFactory(
        opportunity=call,
        status=ProposalStatus.WITHDRAWN,
        principal_investigator__email="pi.withdrawn@lab.example.org",
    )
    ProposalFactory(principal_investigator__email="elsewhere@lab.example.org")
    return World(
        call=call,
        draft=draft,
        letter=letter,
        submitted=submitted,
        selected=selected,
        withdrawn=withdrawn,
        pi_en=pi_en,
        member_zh=member_zh,
        letter_pi_zh=letter_pi_zh,
        member_no_account=member_no_account,
        unconfirmed=unconfirmed,
    )


def administrator():
    """Staff in the Administrators group who read proposals, with TOTP."""
    return reviewer_admin.administrator()


def staff_not_administrator():
    """Staff without the proposals' view permission: not an administrator."""
    user = UserFactory(staff=True)
    enable_totp(user)
    return user


def message(call, *, author, statuses, stage="", audience=Audience.TEAMS, **kwargs):
    values = {
        "subject_en": "About {reference}",
        "body_en": BODY_EN,
        "subject_zh_hans": "关于{reference}",
        "body_zh_hans": BODY_ZH,
        **kwargs,
    }
    return Message.objects.create(
        opportunity=call,
        stage=stage,
        statuses=list(statuses),
        audience=audience,
        created_by=author,
        **values,
    )
