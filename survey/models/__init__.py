"""The data model: every table the platform keeps, in one package (a module per
kind of record), imported from here.

Residents' answers are stored item by item (`Answer`, `AssetUse`) together
with the instrument versions the response was answered on, so any response can
be re-scored later by the scoring library. Responses carry no contact details.
"""

from survey.models.answers import Answer, AssetUse, ContactDetail, Response
from survey.models.paper import Discrepancy, PaperBatch, PaperEntry, PaperForm
from survey.models.people import ApiToken, PasswordReset, User, user_community
from survey.models.places import (
    Asset,
    Campaign,
    CampaignAsset,
    CampaignInstrument,
    CampaignQuota,
    Community,
    InstrumentVersion,
    Licence,
    ValuationAdjustment,
)
from survey.models.records import AuditEvent, DataAccess, ExportJob, ReportJob
from survey.models.vocabulary import (
    ACCESS_CHANNELS,
    ADJUSTMENT_FRACTIONS,
    ASSET_KINDS,
    ASSET_SLUG_PATTERN,
    AUDIT_ACTIONS,
    CAMPAIGN_STATUSES,
    DEFAULT_QUESTION_PHRASES,
    EXPORT_CONTENTS,
    EXPORT_FORMATS,
    EXPORT_LABELS,
    EXPORT_MISSING,
    MISSING_REASONS,
    MODES,
    PAPER_FORM_STATUSES,
    QUESTION_PHRASE_MAX,
    QUOTA_DIMENSIONS,
    REPORT_STATUSES,
    RESPONSE_STATUSES,
    ROLES,
    SAMPLING_METHODS,
    SIXWAYS_DIMENSIONS,
    default_question_phrase,
)

__all__ = [
    "ACCESS_CHANNELS",
    "ADJUSTMENT_FRACTIONS",
    "ASSET_KINDS",
    "ASSET_SLUG_PATTERN",
    "AUDIT_ACTIONS",
    "Answer",
    "ApiToken",
    "Asset",
    "AssetUse",
    "AuditEvent",
    "CAMPAIGN_STATUSES",
    "Campaign",
    "CampaignAsset",
    "CampaignInstrument",
    "CampaignQuota",
    "Community",
    "ContactDetail",
    "DEFAULT_QUESTION_PHRASES",
    "DataAccess",
    "Discrepancy",
    "EXPORT_CONTENTS",
    "EXPORT_LABELS",
    "EXPORT_MISSING",
    "EXPORT_FORMATS",
    "ExportJob",
    "InstrumentVersion",
    "Licence",
    "MISSING_REASONS",
    "MODES",
    "PAPER_FORM_STATUSES",
    "PaperBatch",
    "PaperEntry",
    "PaperForm",
    "PasswordReset",
    "QUESTION_PHRASE_MAX",
    "QUOTA_DIMENSIONS",
    "REPORT_STATUSES",
    "RESPONSE_STATUSES",
    "ROLES",
    "ReportJob",
    "Response",
    "SAMPLING_METHODS",
    "SIXWAYS_DIMENSIONS",
    "User",
    "ValuationAdjustment",
    "default_question_phrase",
    "user_community",
]
