"""The dashboard's HTML: plain forms and inline SVG, no scripts. Every value from the views is
escaped; the charts come from matplotlib, which escapes the text it writes."""

from collections.abc import Iterable
from html import escape

from aggregates.scope import Actor
from read_api.dashboard.panels import PANELS, Choices, Nothing, Panel
from read_api.deps import Backend

SECURITY_HEADERS = {
    # No script may run, whatever a page came to hold; styles are the page's own.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}

_STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 1.5em auto; max-width: 60em; color: #222; }
header { display: flex; justify-content: space-between; align-items: baseline; }
section { border-top: 1px solid #ddd; margin-top: 1.2em; }
svg { max-width: 100%; height: auto; }
form.choices { display: flex; gap: 1em; align-items: end; flex-wrap: wrap; }
label { display: flex; flex-direction: column; font-size: 0.9em; }
.nothing { color: #777; }
.error { color: #a00; }
"""


def _document(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<style>{_STYLE}</style></head><body>{body}</body></html>"
    )


def sign_in_page(message: str | None = None) -> str:
    notice = f'<p class="error" role="alert">{escape(message)}</p>' if message else ""
    return _document(
        "Вход — Летопись",
        "<h1>Летопись: панель</h1>"
        f"{notice}"
        '<form method="post" action="/dashboard/sign-in">'
        "<label>Токен (выдаёт <code>crm users create</code>)"
        '<input type="password" name="token" autocomplete="off" required maxlength="200"></label>'
        '<button type="submit">Войти</button></form>',
    )


def _options(items: Iterable[tuple[str, str]], chosen: str | None) -> str:
    return "".join(
        f'<option value="{escape(value)}"{" selected" if value == chosen else ""}>{escape(text)}</option>'
        for value, text in items
    )


def _choices_form(picked: Choices) -> str:
    pipelines = _options(((p["id"], p["name"]) for p in picked.pipelines), picked.pipeline_id)
    contracts = _options(
        ((c["id"], f"{c['number']} — {c['counterparty_name'] or ''}") for c in picked.contracts),
        picked.contract_id,
    )
    return (
        '<form class="choices" method="get" action="/dashboard">'
        f'<label>Воронка<select name="pipeline_id">{pipelines}</select></label>'
        f'<label>Договор<select name="contract_id">{contracts}</select></label>'
        '<button type="submit">Показать</button></form>'
    )


def _panel(panel: Panel, backend: Backend, actor: Actor, picked: Choices) -> str:
    try:
        content = panel.draw(backend, actor, picked)
    except Nothing as nothing:
        content = f'<p class="nothing">{escape(str(nothing))}</p>'
    return f'<section id="{panel.key}"><h2>{escape(panel.title)}</h2>{content}</section>'


def dashboard_page(backend: Backend, actor: Actor, picked: Choices) -> str:
    panels = "".join(_panel(panel, backend, actor, picked) for panel in PANELS)
    return _document(
        "Панель — Летопись",
        f"<header><h1>Летопись: панель</h1><div>{escape(actor.full_name)} · "
        '<form method="post" action="/dashboard/sign-out" style="display:inline">'
        '<button type="submit">Выйти</button></form></div></header>'
        f"{_choices_form(picked)}{panels}",
    )
