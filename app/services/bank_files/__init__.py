"""代发文件: the files a payment batch is sent to the bank in, and the bank's answer,
laid out by templates kept as data (``data/banks/*.toml``, one file per bank layout;
see :mod:`app.services.bank_files.templates` for the keys). Nothing here reads the
database: the batch is passed in as plain values, and the answer comes back as plain
values for the batch service to hold against its lines.

The interface::

    from app.services import bank_files

    bank_files.load_templates() -> dict[str, BankTemplate]   # by code, checked at load
    bank_files.template("icbc_payroll") -> BankTemplate      # NotFound for an unknown code

    data, filename, mimetype = bank_files.render_batch_file(
        "generic", "xlsx",                                   # or "csv" (GB18030)
        BatchHeader(batch_no="DF2015-0001", unit_name="桥西区总工会", date=date(2015, 1, 20),
                    payer_account="0407...", payer_name="...", count=3, total=Decimal("1500.00")),
        [BatchLine(line_id=17, payee_name="张三", account_number="6222020409001234567",
                   bank_name="中国工商银行张家口分行", amount=Decimal("500.00"), memo="送温暖慰问金"), ...],
    )

    lines = bank_files.read_return_file("generic", "回盘.xlsx", content)
    # [ReturnLine(line_id=17, result="paid", reason="", bank_date=date(2015, 1, 21), row=10,
    #             amount=Decimal("500.00"), payee_name="张三", account_number="6222...", batch_no=None), ...]

Guarantees:

- Templates are checked when first loaded (and the tests load them): an unknown key or
  field, a missing column for the payee's name, account or amount, a return layout
  whose reference column does not carry the line, or two templates with one code raise
  :class:`BankTemplateInvalid` naming the file.
- The file holds every line in the order given, the whole account number as text (an
  XLSX text cell; plain digits in CSV), amounts with two decimals and no grouping
  (``1234.50``; an XLSX number formatted ``0.00``), the template's header rows and total
  row. Text cells are made formula-safe (:func:`app.xlsx.safe_cell`). ``header.count`` and
  ``header.total``, when given, must be the lines' (``ValueError`` otherwise: a
  programming error, as is a format the template does not offer, a line without an
  account or with an amount that is not positive). The file carries whole account
  numbers: the caller audits its fetching and does not keep it.
- The answer is the same layout with the template's three result columns added after
  its own (result, reason, date). It is read whole or refused whole with
  :class:`app.services.errors.BankFileRefused` (an ``InvalidInput``, 422), whose message
  names the row (``row`` holds it): a missing or misplaced column, a reference that
  names no line, a result word the template does not list, an amount that is not
  exactly yuan and fen (``parse_wire_amount``), a paid line without the bank's date, a
  failed line without its reason, an account that lost digits, a line twice, or a count
  or total (header rows, total row) that the lines do not add up to.
- What the reader cannot know is the caller's to check: that each ``line_id`` is one of
  the batch's, that ``amount``, ``payee_name`` and ``account_number`` are the line's,
  and that ``batch_no`` (from a ``reference`` or ``batch_no`` column; ``None`` when the
  layout has neither) is the batch's.
- :data:`DEFAULT_TEMPLATE` (``generic``) is the layout when nobody chose a bank's; a
  page offering a choice lists ``load_templates()`` (``code`` and ``name`` of each).
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from app.services.bank_files.render import MIMETYPES, BatchHeader, BatchLine, reference, render
from app.services.bank_files.returns import ReturnLine, read
from app.services.bank_files.templates import (
    TEMPLATES_DIR,
    BankTemplate,
    BankTemplateInvalid,
    load_from,
    load_templates,
)
from app.services.errors import BankFileRefused, NotFound

__all__ = [
    "DEFAULT_TEMPLATE",
    "MIMETYPES",
    "TEMPLATES_DIR",
    "BankFileRefused",
    "BankTemplate",
    "BankTemplateInvalid",
    "BatchHeader",
    "BatchLine",
    "ReturnLine",
    "load_from",
    "load_templates",
    "read_return_file",
    "reference",
    "render_batch_file",
    "template",
]

#: The template a batch is written in when nobody chose another.
DEFAULT_TEMPLATE = "generic"


def template(code: str) -> BankTemplate:
    """The template ``code``; :class:`NotFound` when there is none."""
    found = load_templates().get(code)
    if found is None:
        raise NotFound(_("There is no bank file template %(code)s.", code=code), field="template")
    return found


def render_batch_file(
    template_code: str, fmt: str, batch_header: BatchHeader, lines: Sequence[BatchLine]
) -> tuple[bytes, str, str]:
    """The batch's file for the bank in the template's layout: ``(bytes, filename, mimetype)``."""
    return render(template(template_code), fmt, batch_header, lines)


def read_return_file(template_code: str, filename: str, content: bytes) -> list[ReturnLine]:
    """The bank's answer to a batch written in ``template_code``: its lines in file order,
    or :class:`BankFileRefused` naming the row that does not match the template."""
    return read(template(template_code), filename, content)
