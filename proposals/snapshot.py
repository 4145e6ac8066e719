"""The frozen content of a submitted version, as JSON.

Everything the reviewers and the PDF need, read once at submission: the fields of
every section, the principal investigator and the team as they were, the
statements accepted, and the documents by id, name and SHA-256 (the files stay
in storage, kept by ProposalVersion.documents). Statements and document names are
kept in English and Chinese (versions before that hold English only); countries
by code, with their English name.

`for_reader(snapshot)` gives the version page the same content with what the
portal wrote in the reader's language.
"""

from decimal import Decimal

from django.utils import translation
from django_countries.fields import Country

from catalogue.models import RequiredDocument, Statement
from proposals.checklist import current_documents

SNAPSHOT_SCHEMA = 1


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _moment(value) -> str | None:
    return value.isoformat() if value else None


def _carrier(carrier) -> dict | None:
    if carrier is None:
        return None
    return {
        "id": carrier.pk,
        "kind": carrier.kind,
        "name_en": carrier.name_en,
        "name_zh_hans": carrier.name_zh_hans or "",
        "max_size_mm": carrier.max_size_mm,
    }


def build_snapshot(proposal, *, reference: str, submitted_at) -> dict:
    """Country names are stored in English, whoever submits."""
    with translation.override("en"):
        return _snapshot(proposal, reference=reference, submitted_at=submitted_at)


def _snapshot(proposal, *, reference: str, submitted_at) -> dict:
    opportunity = proposal.opportunity
    pi = proposal.principal_investigator
    acceptances = {a.statement_id: a for a in proposal.statement_acceptances.all()}
    return {
        "schema": SNAPSHOT_SCHEMA,
        "reference": reference,
        "stage": proposal.stage,
        "submitted_at": submitted_at.isoformat(),
        "opportunity": {
            "id": opportunity.pk,
            "slug": opportunity.slug,
            "title_en": opportunity.title_en,
            "title_zh_hans": opportunity.title_zh_hans or "",
            "mission_code": opportunity.mission.code,
            "mission_name_en": opportunity.mission.name_en,
            "mission_name_zh_hans": opportunity.mission.name_zh_hans or "",
        },
        "summary": {
            "title": proposal.title,
            "abstract": proposal.abstract,
            "keywords": proposal.keywords,
        },
        "objectives": {
            "objectives": proposal.objectives,
            "relevance": proposal.relevance,
        },
        "payload": {
            "payload_description": proposal.payload_description,
            "trl": proposal.trl,
            "heritage": proposal.heritage,
        },
        "resources": {
            "carrier": _carrier(proposal.carrier),
            "mass_kg": _decimal(proposal.mass_kg),
            "power_avg_w": _decimal(proposal.power_avg_w),
            "power_peak_w": _decimal(proposal.power_peak_w),
            "data_mb_per_day": _decimal(proposal.data_mb_per_day),
            "length_mm": proposal.length_mm,
            "width_mm": proposal.width_mm,
            "height_mm": proposal.height_mm,
            "operations_needs": proposal.operations_needs,
        },
        "funding": {"funding_statement": proposal.funding_statement},
        "principal_investigator": {
            "user_id": pi.pk,
            "name": pi.get_full_name(),
            "email": pi.email,
            "institution": pi.institution,
            "country": pi.country.code or "",
            "country_name": str(pi.country.name) if pi.country else "",
            "orcid": pi.orcid,
        },
        "team": [
            {
                "id": member.pk,
                "name": member.name,
                "email": member.email,
                "institution": member.institution,
                "country": member.country.code or "",
                "country_name": str(member.country.name) if member.country else "",
                "role": member.role,
                "user_id": member.user_id,
                "confirmed_at": _moment(member.confirmed_at),
            }
            for member in proposal.team_members.all()
        ],
        "documents": [
            {
                "id": document.pk,
                "required_document_id": document.required_document_id,
                "required_document": document.required_document.name_en,
                "required_document_zh_hans": (
                    document.required_document.name_zh_hans or ""
                ),
                "original_name": document.original_name,
                "sha256": document.sha256,
                "size": document.size,
                "page_count": document.page_count,
                "uploaded_at": _moment(document.uploaded_at),
            }
            for document in current_documents(proposal)
        ],
        "statements": [
            {
                "id": statement.pk,
                "text_en": statement.text_en,
                "text_zh_hans": statement.text_zh_hans or "",
                "accepted_at": _moment(acceptances[statement.pk].accepted_at),
            }
            for statement in proposal.opportunity.statements.all()
            if statement.pk in acceptances
        ],
    }


def _country_name(code: str, stored: str) -> str:
    """The country in the active language (django-countries), else as stored."""
    return str(Country(code).name) if code else stored


def for_reader(snapshot: dict) -> dict:
    """`snapshot` with statements, document names and countries in the active
    language, for the version page. A statement or document name the snapshot
    holds in English only is shown from the call when the call still words it
    in English as it was accepted, else as stored. Two queries at most."""
    chinese = (translation.get_language() or "").startswith("zh")
    statements = snapshot.get("statements", [])
    documents = snapshot.get("documents", [])
    now_statements = {}
    if chinese and any(not item.get("text_zh_hans") for item in statements):
        now_statements = Statement.objects.in_bulk(
            [item["id"] for item in statements if item.get("id")]
        )
    now_documents = {}
    if chinese and any(not d.get("required_document_zh_hans") for d in documents):
        now_documents = RequiredDocument.objects.in_bulk(
            [
                d["required_document_id"]
                for d in documents
                if d.get("required_document_id")
            ]
        )

    def statement_text(item: dict) -> str:
        english = item.get("text_en", "")
        if not chinese:
            return english
        if item.get("text_zh_hans"):
            return item["text_zh_hans"]
        now = now_statements.get(item.get("id"))
        if now is not None and now.text_en == english:
            return now.text_zh_hans or english
        return english

    def document_name(item: dict) -> str:
        english = item.get("required_document", "")
        if not chinese:
            return english
        if item.get("required_document_zh_hans"):
            return item["required_document_zh_hans"]
        now = now_documents.get(item.get("required_document_id"))
        if now is not None and now.name_en == english:
            return now.name_zh_hans or english
        return english

    pi = snapshot.get("principal_investigator", {})
    return {
        **snapshot,
        "principal_investigator": {
            **pi,
            "country_name": _country_name(
                pi.get("country", ""), pi.get("country_name", "")
            ),
        },
        "team": [
            {
                **member,
                "country_name": _country_name(
                    member.get("country", ""), member.get("country_name", "")
                ),
            }
            for member in snapshot.get("team", [])
        ],
        "documents": [
            {**item, "required_document": document_name(item)} for item in documents
        ],
        "statements": [{**item, "text": statement_text(item)} for item in statements],
    }
