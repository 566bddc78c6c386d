"""Great Expectations' page views, made to read offline (docs.py explains why).

GX instantiates these from the site config (`docs.site_config`) when it builds the Data Docs,
so this module imports Great Expectations at the top and nothing of the pipeline imports it.
Each view is GX's own with one change: its templates are looked up first in
`expectations/docs_templates/`, which replaces the few GX templates that fetch Bootstrap,
jQuery, Font Awesome, Vega or a logo from the network (or fill a table from a script) by ones
that inline a small stylesheet and write tables as HTML. GX's default stylesheet is kept,
less its one remote background image.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BytecodeCache, ChoiceLoader, DictLoader, Environment, FileSystemLoader
from jinja2.bccache import Bucket

TEMPLATES = Path(__file__).parent / "docs_templates"
GX_STYLESHEET = "data_docs_default_styles.css"
_REMOTE_URL = re.compile(r"""url\(\s*['"]?\s*(?:https?:)?//[^)]*\)""")


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache, kept in memory: each template is compiled once per process.

    GX makes a new Jinja environment for every view of every Data Docs build, each compiling
    its templates anew: about a quarter of a build's time, paid at every build by a process
    that validates several times (a test run, `irm` commands). Jinja checks a cached template
    against its source's checksum, so a changed template is compiled again."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


def use_offline_templates(env: Environment) -> None:
    """Look templates up in ours first, then GX's (its stylesheet without remote URLs); each
    compiled once per process (CompiledTemplates)."""
    env.bytecode_cache = COMPILED_TEMPLATES
    gx_loader = env.loader
    assert gx_loader is not None
    stylesheet, _, _ = gx_loader.get_source(env, GX_STYLESHEET)
    env.loader = ChoiceLoader(
        [
            FileSystemLoader(TEMPLATES),
            DictLoader({GX_STYLESHEET: _REMOTE_URL.sub("none", stylesheet)}),
            gx_loader,
        ]
    )


class OfflinePageView(DefaultJinjaPageView):
    """Validation result and expectation suite pages."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_offline_templates(self.env)


class OfflineIndexPageView(DefaultJinjaIndexPageView):
    """The site's index page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        use_offline_templates(self.env)
