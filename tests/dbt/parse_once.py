"""dbt parses the project once per test process, not once per test world.

dbt keeps its parsed project between commands (`target/partial_parse.msgpack`) and throws it
away when the profile's connection changes, and the DuckDB path is part of that connection: the
first dbt command on every new test world parsed the whole project again (10.9 CPU-s against
4.1 for a partial parse, measured; 13 of one suite run's commands). Here a test's dbt command
reaches its world's warehouse folder through one link per test process, so every world shows
dbt the same connection, and a new target folder starts from the parse file an earlier command
left.

dbt still checks that file against the project, the profile, the target and the variables
before it trusts it, and parses in full otherwise: a file handed over for other settings costs
a whole parse, never a wrong one.
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

PARSE_FILE = "partial_parse.msgpack"
_folder: Path | None = None


def _own_folder() -> Path:
    """This process's folder (each pytest-xdist worker is a process of its own)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="irm-dbt-parse-"))
    return _folder


def linked_warehouse(warehouse: Path) -> Path:
    """`warehouse` as reached through this process's one link to its folder (DuckDB writes its
    write-ahead log beside the file, so the link is to the folder, never to the file)."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    link = _own_folder() / "warehouse"
    staged = link.with_name("warehouse.next")
    staged.unlink(missing_ok=True)
    staged.symlink_to(warehouse.parent.resolve(), target_is_directory=True)
    staged.replace(link)  # rename(2): the link is swapped whole, never missing
    return link / warehouse.name


def _saved(args: Sequence[str], env: Mapping[str, str], target: str) -> Path:
    """Where the latest parse made for this target, linked path and `--vars` is kept."""
    variables = [a for i, a in enumerate(args) if i and args[i - 1] == "--vars"]
    key = repr((target, env.get("IRM_WAREHOUSE_PATH"), variables))
    return _own_folder() / f"{hashlib.sha256(key.encode()).hexdigest()[:16]}.msgpack"


def start_from_earlier_parse(
    args: Sequence[str], env: Mapping[str, str], target: str, target_dir: Path
) -> None:
    saved = _saved(args, env, target)
    if saved.is_file() and not (target_dir / PARSE_FILE).exists():
        target_dir.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, target_dir / PARSE_FILE)


def keep_parse(args: Sequence[str], env: Mapping[str, str], target: str, target_dir: Path) -> None:
    """Keep the parse a successful command left, for the next new target folder (the latest:
    a setting that changed since, the memory limit say, made dbt parse anew)."""
    if (target_dir / PARSE_FILE).is_file():
        shutil.copyfile(target_dir / PARSE_FILE, _saved(args, env, target))
