"""A confirmation before a money or irreversible step (发放, 红冲, 整批审批, 结案, 撤销, ...).

A view describes the step as a :class:`Confirmation`: a title, a sentence saying what
will happen, the facts (amount in figures and 大写, payee, fund) and the button. The
same description is used twice, so the two say the same thing in the same words:

- the form carries it as ``data-confirm-*`` attributes (:func:`attributes`), which
  ``app/static/js/confirm.js`` reads to show a dialog; confirmed, the script adds
  ``confirmed=1`` to the form and sends it once;
- without the script the form arrives without ``confirmed`` (:func:`needed`), and the
  view answers with :func:`page`: the same facts, every typed value carried as a hidden
  field, a 确认 button that sends the form again with ``confirmed=1``, and a 返回 link.

A fact may be known when the page is drawn (``value``) or be what the person types in
one of the form's fields (``field``); a typed amount is shown in figures and 大写, by the
script through :func:`words` (``GET /amounts/words``), here directly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask import render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from app.money import InvalidAmount, capitals, format_yuan, parse_typed_amount

CONFIRMED = "confirmed"


@dataclass(frozen=True)
class Fact:
    """One line of a confirmation: a label and its value, or the field the value is typed in."""

    label: str
    value: str = ""
    field: str | None = None
    money: bool = False
    choices: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Confirmation:
    title: str
    lead: str
    facts: tuple[Fact, ...]
    button: str
    danger: bool = True


def amount_text(amount: Decimal) -> str:
    """``¥1,800.00（壹仟捌佰元整）``: an amount as a confirmation states it."""
    return f"{format_yuan(amount)}（{capitals(amount)}）"


def money(label: str, amount: Decimal) -> Fact:
    return Fact(label, amount_text(amount))


def typed(label: str, name: str, *, money: bool = False, choices: Mapping[str, str] | None = None) -> Fact:
    return Fact(label, field=name, money=money, choices=choices)


def words(text: str) -> str:
    """What a typed amount reads as; raises :class:`InvalidAmount` when it is not one."""
    return amount_text(parse_typed_amount(text))


def needed() -> bool:
    """Whether the form was sent without the person's confirmation."""
    return request.form.get(CONFIRMED) != "1"


def attributes(confirmation: Confirmation) -> Markup:
    """The form's ``data-confirm-*`` attributes, for the script's dialog."""
    facts = [
        {
            "label": f.label,
            "value": f.value,
            "field": f.field,
            "money": f.money,
        }
        for f in confirmation.facts
    ]
    pairs = {
        "data-confirm-title": confirmation.title,
        "data-confirm-lead": confirmation.lead,
        "data-confirm-button": confirmation.button,
        "data-confirm-cancel": _("Back"),
        "data-confirm-danger": "1" if confirmation.danger else "",
        "data-confirm-facts": json.dumps(facts, ensure_ascii=False),
        "data-confirm-words": url_for("cases.amount_words"),
    }
    return Markup(" ").join(Markup('{}="{}"').format(name, value) for name, value in pairs.items())


def _shown(fact: Fact) -> str:
    if fact.field is None:
        return fact.value
    typed_value = (request.form.get(fact.field) or "").strip()
    if fact.money:
        try:
            return words(typed_value)
        except InvalidAmount:
            return typed_value
    return fact.choices.get(typed_value, typed_value) if fact.choices else typed_value


def page(confirmation: Confirmation, *, back: str) -> str:
    """The confirmation page for a form sent without ``confirmed`` (no script ran)."""
    hidden = [(name, value) for name, value in request.form.items(multi=True) if name != CONFIRMED]
    return render_template(
        "_confirm.html",
        confirmation=confirmation,
        facts=[(f.label, _shown(f)) for f in confirmation.facts],
        hidden=hidden,
        action=request.full_path.rstrip("?"),
        back=back,
    )
