"""The users in the admin: email is the login, the profile sits on the same row."""

from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from accounts import selectors
from accounts.models import User
from catalogue.admin.reference import ReadOnlyHistoryMixin
from config.admin_lists import LeanChangeListMixin


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class TwoFactorFilter(admin.SimpleListFilter):
    title = _("two-factor authentication")
    parameter_name = "two_factor"

    def lookups(self, request, model_admin):
        return [("on", _("On")), ("off", _("Off"))]

    def queryset(self, request, queryset):
        if self.value() == "on":
            return queryset.filter(has_totp=True)
        if self.value() == "off":
            return queryset.filter(has_totp=False)
        return queryset


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ("email", "verified", "primary")
    verbose_name = _("email address")
    verbose_name_plural = _("email addresses (sign-in and verification)")


@admin.register(User)
class UserAdmin(
    ReadOnlyHistoryMixin, LeanChangeListMixin, SimpleHistoryAdmin, DjangoUserAdmin
):
    form = UserEditForm
    add_form = UserCreationForm
    inlines = [EmailAddressInline]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "institution",
                    "country",
                    "orcid",
                    "preferred_language",
                )
            },
        ),
        (
            _("Permissions"),
            {
                "fields": (
                    "is_active",
                    "is_staff",
                    "is_superuser",
                    "groups",
                    "user_permissions",
                ),
            },
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = (
        "email",
        "full_name",
        "institution",
        "country_name",
        "preferred_language",
        "two_factor",
        "is_staff",
        "is_active",
    )
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        TwoFactorFilter,
        "preferred_language",
        "country",
        "groups",
    )
    search_fields = ("email", "full_name", "institution", "orcid")
    ordering = ("email",)
    list_per_page = 50  # eight columns: what 100 rows of a stock list of four cost
    readonly_fields = ("last_login", "date_joined")
    # The history keeps the flags, groups and permissions (accounts.models).
    history_list_display = ("is_active", "is_staff", "is_superuser")

    def get_queryset(self, request):
        return selectors.users_for_admin()

    @admin.display(description=_("two-factor"), boolean=True, ordering="has_totp")
    def two_factor(self, obj: User) -> bool:
        return obj.has_totp

    @admin.display(description=_("country"), ordering="country")
    def country_name(self, obj: User) -> str | None:
        # The field's own column looks the code up in django-countries'
        # flattened choices, rebuilt (about 250 countries) for every row: a
        # third of the page's time. The Country object names itself.
        return obj.country.name or None  # None: the admin's empty value


# The groups' permissions keep a history (accounts.models): the same group
# admin, with its history page.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyHistoryMixin, SimpleHistoryAdmin, DjangoGroupAdmin):
    pass
