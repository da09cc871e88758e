"""The audit package: one ZIP with the year's ledger, cases, payments, reversals, the
registry (ID numbers masked), the budget, the reconciliation and the audit log, each
as CSV (UTF-8 with BOM) and together as one XLSX workbook, plus a manifest with each
file's row count, money totals and SHA-256, and the audit chain's head.

Rows are read in batches and written straight into the ZIP, so memory stays flat
however long the ledger is. The rooms: :mod:`.sections` (the tables), :mod:`.writers`
(CSV, XLSX and the ZIP), :mod:`.package` (the whole package and its audit entry).
"""

from app.services.audit_export.package import log_export, start_package_job, write_package
from app.services.audit_export.sections import SECTIONS
from app.services.audit_export.writers import XLSX_MAX_ROWS, FileEntry, open_archive, write_csv, write_xlsx

__all__ = [
    "SECTIONS",
    "XLSX_MAX_ROWS",
    "FileEntry",
    "log_export",
    "open_archive",
    "start_package_job",
    "write_csv",
    "write_package",
    "write_xlsx",
]
