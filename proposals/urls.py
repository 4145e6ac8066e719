from django.urls import path

from proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("start/<slug:slug>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path(
        "<int:pk>/sections/<slug:section>/",
        views.save_section,
        name="save-section",
    ),
    path(
        "<int:pk>/resources/check/",
        views.check_resources_view,
        name="check-resources",
    ),
    path("<int:pk>/statements/", views.save_statements, name="save-statements"),
    path(
        "<int:pk>/documents/<int:required_pk>/upload/",
        views.upload_document,
        name="upload-document",
    ),
    path(
        "<int:pk>/documents/<int:document_pk>/remove/",
        views.remove_document,
        name="remove-document",
    ),
    path("<int:pk>/team/", views.add_member, name="add-member"),
    path(
        "<int:pk>/team/<int:member_pk>/remove/",
        views.remove_member,
        name="remove-member",
    ),
    path(
        "<int:pk>/team/<int:member_pk>/resend/",
        views.resend_invitation,
        name="resend-invitation",
    ),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path(
        "<int:pk>/versions/<int:number>/",
        views.version_detail,
        name="version",
    ),
    path(
        "<int:pk>/versions/<int:number>/pdf/",
        views.version_pdf,
        name="version-pdf",
    ),
    path("documents/<int:pk>/", views.download_document, name="document"),
    path("team/confirm/<str:token>/", views.confirm_by_link, name="confirm-membership"),
    path(
        "team/invitations/<int:member_pk>/confirm/",
        views.confirm_invitation,
        name="confirm-invitation",
    ),
]
