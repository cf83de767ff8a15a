"""Mail from operator-editable jinja2 templates (pure: reads template files only).

Each kind of mail (:class:`~complaintd.store.mail_kind.MailKind`) is a triplet of files
in ``templates/<language>/`` (as in Zulip's email templates): ``<kind>.subject.txt``,
``<kind>.txt`` and ``<kind>.html``.  Mail to customers (:data:`KINDS`) extends
``_base.*``; internal mail to departments, desk agents, the response lead and admins
(:data:`INTERNAL_KINDS`) extends ``_internal.*``.

The environment is sandboxed because operators edit the templates: ``{{ ''.__class__ }}``
and friends raise instead of reaching Python internals.  Undefined names raise too
(``StrictUndefined``), so a typo fails ``complaintd check`` rather than sending a mail
with a hole in it.  HTML files are autoescaped; text files are not.

Context contract: :mod:`complaintd.render.contexts`.  Every template gets ``language``,
``desk`` and ``ticket`` (customer mail a ``CustomerContext``, internal mail an
``InternalContext`` with the whole case), and each kind the fields of its ``MailContent``
class (``SolutionMail``: ``text``, ``agree_mailto``, ``disagree_mailto``; ...).  The
workflow and :mod:`complaintd.render.samples` build the same types, so the samples
``complaintd check`` renders with hold exactly what the workflow passes.

A *time* is a :class:`~complaintd.render.times.LocalTime` (or ``"-"`` when there is
none); the renderer writes every one in the language of the mail before rendering:
``2026年11月22日 10:00（北京时间）`` / ``22 November 2026, 10:00 (Beijing time)``.

Filters and tests available to templates:

* ``category_label``, ``severity_label``, ``status_label``, ``cause_label``:
  ``{{ ticket.category | category_label }}`` names a key in the context's ``language``;
  ``{{ key | category_label("en") }}`` names it in the language given.
* ``nl2br`` (HTML only): escapes plain text and keeps its line breaks as ``<br>``.
* ``text is starts_with_salutation``: the agent's text greets the customer itself
  ("您好", "王女士：", "Dear …"), so the letter around it must not greet them again.
"""

from __future__ import annotations

import importlib.util
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    TemplateSyntaxError,
    pass_context,
    select_autoescape,
)
from jinja2.runtime import Context
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup, escape

from complaintd.errors import ConfigError
from complaintd.render.contexts import ALL_KINDS
from complaintd.render.labels import (
    LANGUAGES,
    category_label,
    cause_label,
    resolve_language,
    severity_label,
    status_label,
)
from complaintd.render.salutation import starts_with_salutation
from complaintd.render.samples import sample_context
from complaintd.render.times import localize_times
from complaintd.render.wellformed import html_problems
from complaintd.store.ticket_status import TicketStatus

# The three parts of a mail, as file-name suffixes after "<kind>.".
SUBJECT, TEXT, HTML = "subject.txt", "txt", "html"
PARTS: tuple[str, ...] = (SUBJECT, TEXT, HTML)

# Kinds become file names: keep them to plain identifiers so no kind can name a path.
_KIND = re.compile(r"[a-z][a-z0-9_]*\Z")

# Unicode categories dropped from subjects: controls, format characters (bidi overrides
# that could disguise the subject), surrogates.  Whitespace is handled before this.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})


@dataclass(frozen=True)
class RenderedMail:
    """One rendered mail: a one-line subject and its text and HTML bodies."""

    subject: str
    text: str
    html: str


def default_templates_dir() -> Path:
    """The shipped templates: the package ``complaintd.templates`` (the checkout's
    top-level ``templates/`` folder in an editable install)."""
    spec = importlib.util.find_spec("complaintd.templates")
    locations = list(spec.submodule_search_locations or []) if spec else []
    if locations:
        return Path(locations[0])
    return Path(__file__).resolve().parents[3] / "templates"  # run from a bare checkout


def clean_subject(subject: str) -> str:
    """``subject`` made safe for a mail header: one line, no control characters.

    Line breaks and other whitespace become single spaces (so ``a\\r\\nBcc: x`` cannot
    start a header); other control and format characters are dropped.
    """
    if not subject.isprintable():  # a control, format or surrogate character, odd space
        subject = subject.translate(_unprintable_table(subject))
    return " ".join(subject.split())


def _unprintable_table(text: str) -> dict[int, str | None]:
    """What becomes of each unprintable character of ``text``: whitespace (an ideographic
    space, a line break) a space, control and format characters nothing, others kept."""
    return {
        ord(char): " "
        if char.isspace()
        else (None if unicodedata.category(char) in _DROPPED_CATEGORIES else char)
        for char in set(text)
        if not char.isprintable()
    }


@pass_context
def _category_filter(context: Context, key: str, language: str | None = None) -> str:
    """Jinja filter: the category's name in ``language`` or the context's language."""
    return category_label(key, language or context.get("language"))


@pass_context
def _severity_filter(context: Context, key: str, language: str | None = None) -> str:
    """Jinja filter: the severity's name in ``language`` or the context's language."""
    return severity_label(key, language or context.get("language"))


@pass_context
def _cause_filter(context: Context, key: str, language: str | None = None) -> str:
    """Jinja filter: the cause's name in ``language`` or the context's language."""
    return cause_label(key, language or context.get("language"))


@pass_context
def _status_filter(context: Context, key: str, language: str | None = None) -> str:
    """Jinja filter: the status's name in ``language`` or the context's language."""
    return status_label(key, language or context.get("language"))


def _nl2br(text: str) -> Markup:
    """Jinja filter: ``text`` escaped for HTML, its line breaks kept as ``<br>``."""
    # Escape line by line first, so only our own <br> is ever markup.
    return Markup("<br>\n").join(escape(line) for line in str(text).splitlines())


RECHECK_SECONDS = 1.0  # how stale an edited template may be: at most a second


class _RecheckingLoader(FileSystemLoader):
    """Template files, each checked for changes at most once per :data:`RECHECK_SECONDS`.

    jinja's ``auto_reload`` asks every template loaded - a mail's three files and each
    one they extend or include - whether its file changed, a ``stat`` each time: a
    thousand reminders queued in one tick would ask 8,000 times about the same files.
    """

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        return source, filename, _rechecked(uptodate)


def _rechecked(uptodate: Callable[[], bool]) -> Callable[[], bool]:
    """``uptodate`` asked at most once per :data:`RECHECK_SECONDS`; True in between."""
    checked = [time.monotonic()]

    def check() -> bool:
        now = time.monotonic()
        if now - checked[0] < RECHECK_SECONDS:
            return True
        checked[0] = now
        return uptodate()

    return check


class _Sandbox(ImmutableSandboxedEnvironment):
    """The immutable sandbox, looking up ``ticket.number`` in a context dict first.

    jinja tries an attribute first and the item after it, so every ``ticket.number`` on
    a dict raised and caught an AttributeError (a hundred per mail).  A context is
    made of plain dicts whose keys are never the names of dict methods, so the result
    is the same; anything else is looked up the sandbox's way.
    """

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)


def _environment(directory: Path) -> ImmutableSandboxedEnvironment:
    """The sandboxed jinja environment over ``directory``."""
    # Immutable sandbox: templates cannot even append to the workflow's lists.
    env = _Sandbox(
        loader=_RecheckingLoader(str(directory), encoding="utf-8"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(
            enabled_extensions=("html",),
            disabled_extensions=("txt",),
            default_for_string=False,
            default=False,
        ),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,  # operators edit templates while the daemon runs
    )
    env.filters["category_label"] = _category_filter
    env.filters["severity_label"] = _severity_filter
    env.filters["status_label"] = _status_filter
    env.filters["cause_label"] = _cause_filter
    env.filters["nl2br"] = _nl2br
    env.tests["starts_with_salutation"] = starts_with_salutation
    return env


def template_values(context: Mapping[str, Any], language: str) -> dict[str, Any]:
    """What templates in ``language`` see: ``context`` with its labels' language set to
    the templates' own and every time written out in it."""
    values: dict[str, Any] = localize_times({**context, "language": language}, language)
    return values


def _traceback_frames(traceback: TracebackType | None) -> Iterator[tuple[str, int]]:
    """(file name, line) of every frame of ``traceback``, outermost first."""
    while traceback is not None:
        yield traceback.tb_frame.f_code.co_filename, traceback.tb_lineno
        traceback = traceback.tb_next


class TemplateRenderer:
    """Renders the mail triplets found in one templates directory."""

    def __init__(self, directory: Path) -> None:
        """Use the templates in ``directory`` (``<language>/<kind>.{subject.txt,txt,html}``)."""
        self.directory = Path(directory).resolve()
        self._env = _environment(self.directory)

    def reload(self) -> None:
        """Forget the loaded templates: the next render reads every file again."""
        if self._env.cache is not None:
            self._env.cache.clear()

    def render(self, kind: str, language: str, context: Mapping[str, Any]) -> RenderedMail:
        """Render mail ``kind`` in ``language`` (unknown languages fall back to zh-CN).

        Raises :class:`ConfigError` naming the template file when one is missing, does
        not parse, or fails to render; :class:`ValueError` for a malformed kind.
        """
        language = resolve_language(language)
        values = template_values(context, language)
        text, html = self.render_bodies(kind, language, values)
        return RenderedMail(self.render_subject(kind, language, values), text, html)

    def render_subject(self, kind: str, language: str, values: Mapping[str, Any]) -> str:
        """The one-line subject of mail ``kind``, from :func:`template_values` ``values``."""
        return clean_subject(self._render_part(kind, language, SUBJECT, values))

    def render_bodies(self, kind: str, language: str, values: Mapping[str, Any]) -> tuple[str, str]:
        """The text and HTML bodies of mail ``kind``, from :func:`template_values` ``values``.

        Apart from :meth:`render_subject` because the sender writes the bodies later, from
        the values stored when the mail was queued (:mod:`complaintd.outbox.recipe`).
        """
        return (
            self._render_part(kind, resolve_language(language), TEXT, values),
            self._render_part(kind, resolve_language(language), HTML, values),
        )

    def _render_part(self, kind: str, language: str, part: str, values: Mapping[str, Any]) -> str:
        """Render ``<language>/<kind>.<part>``; every failure becomes a ConfigError."""
        if not _KIND.match(kind):
            raise ValueError(f"malformed mail kind {kind!r}")
        name = f"{language}/{kind}.{part}"
        # One try around loading and rendering: {% extends %} and {% include %} load
        # their templates only while rendering.
        try:
            return self._env.get_template(name).render(values)
        except TemplateNotFound as error:
            missing = error.name if isinstance(error.name, str) else name
            raise ConfigError(
                _key(missing), f"template file {missing} is missing from {self.directory}"
            ) from error
        except TemplateSyntaxError as error:
            where = error.name or name
            raise ConfigError(
                _key(where), f"{where} line {error.lineno}: syntax error: {error.message}"
            ) from error
        except Exception as error:
            # Undefined names, sandbox violations, a filter raising: all the template's doing.
            where, line = self._position(error, name)
            raise ConfigError(
                _key(where), f"{where} line {line}: {type(error).__name__}: {error}"
            ) from error

    def _position(self, error: BaseException, name: str) -> tuple[str, int | str]:
        """Template file and line where ``error`` was raised (jinja rewrites tracebacks).

        The innermost frame inside our directory wins, so an error in an included or
        extended template names that file, not the one asked for.
        """
        found: tuple[str, int | str] = (name, "?")
        for filename, line in _traceback_frames(error.__traceback__):
            path = Path(filename)
            if path.is_absolute() and path.is_relative_to(self.directory):
                found = (path.relative_to(self.directory).as_posix(), line)
        return found


def _key(name: str) -> str:
    """The configuration key naming template ``name``: ``templates/en/ack.txt``."""
    return f"templates/{name}"


# Ticket facts that may be missing (None); lists that may be empty.
_OPTIONAL_FACTS = (
    "internal_due_at",
    "customer_name",
    "customer_email",
    "customer_fax",
    "shipping_date",
    "goods",
    "quantity",
)
_OPTIONAL_LISTS = ("waybills", "order_numbers", "attachments")


def _bare_answer(answer: Mapping[str, Any]) -> dict[str, Any]:
    """A department's answer with nothing filled in but "invalid"."""
    empty = dict.fromkeys(("cause_label", "responsible", "solution", "note"))
    return {**answer, "finding": "invalid", **empty}


def _sparse(context: Mapping[str, Any]) -> dict[str, Any]:
    """``context`` with every optional fact absent (no name, no numbers, no files, ...).

    Only keys the kind gets are touched, so a template reading a key its kind does not
    get still fails.  Departments' answers become bare "invalid" ones (so both branches
    of the internal templates are rendered), lists of departments become empty, and the
    complaint came by fax.
    """
    ticket = dict(context["ticket"])
    ticket.update({key: None for key in _OPTIONAL_FACTS if key in ticket})
    ticket.update({key: [] for key in _OPTIONAL_LISTS if key in ticket})
    if "source" in ticket:  # a fax whose caller number was not recognised
        ticket["source"] = "fax"
    sparse = {**context, "ticket": ticket}
    for key in ("dispatched", "open_sheets", "asked", "answered"):
        if key in sparse:
            sparse[key] = []
    if "score" in sparse:  # an unhappy survey answer in words only, without a comment
        sparse.update(score=None, comment="")
    if "suggested_solution" in sparse:
        sparse["suggested_solution"] = ""
    if "answer" in sparse:
        sparse["answer"] = _bare_answer(sparse["answer"])
    if "answers" in sparse:
        sparse["answers"] = [_bare_answer(answer) for answer in sparse["answers"]]
        sparse["all_invalid"] = True
    return sparse


def _variants(full: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The contexts ``check_templates`` renders a kind with: the full sample, the sparse
    one, and for the answers summary valid findings without a suggested solution."""
    variants: list[Mapping[str, Any]] = [full, _sparse(full)]
    if full.get("suggested_solution"):
        variants.append({**full, "suggested_solution": ""})
    if full.get("cancelled_because") == TicketStatus.CLOSED:
        variants.append({**full, "cancelled_because": TicketStatus.INVALID})
    return variants


def _part_problems(
    renderer: TemplateRenderer, kind: str, language: str, part: str, context: Mapping[str, Any]
) -> list[str]:
    """What is wrong with one part rendered with ``context``; [] when nothing."""
    where = _key(f"{language}/{kind}.{part}")
    try:
        output = renderer._render_part(kind, language, part, template_values(context, language))
    except ConfigError as error:
        return [str(error)]
    if part == SUBJECT:
        subject = clean_subject(output)
        tag = f"[{context['ticket']['number']}]"
        if not subject:
            return [f"{where}: the subject is empty"]
        if not subject.startswith(tag):
            return [f"{where}: the subject does not start with the ticket tag {tag}"]
    elif not output.strip():
        return [f"{where}: the body is empty"]
    if part == HTML:
        return [f"{where}: {problem}" for problem in html_problems(output)]
    return []


def check_templates(renderer: TemplateRenderer) -> list[str]:
    """Render every kind in every language with sample data; the problems found.

    Covers customer and internal kinds.  Each part is rendered with the full sample
    and with every optional fact absent (see :func:`_variants`).  An empty list means
    all is well.  The files are read afresh, however recently they were loaded.
    """
    renderer.reload()
    problems: list[str] = []
    for language in LANGUAGES:
        for kind in ALL_KINDS:
            variants = _variants(sample_context(kind, language))
            for part in PARTS:
                for context in variants:
                    for problem in _part_problems(renderer, kind, language, part, context):
                        if problem not in problems:
                            problems.append(problem)
    return problems
