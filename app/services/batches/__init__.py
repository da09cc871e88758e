"""代发批次: paying approved cases through the bank's payroll service.

:mod:`.prepare` makes a draft batch of approved cases of one fund and unit and has
another person approve it; :mod:`.send` gives the bank file (the first fetch sends the
batch: its money moves from committed to at the bank); :mod:`.answer` takes the bank's
answer (paid lines become payments, failed ones go back to their cases), which
:mod:`.matching` holds against the lines and :mod:`.answer_file` reads from the bank's
file. The states and the refusals are in :mod:`.states`.
"""

from app.services.batches.answer import answer, payment_date, voucher_of
from app.services.batches.answer_file import AnswerReport, answer_file
from app.services.batches.matching import AnswerLine
from app.services.batches.prepare import approve, cancel, open_line_cases, prepare, was_replayed
from app.services.batches.send import bank_file
from app.services.batches.states import (
    TRANSITIONS,
    AnswerConflict,
    AnswerMismatch,
    BatchWrongState,
    CaseInOpenBatch,
    LineNotInBatch,
    NoBankAccount,
    load,
)

__all__ = [
    "TRANSITIONS",
    "AnswerConflict",
    "AnswerLine",
    "AnswerMismatch",
    "AnswerReport",
    "BatchWrongState",
    "CaseInOpenBatch",
    "LineNotInBatch",
    "NoBankAccount",
    "answer",
    "answer_file",
    "approve",
    "bank_file",
    "cancel",
    "load",
    "open_line_cases",
    "payment_date",
    "prepare",
    "voucher_of",
    "was_replayed",
]
