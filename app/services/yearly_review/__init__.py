"""年审: the yearly review of every file on record, round by round.

:mod:`.rounds` starts a unit's round and does its tasks (through the registry's own steps),
:mod:`.lists` reads rounds, tasks and the lists of files the review looks at, :mod:`.report`
the year's figures of households' life on file."""

from app.services.yearly_review.lists import (
    FILE_LISTS,
    PAGE_ROWS,
    RoundProgress,
    file_list,
    list_columns,
    list_title,
    list_values,
    list_workbook,
    never_helped,
    overdue_tasks,
    progress,
    rounds_in,
    tasks_of,
    unchanged_files,
)
from app.services.yearly_review.report import (
    FileLife,
    UnitReview,
    file_life,
    movement_rows,
    review_columns,
    review_values,
)
from app.services.yearly_review.report import workbook_of as file_life_workbook
from app.services.yearly_review.rounds import (
    NewFigures,
    RoundExists,
    TaskDone,
    complete_task,
    is_overdue,
    start_round,
)

__all__ = [
    "FILE_LISTS",
    "PAGE_ROWS",
    "FileLife",
    "NewFigures",
    "RoundExists",
    "RoundProgress",
    "TaskDone",
    "UnitReview",
    "complete_task",
    "file_life",
    "file_life_workbook",
    "file_list",
    "is_overdue",
    "list_columns",
    "list_title",
    "list_values",
    "list_workbook",
    "movement_rows",
    "never_helped",
    "overdue_tasks",
    "progress",
    "review_columns",
    "review_values",
    "rounds_in",
    "start_round",
    "tasks_of",
    "unchanged_files",
]
