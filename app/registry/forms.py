"""Registry forms. Field rules live in app/services/registry/input.py; the forms carry the
CSRF token, keep what was typed, and show the service's messages next to each field."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.labels import RELATION_LABELS
from app.models.registry import LEVEL_LABELS
from app.services import eligibility

MEMBER_ROWS = 6


def choices(
    options: dict[object, object] | list[tuple[object, object]], *, blank: bool = False
) -> list[SelectChoice]:
    """Select options from a {value: label} mapping, optionally with an empty first choice."""
    pairs = list(options.items()) if isinstance(options, dict) else list(options)
    return ([SelectChoice("", "")] if blank else []) + [SelectChoice(str(v), label) for v, label in pairs]


class MemberForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Name"))
    relation = SelectField(
        validate_choice=False, label=_l("Relation"), choices=choices(RELATION_LABELS, blank=True)
    )
    id_number = StringField(_l("ID number (if known)"))


class WorkerForm(FlaskForm):
    unit = SelectField(
        validate_choice=False, label=_l("Union unit holding the file"), coerce=str, validators=[Optional()]
    )
    name = StringField(_l("Name"))
    id_number = StringField(_l("Resident ID number"))
    phone = StringField(_l("Mobile number"))
    employer = StringField(_l("Employer"))
    address = StringField(_l("Address"))
    household_size = StringField(_l("Household size (people)"))
    household_monthly_income = StringField(_l("Household monthly income (yuan)"))
    category = SelectField(
        validate_choice=False,
        label=_l("Category"),
        choices=choices(eligibility.CATEGORIES, blank=True),
        coerce=str,
    )
    category_reason = TextAreaField(_l("Why this category"))
    main_cause = SelectField(
        validate_choice=False,
        label=_l("Main cause of hardship"),
        choices=choices(eligibility.CAUSES, blank=True),
    )
    secondary_cause = SelectField(
        validate_choice=False, label=_l("Secondary cause"), choices=choices(eligibility.CAUSES, blank=True)
    )
    disaster_event = StringField(_l("Disaster or accident (category 3)"))
    disaster_date = StringField(_l("Its date (category 3)"))
    rights_case_ref = StringField(_l("Rights case reference (category 4)"))
    bank_name = StringField(_l("Bank"))
    bank_account = StringField(_l("Bank card number"))
    members = FieldList(FormField(MemberForm), min_entries=MEMBER_ROWS, max_entries=MEMBER_ROWS)


class EvidenceForm(FlaskForm):
    kind = SelectField(
        validate_choice=False, label=_l("Document"), choices=choices(eligibility.EVIDENCE_KINDS)
    )
    reference = StringField(_l("Document number or note"))
    received_on = DateField(_l("Received on"))
    file = FileField(_l("Scan (PDF, JPG or PNG, optional)"))


class VisitForm(FlaskForm):
    visited_on = DateField(_l("Visited on"))
    notes = TextAreaField(_l("What the visit found"))


class StatusForm(FlaskForm):
    status = SelectField(validate_choice=False, label=_l("Status"), choices=[])
    on = DateField(_l("Date"))
    reason = StringField(_l("Reason"))


class AcceptCategoryForm(FlaskForm):
    reason = TextAreaField(_l("Why the category is accepted"))


class RevealForm(FlaskForm):
    """Why the whole ID number is needed: one of the common purposes, 其他 with a note."""

    purpose = SelectField(_l("Purpose"), validate_choice=False, choices=[])
    note = StringField(_l("Say what for"))

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        from app.services.registry import PAGE_PURPOSES, PURPOSES

        self.purpose.choices = choices([(code, PURPOSES[code]) for code in PAGE_PURPOSES], blank=True)


class ImportForm(FlaskForm):
    file = FileField(_l("Spreadsheet (.xlsx or .csv)"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField()


class ModelWorkerForm(FlaskForm):
    unit = SelectField(validate_choice=False, label=_l("Union unit"), coerce=str, validators=[Optional()])
    name = StringField(_l("Name"))
    id_number = StringField(_l("Resident ID number"))
    level = SelectField(
        validate_choice=False,
        label=_l("Level"),
        choices=choices(LEVEL_LABELS, blank=True),
    )
    employer = StringField(_l("Employer"))
    title_year = StringField(_l("Year of the title"))


class ExitForm(FlaskForm):
    """退出: the reason (choices from app/models/episodes.py EXIT_REASONS), date and note."""

    reason = SelectField(validate_choice=False, label=_l("Reason for leaving"), choices=[])
    date = DateField(_l("Date of leaving"), validators=[Optional()])
    note = TextAreaField(_l("Note"))


class ReentryForm(FlaskForm):
    """返困: why the household is back in hardship, and since when."""

    reason = TextAreaField(_l("Why the household is back in hardship"))
    date = DateField(_l("Back on file from"), validators=[Optional()])


class FollowUpForm(FlaskForm):
    """回访: a home visit or phone call after an exit."""

    kind = SelectField(validate_choice=False, label=_l("Kind of contact"), choices=[])
    date = DateField(_l("Date"), validators=[Optional()])
    note = TextAreaField(_l("What the call or visit found"))


class TransferForm(FlaskForm):
    """调转: the unit the file goes to, and why."""

    #: The receiving unit's code, as that unit gives it (the tree beyond one's units is not listed).
    to_unit = StringField(_l("Code of the unit the file goes to"))
    reason = TextAreaField(_l("Why the file is transferred"))


class TransferDeclineForm(FlaskForm):
    note = TextAreaField(_l("Why the transfer is declined"))


class DuplicateDecisionForm(FlaskForm):
    """查重: whether two files sharing a person are one household registered twice."""

    outcome = SelectField(validate_choice=False, label=_l("Finding of the check"), choices=[])
    note = TextAreaField(_l("What the check found"))
