"""The runtime: configuration, clock, database and templates, handed to every stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import peewee

from complaintd.clock import Clock
from complaintd.config import Config
from complaintd.store import migrations
from complaintd.store.db import open_database

if TYPE_CHECKING:
    from complaintd.render import TemplateRenderer


@dataclass
class Runtime:
    """What a command works with; built once per process (again on SIGHUP)."""

    config: Config
    clock: Clock
    database: peewee.Database
    _templates: TemplateRenderer | None = field(default=None, repr=False)

    @property
    def templates(self) -> TemplateRenderer:
        """The mail templates (``templates_dir`` or the packaged ones), loaded on first use."""
        if self._templates is None:
            self._templates = load_templates(self.config)
        return self._templates


def load_templates(config: Config) -> TemplateRenderer:
    """The renderer for ``config.templates_dir``, or the repository's ``templates/``."""
    from complaintd.render import TemplateRenderer, default_templates_dir

    directory = Path(config.templates_dir) if config.templates_dir else default_templates_dir()
    return TemplateRenderer(directory)


def open_runtime(config: Config, clock: Clock, *, upgrade: bool = True) -> Runtime:
    """Open the database of ``config`` and apply pending migrations when ``upgrade``."""
    database = open_database(config.database.url)
    if upgrade:
        migrations.upgrade(database, clock)
    return Runtime(config=config, clock=clock, database=database)
