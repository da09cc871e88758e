"""The hardship-worker registry: one active file per person, ID numbers protected,
categories checked against the year's rules, and every change and reveal audited.

The rooms: :mod:`.input` (what a caseworker enters, and its checks), :mod:`.files` (a
household's file and everything recorded on it), :mod:`.finding` (search and pages),
:mod:`.review` (the year's rules and the yearly review), :mod:`.model_workers` (the
register of model workers). Callers use the names below: ``registry.register(...)``."""

from app.services.errors import ValidationFailed
from app.services.registry.episodes import (
    CasesNotSettled,
    FileExited,
    episodes_of,
    exit_household,
    follow_ups_due,
    life_of,
    record_visit,
    reenter_household,
    require_on_file,
    unsettled_cases,
)
from app.services.registry.files import (
    DuplicateWorker,
    Registration,
    active_files_by_index,
    add_evidence,
    add_visit,
    change_status,
    find_active_by_id_number,
    household_flags,
    masked_id,
    open_file,
    register,
    update,
)
from app.services.registry.finding import (
    Page,
    get_worker,
    pinyin_keys,
    search,
)
from app.services.registry.input import RELATIONS, CleanWorker, MemberInput, WorkerInput, clean
from app.services.registry.listing import RegistryFilter, RegistryList, registry_list
from app.services.registry.model_workers import register_model_worker
from app.services.registry.reveals import (
    PAGE_PURPOSES,
    PURPOSES,
    PurposeRequired,
    RevealLimitReached,
    api_purpose,
    reveal_id_number,
)
from app.services.registry.review import (
    ReviewItem,
    accept_category,
    assess,
    category_supported,
    facts_of,
    missing_evidence,
    yearly_review,
)

__all__ = [
    "PAGE_PURPOSES",
    "PURPOSES",
    "RELATIONS",
    "CasesNotSettled",
    "CleanWorker",
    "DuplicateWorker",
    "FileExited",
    "MemberInput",
    "Page",
    "PurposeRequired",
    "Registration",
    "RegistryFilter",
    "RegistryList",
    "RevealLimitReached",
    "ReviewItem",
    "ValidationFailed",
    "WorkerInput",
    "accept_category",
    "active_files_by_index",
    "add_evidence",
    "add_visit",
    "api_purpose",
    "assess",
    "category_supported",
    "change_status",
    "clean",
    "episodes_of",
    "exit_household",
    "facts_of",
    "find_active_by_id_number",
    "follow_ups_due",
    "get_worker",
    "household_flags",
    "life_of",
    "masked_id",
    "missing_evidence",
    "open_file",
    "pinyin_keys",
    "record_visit",
    "reenter_household",
    "register",
    "register_model_worker",
    "registry_list",
    "require_on_file",
    "reveal_id_number",
    "search",
    "unsettled_cases",
    "update",
    "yearly_review",
]
