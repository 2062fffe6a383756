"""JUnit XML: one testcase per scenario, its failure message the reasons (CI systems show these)."""

from __future__ import annotations

from pathlib import Path
from xml.etree import ElementTree as ET

from evals.reports.common import failure_reasons, trace_command, why_it_ended
from evals.results import EvalResults


def _relative(file: str) -> str:
    """The scenario file relative to the working directory (CI annotations link repository paths)."""
    path = Path(file)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return file


def render_junit(results: EvalResults) -> str:
    scenarios = results.scenarios
    failures = sum(1 for s in scenarios if s.status in ("fail", "flaky"))
    errors = sum(1 for s in scenarios if s.status == "error")
    skipped = sum(1 for s in scenarios if s.expected_failure)
    suite = ET.Element(
        "testsuite",
        {
            "name": f"trova-scenarios ({results.model})",
            "tests": str(len(scenarios)),
            "failures": str(failures),
            "errors": str(errors),
            "skipped": str(skipped),
            "time": f"{results.duration_s:.3f}",
            "timestamp": results.started_at,
        },
    )
    properties = ET.SubElement(suite, "properties")
    for name, value in (
        ("model", results.model),
        ("prompt_version", results.prompt.version),
        ("tool_schema_hash", results.tool_schema_hash),
        ("scenario_set_hash", results.scenario_set_hash),
        ("git_commit", results.git.commit or ""),
    ):
        ET.SubElement(properties, "property", {"name": name, "value": str(value)})
    for scenario in scenarios:
        duration = sum(r.metrics.duration_s for r in scenario.runs)
        case = ET.SubElement(
            suite,
            "testcase",
            {
                "classname": "scenarios",
                "name": scenario.id,
                "file": _relative(scenario.file),
                "time": f"{duration:.3f}",
            },
        )
        reasons = failure_reasons(scenario, limit=10)
        summary = f"{scenario.passes}/{scenario.runs_count} runs passed"
        if scenario.expected_failure:
            node = ET.SubElement(
                case, "skipped", {"message": f"expected failure for {results.model} ({summary})"}
            )
            node.text = "\n".join(reasons)
        elif scenario.status in ("error", "fail", "flaky"):
            node = ET.SubElement(
                case,
                "error" if scenario.status == "error" else "failure",
                {"message": f"{summary}: {reasons[0] if reasons else ''}"[:1000], "type": scenario.status},
            )
            endings = [f"run {r.index}: {why}" for r in scenario.runs if (why := why_it_ended(r))]
            node.text = "\n".join([*reasons, *endings])
        # The failing runs' traces (a passing run's trace explains nothing); every run's when all passed.
        failing = [r for r in scenario.runs if not r.passed] or scenario.runs
        traces = [f"run {r.index}: {trace_command(results, r.trace_id)}" for r in failing if r.trace_id]
        if traces:
            ET.SubElement(case, "system-out").text = "\n".join(traces)
    ET.indent(suite)
    return ET.tostring(suite, encoding="unicode", xml_declaration=True) + "\n"
