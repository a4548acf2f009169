"""Refresh the report sheets inside the user's own workbook, keeping everything else.

``refresh_in_place(path)`` reads the input tables, builds the report, and rewrites only the
report sheets of ``path`` (.xlsx or .xlsm):

1. refuse early, with one sentence, when the workbook is open in Excel or LibreOffice, is
   read-only, is not an .xlsx/.xlsm package, is encrypted with a password, or holds things
   the file library (openpyxl) would drop (see ``workbook_features``) — unless ``force``;
2. load it with openpyxl (``keep_vba``, ``keep_links``), replace the report sheets
   (``render_into``) and save to memory;
3. repair what openpyxl loses on the sheets it does not need to touch: the legacy VML
   drawings (form buttons, note boxes) are put back byte for byte, drawing parts openpyxl
   forgets to copy are restored, and the cached results of formulas are put back (openpyxl
   writes formulas without their last value, which a headless reader would see as blank);
4. write a temporary file beside the original, reopen it (python-calamine and openpyxl),
   check the input tables read exactly as before, the VBA project is byte-identical and
   every part is present;
5. copy the original to ``<name>.backup-YYYYMMDD-HHMMSS<ext>`` beside it (the last
   ``keep_backups`` are kept) and replace the original atomically (``os.replace``).

Whatever fails, the original file is left exactly as it was; every failure is a
``WorkbookError`` subclass with a one-sentence message and an ``exit_code``.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import warnings
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from bdt_xl.core.pipeline import Options, run
from bdt_xl.core.report import Report
from bdt_xl.core.table import INPUT_TABLES, RawTable
from bdt_xl.errors import InPlaceError, NotWritten, WorkbookError, WorkbookInUse, WouldLoseFeatures
from bdt_xl.files.features import describe, open_package, workbook_features
from bdt_xl.files.ooxml import MAIN, parse_rels, rels, sheet_parts
from bdt_xl.files.reader import read_workbook

#: Exit codes (the CLI uses ``exc.exit_code``); 2 is the CLI's "workbook cannot be used".

BACKUP_STAMP = "%Y%m%d-%H%M%S"
KEEP_BACKUPS = 5
VBA_PART = "xl/vbaProject.bin"


@dataclass
class InPlaceResult:
    path: Path
    backup: Path | None
    report: Report
    sheets: list[str]
    #: What the rewrite touched without loss worth refusing for, and, with ``force``, lost.
    notes: list[str] = field(default_factory=list)


# -- the refresh ------------------------------------------------------------------------------
def refresh_in_place(path: str | os.PathLike[str], options: Options | None = None, *,
                     force: bool = False, backup: bool = True,
                     keep_backups: int = KEEP_BACKUPS) -> InPlaceResult:
    """Rewrite the report sheets of the workbook at ``path`` and keep everything else.

    ``force`` accepts losing what the file library cannot keep (named in the refusal);
    ``backup`` keeps a timestamped copy of the original beside it (the ``keep_backups``
    most recent are kept). Raises an ``InPlaceError`` (or another ``WorkbookError``) whose
    message is one sentence; the original is then unchanged.
    """
    from bdt_xl.layout.report_layout import build_layout

    path = Path(path)
    if not path.is_file():
        raise InPlaceError(f"{path} does not exist or is not a file; check the file name and "
                           "folder.")
    _check_not_open(path)
    open_package(path).close()  # not a workbook, encrypted, wrong extension
    _remove_stale_temps(path)
    fingerprint = _digest(path)

    tables = read_workbook(path)
    report = run(tables, options).report
    layout = build_layout(report)
    replaced = [sheet.name for sheet in layout.sheets]

    features = workbook_features(path, replaced)
    lost = [f for f in features if f.lost]
    if lost and not force:
        raise WouldLoseFeatures(
            f"{path.name} was not changed: rewriting it would lose {describe(lost)}; keep "
            "your workbook as it is and write the report to a separate file (refresh without "
            "--in-place), or refresh in place with --force to accept the loss.", lost)
    notes = [f"lost (forced): {f}" for f in lost] + [f"not kept: {f}" for f in features
                                                    if not f.lost]

    data = _rewrite(path, layout, replaced)
    tmp = _temp_path(path)
    try:
        _write_temp(tmp, data)
        _copy_mode(path, tmp)
        _verify(tmp, path, tables, replaced)
        if _digest(path) != fingerprint:
            raise NotWritten(f"{path.name} was changed by someone else while it was being "
                             "refreshed; it was left as they saved it, refresh again.")
        saved = _backup(path) if backup else None
        try:
            os.replace(tmp, path)
        except OSError as exc:
            if saved is not None:
                _unlink(saved)
            raise _write_error(exc, path, replacing=True) from None
        _sync_folder(path.parent)
    except OSError as exc:
        raise _write_error(exc, path) from None
    finally:
        _unlink(tmp)
    if backup:
        _prune_backups(path, keep_backups)
    return InPlaceResult(path, saved, report, replaced, notes)


# -- before writing ---------------------------------------------------------------------------
def lock_files(path: Path) -> list[Path]:
    """Lock files Excel (``~$name``, or ``~$`` over the first two letters of long names) and
    LibreOffice (``.~lock.name#``) leave beside a workbook they have open."""
    candidates = [f"~${path.name}", f"~${path.name[2:]}", f".~lock.{path.name}#"]
    return [path.with_name(name) for name in dict.fromkeys(candidates)
            if path.with_name(name).exists()]


def _check_not_open(path: Path) -> None:
    locks = lock_files(path)
    if locks:
        app = "LibreOffice" if locks[0].name.startswith(".~lock.") else "Excel"
        raise WorkbookInUse(f"{path.name} is open in {app} (its lock file {locks[0].name} is "
                            f"beside it); close it in {app} first, then refresh again (if "
                            f"{app} is not running, delete {locks[0].name}).")
    if not os.access(path, os.W_OK):
        raise WorkbookInUse(f"{path.name} is read-only; clear its read-only attribute or "
                            "refresh a copy.")
    try:  # on Windows a workbook open in Excel cannot be opened for writing
        with open(path, "r+b"):
            pass
    except PermissionError:
        raise WorkbookInUse(f"{path.name} is open in another program (such as Excel); close "
                            "it there first, then refresh again.") from None


def _digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _rewrite(path: Path, layout, replaced: list[str]) -> bytes:
    from openpyxl import load_workbook

    from bdt_xl.files.openpyxl_writer import render_into

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "extension is not supported": reported already
        try:
            book = load_workbook(path, keep_vba=True, keep_links=True)
        except Exception as exc:
            raise InPlaceError(f"{path.name} could not be opened for rewriting ({_short(exc)}); "
                               "write the report to a separate file instead (refresh without "
                               "--in-place).") from None
    try:
        render_into(layout, book)
    except ValueError as exc:
        raise InPlaceError(f"{path.name} was not changed: {exc}.") from None
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(path) as original:
        return repair(original, buffer.getvalue(), set(replaced))


# -- repairing what openpyxl loses on the sheets it should not touch --------------------------
def repair(original: zipfile.ZipFile, data: bytes, replaced: set[str]) -> bytes:
    """Put back, in the saved package ``data``, what openpyxl lost from ``original`` on the
    sheets not in ``replaced``: VML drawings byte for byte, parts it did not copy, and cached
    formula results. Returns the repaired package."""
    out = zipfile.ZipFile(io.BytesIO(data))
    names = set(out.namelist())
    before = sheet_parts(original)
    after = sheet_parts(out)
    changed: dict[str, bytes] = {}
    for name, new_part in after.items():
        old_part = before.get(name)
        if name in replaced or old_part is None:
            continue
        old_vml = {r.target for r in rels(original, old_part) if r.kind == "vmlDrawing"}
        for rel in rels(out, new_part):
            if rel.kind == "vmlDrawing" and rel.target in old_vml:
                changed[rel.target] = original.read(rel.target)
        cached = _cached_results(original.read(old_part))
        if cached:
            changed[new_part] = _with_cached_results(out.read(new_part), cached)
    added: dict[str, bytes] = {}
    original_names = set(original.namelist())
    for part in names | set(changed):
        if not part.endswith(".rels"):
            continue
        for rel in parse_rels(changed.get(part) or out.read(part), part):
            if not rel.external and rel.target not in names and rel.target not in added \
                    and rel.target in original_names:
                added[rel.target] = original.read(rel.target)
    types = _with_content_types(out.read("[Content_Types].xml"),
                                original.read("[Content_Types].xml"), added)
    if types is not None:
        changed["[Content_Types].xml"] = types
    if VBA_PART not in original_names:
        changed.update(_without_vba_rel(out))
    if not changed and not added:
        return data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as result:
        for info in out.infolist():
            result.writestr(info, changed.get(info.filename, None) or out.read(info.filename))
        for part, content in added.items():
            result.writestr(part, content)
    return buffer.getvalue()


_MAIN = f"{{{MAIN}}}"


def _cached_results(xml: bytes) -> dict[str, tuple[str | None, str]]:
    """Cell -> (type, cached value) of every formula cell of a worksheet that has one."""
    if b"<f" not in xml and b":f" not in xml:
        return {}
    cached = {}
    for _, node in ElementTree.iterparse(io.BytesIO(xml)):
        if node.tag == f"{_MAIN}c":
            formula, value = node.find(f"{_MAIN}f"), node.find(f"{_MAIN}v")
            if formula is not None and value is not None and value.text is not None:
                cached[node.get("r")] = (node.get("t"), value.text)
            node.clear()
        elif node.tag == f"{_MAIN}row":
            node.clear()
    return cached


# openpyxl writes a formula cell as <c r="B2" s="1"><f>…</f><v /></c> (formula text escaped)
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]+)"([^>]*)>(<f\b[^>]*?(?:/>|>[^<]*</f>))'
                           rb'<v\s*/></c>')


def _with_cached_results(xml: bytes, cached: dict[str, tuple[str | None, str]]) -> bytes:
    def put_back(match: re.Match) -> bytes:
        ref = match.group(1).decode()
        if ref not in cached or b" t=" in match.group(2):
            return match.group(0)
        kind, value = cached[ref]
        kind_attr = f' t="{kind}"'.encode() if kind in ("str", "e", "b") else b""
        return (b'<c r="' + match.group(1) + b'"' + match.group(2) + kind_attr + b">" +
                match.group(3) + b"<v>" + escape(value).encode() + b"</v></c>")
    return _FORMULA_CELL.sub(put_back, xml)


_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def _with_content_types(current: bytes, original: bytes, added: dict[str, bytes]) -> bytes | None:
    """Declare the content types of restored parts as the original did, and give the
    workbook part its original type back (openpyxl with ``keep_vba`` marks every workbook
    macro-enabled, which Excel refuses in an .xlsx). None when nothing changes."""
    ElementTree.register_namespace("", _TYPES)
    root = ElementTree.fromstring(current)
    source = ElementTree.fromstring(original)
    source_overrides = {n.get("PartName"): n for n in source if n.tag.endswith("Override")}
    overrides = {n.get("PartName"): n for n in root if n.tag.endswith("Override")}
    defaults = {n.get("Extension", "").lower() for n in root if n.tag.endswith("Default")}
    touched = False
    for name, node in overrides.items():
        before = source_overrides.get(name)
        if name.endswith("/workbook.xml") and before is not None and \
                before.get("ContentType") != node.get("ContentType"):
            node.set("ContentType", before.get("ContentType"))
            touched = True
    for part in added:
        name = "/" + part
        if name in source_overrides and name not in overrides:
            root.append(source_overrides[name])
            touched = True
        elif name not in source_overrides:
            ext = part.rsplit(".", 1)[-1].lower()
            default = next((n for n in source if n.tag.endswith("Default")
                            and n.get("Extension", "").lower() == ext), None)
            if default is not None and ext not in defaults:
                root.insert(0, default)
                defaults.add(ext)
                touched = True
    if not touched:
        return None
    return _xml(root)


def _xml(root: ElementTree.Element) -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
            ElementTree.tostring(root, encoding="UTF-8", xml_declaration=False))


def _without_vba_rel(out: zipfile.ZipFile) -> dict[str, bytes]:
    """openpyxl with ``keep_vba`` links a vbaProject.bin even when there is none: unlink it."""
    part = "xl/_rels/workbook.xml.rels"
    if part not in out.namelist():
        return {}
    ElementTree.register_namespace("", _RELS)
    root = ElementTree.fromstring(out.read(part))
    dangling = [n for n in root if n.get("Type", "").endswith("/vbaProject")]
    for node in dangling:
        root.remove(node)
    return {part: _xml(root)} if dangling else {}


# -- writing ----------------------------------------------------------------------------------
_TEMP = ".{stem}.bdt-{pid}-{tag}{suffix}"


def _temp_path(path: Path) -> Path:
    tmp = path.with_name(_TEMP.format(stem=path.stem, pid=os.getpid(),
                                      tag=os.urandom(4).hex(), suffix=path.suffix))
    try:
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        raise _write_error(exc, path) from None
    return tmp


def _write_temp(tmp: Path, data: bytes) -> None:
    with open(tmp, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _copy_mode(source: Path, target: Path) -> None:
    try:
        shutil.copymode(source, target)
    except OSError:
        pass


def _sync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _unlink(path: Path | None) -> None:
    if path is not None:
        try:
            path.unlink()
        except FileNotFoundError:
            pass
        except OSError:
            pass


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return False  # the file cannot be deleted while its writer still has it open
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _remove_stale_temps(path: Path) -> None:
    """Remove temporary files left by a refresh of this workbook that was killed."""
    pattern = re.compile(re.escape(f".{path.stem}.bdt-") + r"(\d+)-[0-9a-f]{8}" +
                         re.escape(path.suffix) + "$")
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.match(entry.name)
        if match and not _alive(int(match.group(1))):
            _unlink(entry)


def backup_name(path: Path, when: datetime | None = None) -> Path:
    stamp = (when or datetime.now()).strftime(BACKUP_STAMP)
    return path.with_name(f"{path.stem}.backup-{stamp}{path.suffix}")


def backups(path: Path) -> list[Path]:
    """Backups of ``path`` beside it, oldest first."""
    pattern = re.compile(re.escape(f"{path.stem}.backup-") + r"(\d{8}-\d{6})(?:-(\d+))?" +
                         re.escape(path.suffix) + "$")
    found = []
    for entry in path.parent.iterdir():
        match = pattern.match(entry.name)
        if match:
            found.append(((match.group(1), int(match.group(2) or 0)), entry))
    return [entry for _, entry in sorted(found)]


def _backup(path: Path) -> Path:
    target = backup_name(path)
    base, n = target.name[:-len(path.suffix)], 1
    while target.exists():
        n += 1
        target = path.with_name(f"{base}-{n}{path.suffix}")
    try:
        shutil.copy2(path, target)
    except OSError:
        _unlink(target)
        raise
    return target


def _prune_backups(path: Path, keep: int) -> None:
    if keep <= 0:
        return
    try:
        for old in backups(path)[:-keep]:
            _unlink(old)
    except OSError:
        pass


def _write_error(exc: OSError, path: Path, replacing: bool = False) -> InPlaceError:
    if isinstance(exc, InPlaceError):
        return exc
    name, folder = path.name, path.parent.resolve()
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return NotWritten(f"there is not enough disk space in {folder} to write the refreshed "
                          f"workbook; free some space and try again ({name} was not changed).")
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM,
                                                         errno.EROFS):
        if replacing:
            return WorkbookInUse(f"{name} could not be replaced: it is open in another program "
                                 f"(such as Excel) or read-only; close it and try again ({name} "
                                 "was not changed).")
        return NotWritten(f"cannot write in the folder {folder} (permission denied); copy "
                          f"{name} to a folder you may write to, or write the report to a "
                          f"separate file ({name} was not changed).")
    return NotWritten(f"could not write the refreshed workbook in {folder} "
                      f"({exc.strerror or exc}); {name} was not changed.")


# -- checking the result before it replaces the original --------------------------------------
def _verify(tmp: Path, original: Path, tables: dict[str, RawTable], replaced: list[str]) -> None:
    def fail(detail: str) -> NotWritten:
        return NotWritten(f"the refreshed workbook did not reopen correctly ({detail}); "
                          f"{original.name} was not changed, write the report to a separate "
                          "file instead and tell the maintainers.")

    try:
        again = read_workbook(tmp)
    except WorkbookError as exc:
        raise fail(str(exc)) from None
    for name in INPUT_TABLES:
        before, after = tables.get(name), again.get(name)
        if (before is None) != (after is None) or before is not None and (
                before.header != after.header or before.rows != after.rows
                or before.sheet_rows != after.sheet_rows):
            raise fail(f"the {name} table does not read as before")
    with zipfile.ZipFile(tmp) as out, zipfile.ZipFile(original) as source:
        sheets = sheet_parts(out)
        missing = [name for name in replaced if name not in sheets]
        if missing:
            raise fail(f"sheet {missing[0]} is missing")
        names = set(out.namelist())
        if VBA_PART in source.namelist() and (
                VBA_PART not in names or out.read(VBA_PART) != source.read(VBA_PART)):
            raise fail("the macros were not kept")
        for part in names:
            if part.endswith(".rels"):
                for rel in parse_rels(out.read(part), part):
                    if not rel.external and rel.target not in names:
                        raise fail(f"part {rel.target} is missing")
    from openpyxl import load_workbook
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = load_workbook(tmp, read_only=True, keep_vba=True, keep_links=True)
            found = book.sheetnames
            book.close()
    except Exception as exc:
        raise fail(_short(exc)) from None
    if not set(replaced) <= set(found):
        raise fail("report sheets are missing")


def _short(exc: Exception) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:160]

