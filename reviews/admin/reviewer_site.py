"""The reviewers' admin site, at /review/: one audience, one site.

Reviewers are not staff and never reach /admin/. This site lets in an active
member of the Reviewers group whose session passed two-factor authentication
(allauth records each factor of a sign-in in the session; one must be "mfa"):

- nobody signed in: sent to allauth's sign-in page, which asks for the code;
- a reviewer without an authenticator app: sent to set one up, with a message
  (accounts.middleware.TwoFactorMiddleware);
- a reviewer with an app whose session did not pass it (they turned it on after
  signing in): sent to allauth's page that asks for a code now, then back;
- anyone signed in who is not a reviewer (an administrator, a researcher): 403.

Its index is the reviewer's work (assignments to answer, reviews to write,
discussions waiting, calls open for bidding); registered on it: the reviewer's
own assignments (reviewer_assignments.ReviewerAssignmentAdmin) and the bidding
pages (reviewer_bidding.BiddingPages).
"""

from functools import update_wrapper

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.html import conditional_escape, escape
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from config.admin_lists import PK_MARK
from reviews import selectors
from reviews.admin.review_display import due_html
from reviews.admin.reviewer_bidding import BiddingPages
from reviews.permissions import is_reviewer


def passed_two_factor(request: HttpRequest) -> bool:
    """Whether this session's sign-in included an authenticator code."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


def _with_next(url: str, next_url: str) -> str:
    return f"{url}?{urlencode({REDIRECT_FIELD_NAME: next_url})}"


def work_rows(items, *, page: list[str], answer: bool) -> str:
    """The index's rows of assignments to answer (reference, title, call, due)
    or reviews to write (reference, title, the review's status, due), each
    reference linking to the assignment's page (`page`: its URL around the
    key), to its review for one to write."""
    before, after = escape(page[0]), escape(page[1]) + ("" if answer else "#review")
    rows = []
    for assignment, due in items:
        proposal = assignment.proposal
        third = (
            proposal.opportunity.title
            if answer
            else assignment.review.get_status_display()
        )
        rows.append(
            f'<tr><th scope="row" class="review-ref"><a href="{before}'
            f'{assignment.pk}{after}">{conditional_escape(proposal.reference)}</a></th>'
            f"<td>{conditional_escape(proposal.title)}</td>"
            f"<td>{conditional_escape(third)}</td>"
            f'<td class="review-due">{conditional_escape(due)}</td></tr>\n'
        )
    return mark_safe("".join(rows))  # noqa: S308 — every part escaped above


class ReviewerSite(BiddingPages, AdminSite):
    site_header = gettext_lazy("AO Portal review")
    site_title = gettext_lazy("AO Portal review")
    index_title = gettext_lazy("Your review work")
    index_template = "admin/reviews/reviewing/site_index.html"
    enable_nav_sidebar = False

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return is_reviewer(user) and passed_two_factor(request)

    def refusal(self, request: HttpRequest) -> HttpResponse:
        """For someone signed in whom has_permission turns away: never a loop
        back to the sign-in page."""
        user = request.user
        if not is_reviewer(user):
            raise PermissionDenied
        if not is_mfa_enabled(user, types=[Authenticator.Type.TOTP]):
            messages.warning(
                request,
                _(
                    "Reviewers must turn on two-factor authentication before "
                    "using the reviewers' site. Confirm your password if asked, "
                    "then set up an authenticator app."
                ),
            )
            return redirect("mfa_activate_totp")
        messages.warning(
            request,
            _(
                "You signed in without your authenticator code. Enter the code "
                "your authenticator app shows to open the reviewers' site."
            ),
        )
        return HttpResponseRedirect(
            _with_next(reverse("mfa_reauthenticate"), self._next_url(request))
        )

    def _next_url(self, request: HttpRequest) -> str:
        index = reverse(f"{self.name}:index")
        if request.path == reverse(f"{self.name}:login"):
            wanted = request.GET.get(REDIRECT_FIELD_NAME, "")
            safe = url_has_allowed_host_and_scheme(
                wanted,
                allowed_hosts={request.get_host()},
                require_https=request.is_secure(),
            )
            return wanted if wanted and safe else index
        return request.get_full_path()

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        def inner(request, *args, **kwargs):
            if request.user.is_authenticated and not self.has_permission(request):
                return self.refusal(request)
            return guarded(request, *args, **kwargs)

        if not cacheable:
            inner = never_cache(inner)
        return update_wrapper(inner, view)

    @method_decorator(never_cache)
    def login(self, request: HttpRequest, extra_context=None) -> HttpResponse:
        """Through allauth's sign-in (password, then the authenticator code)."""
        next_url = self._next_url(request)
        if not request.user.is_authenticated:
            return HttpResponseRedirect(
                _with_next(resolve_url(settings.LOGIN_URL), next_url)
            )
        if not self.has_permission(request):
            return self.refusal(request)
        return HttpResponseRedirect(next_url)

    def password_change(self, request: HttpRequest, extra_context=None):
        """Passwords are changed on the account's own pages (allauth)."""
        return redirect("account_change_password")

    def password_change_done(self, request: HttpRequest, extra_context=None):
        return redirect("account_change_password")

    def index(self, request: HttpRequest, extra_context=None) -> TemplateResponse:
        """The reviewer's work, each item with its due date; the rows of the two
        long tables written here in one pass (a busy reviewer has dozens)."""
        request.current_app = self.name
        reviewer = request.user
        work = selectors.reviewer_work(reviewer=reviewer)
        to_answer = [(a, due_html(a.due_at)) for a in work.to_answer]
        to_write = [(a, due_html(a.due_at)) for a in work.to_write]
        page = reverse(
            f"{self.name}:reviews_reviewassignment_change", args=[PK_MARK]
        ).split(PK_MARK)
        context = {
            **self.each_context(request),
            "title": self.index_title,
            "subtitle": None,
            "to_answer": to_answer,
            "to_write": to_write,
            "to_answer_rows": work_rows(to_answer, page=page, answer=True),
            "to_write_rows": work_rows(to_write, page=page, answer=False),
            "discussions": selectors.discussions_waiting(reviewer=reviewer),
            "bidding": selectors.calls_open_for_bidding(reviewer=reviewer),
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.index_template, context)

    def get_urls(self):
        urls = super().get_urls()
        if not self.final_catch_all_view:
            return [*urls, *self.bidding_urls()]
        # Before the final catch-all, the last pattern.
        return [*urls[:-1], *self.bidding_urls(), urls[-1]]


reviewer_site = ReviewerSite(name="review")
