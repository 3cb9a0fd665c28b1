"""Render measured rows and the machine description as Markdown. Nothing here measures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from benchmarks.machine import Machine
from benchmarks.results import BenchmarkError, GoalKind, Row


@dataclass(frozen=True)
class Report:
    command: str
    machine: Machine
    rows: list[Row]
    seconds: float  # wall time of the whole run
    load_at_end: str
    methods: list[tuple[str, str]]  # (section, how it is measured), from the modules' docstrings
    quick: bool = False


def number(value: float) -> str:
    """Three significant figures, thousands separated: 12,300 / 98.7 / 0.0412."""
    if value >= 1000:
        return f"{round(value, -len(str(int(value))) + 3):,.0f}"
    if value >= 100:
        return f"{value:.0f}"
    if value >= 10:
        return f"{value:.1f}"
    if value >= 1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def _met(row: Row) -> str:
    verdict = row.verdict
    return "—" if verdict is None else f"**{verdict}**"


def _ratio(row: Row) -> str:
    text = f"{number(row.ratio)}×"
    if row.spread is not None:
        low, high = row.spread
        text += f"<br>({number(low)}–{number(high)})"
    return text


def _load(row: Row) -> str:
    if row.load_before is None or row.load_after is None:
        return ""
    text = f"{row.load_before:.1f} → {row.load_after:.1f}"
    return f"⚠ {text}" if row.loaded else text


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def results_table(rows: Sequence[Row]) -> str:
    if not rows:
        raise BenchmarkError("no rows to render")
    lines = [
        "| Section | Measure | Ours | Baseline | Ours / baseline<br>(spread) | Goal | Met | Runs "
        "| Load |",
        "|---|---|---:|---:|---:|---|---|---:|---|",
    ]
    for row in rows:
        lines.append(
            "| "
            + " | ".join(
                [
                    row.section,
                    _escape(row.metric),
                    f"{number(row.ours)} {row.unit}<br>{_escape(row.ours_name)}",
                    f"{number(row.baseline)} {row.unit}<br>{_escape(row.baseline_name)}",
                    _ratio(row),
                    _escape(row.goal.text),
                    _met(row),
                    _escape(row.runs_label or str(row.runs)),
                    _load(row),
                ]
            )
            + " |"
        )
    return "\n".join(lines)


def machine_table(machine: Machine, load_at_end: str) -> str:
    packages = ", ".join(f"{name} {version}" for name, version in machine.packages.items())
    rows = [
        ("CPU", f"{machine.cpu_model} — {machine.cores} cores, {machine.cores_usable} usable"),
        ("Memory", f"{machine.memory_gib:.1f} GiB"),
        ("System", machine.system),
        ("Python / SQLite", f"{machine.python} / SQLite {machine.sqlite}"),
        ("Packages", packages),
        ("Commit", machine.commit),
        ("Date", machine.date),
        ("Load average (1/5/15 min) at start → end", f"{machine.load_at_start} → {load_at_end}"),
    ]
    lines = ["| | |", "|---|---|"]
    lines += [f"| {key} | {_escape(value)} |" for key, value in rows]
    return "\n".join(lines)


def render(report: Report) -> str:
    parts = [
        "# Benchmarks",
        "",
        f"Written by `{report.command}` (`make bench`) in {report.seconds:.0f} s. "
        "Everything below is that command's output; nothing is typed in by hand. "
        "Every figure is a median over the runs shown, and every baseline was measured in the "
        "same run on the same machine, so the ratios hold on a shared, noisy machine where "
        "the absolute figures do not.",
        "",
        "The ratio column shows, under the median, its spread: the lowest and highest ratio of "
        "the single rounds. A goal is met (**yes**) or missed (**no**) only when every round "
        "agrees; a row whose spread straddles its goal says **inconclusive**. The load column "
        "is the 1-minute load average when the row's section started → ended; ⚠ marks a row "
        "measured while the load exceeded the usable cores (other work competed for the CPU: "
        "absolute figures suffer most, ratios less, since both sides ran in turns).",
    ]
    if report.quick:
        parts += ["", "**Quick mode: tiny inputs, for testing the harness. Not a measurement.**"]
    parts += ["", "## Machine", "", machine_table(report.machine, report.load_at_end)]
    loaded = [row for row in report.rows if row.loaded]
    if loaded:
        parts += [
            "",
            f"**{len(loaded)} of {len(report.rows)} rows were measured while the load average "
            f"exceeded the {report.machine.cores_usable} usable cores** (marked ⚠ below).",
        ]
    parts += ["", "## Results", "", results_table(report.rows)]
    missed = [row for row in report.rows if row.met is False]
    parts += ["", "## Goals missed", ""]
    if not missed:
        parts.append("None: every goal set by the issues is met in this run.")
    for row in missed:
        line = f"- **{row.section} — {row.metric}**: {row.shortfall}."
        if row.remedy:
            line += f" What would close it: {row.remedy.rstrip('.')}."
        parts.append(line)
    unsure = [row for row in report.rows if row.verdict == "inconclusive"]
    if unsure:
        parts += ["", "## Inconclusive", ""]
        for row in unsure:
            if row.goal.kind is GoalKind.OURS_AT_MOST and row.ours_spread is not None:
                low, high = row.ours_spread
                where = f"{number(low)}–{number(high)} {row.unit} (median {number(row.ours)})"
            else:
                low, high = row.spread or (row.ratio, row.ratio)
                where = f"{number(low)}–{number(high)}× (median {number(row.ratio)}×)"
            parts.append(
                f"- **{row.section} — {row.metric}**: the rounds range over {where}, on both "
                f"sides of the goal ({row.goal.text}); a quieter machine would decide it."
            )
    notes = [row for row in report.rows if row.note]
    if notes:
        parts += ["", "## Notes on rows", ""]
        parts += [f"- **{row.section} — {row.metric}**: {row.note}" for row in notes]
    if report.methods:
        parts += ["", "## How each figure is measured", ""]
        for section, text in report.methods:
            parts += [f"**{section}.** {text}", ""]
    return "\n".join(parts).rstrip() + "\n"
