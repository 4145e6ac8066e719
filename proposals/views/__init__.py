"""The researcher's proposal pages; see each module's docstring."""

from proposals.views.editor import (
    check_resources_view,
    edit,
    remove_document,
    save_section,
    save_statements,
    upload_document,
)
from proposals.views.pages import (
    dashboard,
    detail,
    download_document,
    start,
    version_detail,
    version_pdf,
)
from proposals.views.submission import submit, withdraw
from proposals.views.team import (
    add_member,
    confirm_by_link,
    confirm_invitation,
    remove_member,
    resend_invitation,
)

__all__ = [
    "add_member",
    "check_resources_view",
    "confirm_by_link",
    "confirm_invitation",
    "dashboard",
    "detail",
    "download_document",
    "edit",
    "remove_document",
    "remove_member",
    "resend_invitation",
    "save_section",
    "save_statements",
    "start",
    "submit",
    "upload_document",
    "version_detail",
    "version_pdf",
    "withdraw",
]
