"""Exceptions whose messages are shown to users as they are.

Every message names what was wrong (file, row, column) and, where there is one, the fix.
``exit_code`` is the command's exit status (README, "Commands"): 1 = the data had problems, 2 = usage error
(bad option, unreadable file).
"""

from __future__ import annotations


class RvubenchError(Exception):
    """Base class: a problem the user can fix; never shown with a traceback."""

    exit_code = 2


class UsageProblem(RvubenchError):
    """A bad option value or an option combination that cannot work."""

    exit_code = 2


class InputFileError(RvubenchError):
    """A file cannot be read at all (missing, empty, binary, truncated, wrong layout)."""

    exit_code = 2


class OutputError(RvubenchError):
    """An output file cannot be written (folder read-only, disk full, not a regular file)."""

    exit_code = 2


class MissingColumnsError(InputFileError):
    """Required columns are absent from a log, roster or benchmark file."""


class FeeScheduleError(InputFileError):
    """A CMS fee-schedule file (RVU, GPCI, ZIP) cannot be read or is inconsistent."""


class UnknownLocalityError(UsageProblem):
    """A locality or ZIP code that the bundled CMS files do not know."""


class BenchmarkError(RvubenchError):
    """A benchmark table cannot be read, or has no row for the requested specialty."""

    exit_code = 2


class SpecialtyNotFound(BenchmarkError):
    """No benchmark row for a specialty; the message lists close matches."""


class TemplateProblem(RvubenchError):
    """A report template is missing or broken; the message names template and line."""

    exit_code = 2


class DataProblem(RvubenchError):
    """The run finished but the data had problems (rows rejected, a clinician failed)."""

    exit_code = 1
