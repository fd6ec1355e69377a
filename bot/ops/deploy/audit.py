"""`make audit`: pip-audit against requirements.lock, from its own virtual environment.

pip-audit is NOT installed into the project's .venv: it needs newer ``packaging`` and
``CacheControl`` than Rasa 3.6 pins, and installing it there breaks Rasa. It lives in
var/audit-venv (made on first use). It needs a vulnerability database online (PyPI's
JSON API, or OSV); when neither answers, this says so plainly and exits 2, rather than
reporting "no known vulnerabilities" for packages it could not look up.

Exit codes: 0 no known vulnerabilities, 1 vulnerabilities found, 2 could not audit.
Standard library only; run with any Python 3: ``python3 bot/ops/deploy/audit.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements.lock"
VENV = ROOT / "var" / "audit-venv"
REPORT = ROOT / "var" / "audit.json"
PIP_AUDIT = "pip-audit>=2.7,<3"


def ensure_pip_audit() -> Path:
    exe = VENV / "bin" / "pip-audit"
    if exe.exists():
        return exe
    print(f"Installing pip-audit into {VENV.relative_to(ROOT)} (its own environment, not .venv)...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    run = subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", PIP_AUDIT]
    )
    if run.returncode != 0 or not exe.exists():
        print("audit: could not install pip-audit from the package registry.", file=sys.stderr)
        sys.exit(2)
    return exe


def audit(exe: Path, service: str):
    """(dependencies, error text) from one pip-audit run against ``service``."""
    run = subprocess.run(
        [
            str(exe),
            "-r",
            str(LOCK),
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--vulnerability-service",
            service,
            "--format",
            "json",
            "--output",
            str(REPORT),
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    try:
        data = json.loads(REPORT.read_text())
    except (OSError, ValueError):
        return None, (run.stderr.strip().splitlines() or ["pip-audit failed"])[-1]
    return data.get("dependencies", []), None


def main() -> int:
    exe = ensure_pip_audit()
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    total = sum(1 for line in LOCK.read_text().splitlines() if line.strip() and not line.startswith("#"))
    problems = []
    for service in ("pypi", "osv"):
        REPORT.unlink(missing_ok=True)
        deps, error = audit(exe, service)
        if deps is None:
            problems.append(f"{service}: {error}")
            continue
        checked = [d for d in deps if "skip_reason" not in d]
        if not checked:
            reasons = {d.get("skip_reason", "").split(":")[0] for d in deps}
            problems.append(
                f"{service}: none of the {len(deps)} packages could be looked up ({'; '.join(sorted(reasons))[:200]})"
            )
            continue
        vulnerable = [d for d in checked if d.get("vulns")]
        skipped = [d for d in deps if "skip_reason" in d]
        print(
            f"pip-audit ({service}) on {LOCK.name}: {len(checked)} of {total} pinned packages checked, "
            f"{len(skipped)} skipped, {sum(len(d['vulns']) for d in vulnerable)} known vulnerabilities "
            f"in {len(vulnerable)} packages."
        )
        for dep in vulnerable:
            for vuln in dep["vulns"]:
                fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix released"
                print(f"  {dep['name']} {dep['version']}: {vuln['id']} (fixed in: {fixes})")
        for dep in skipped:
            print(f"  skipped {dep['name']} {dep.get('version', '')}: {dep['skip_reason']}")
        print(f"Full report: {REPORT.relative_to(ROOT)}")
        return 1 if vulnerable else 0
    print(
        "audit: NOT DONE. pip-audit needs a vulnerability database online (PyPI's JSON API or OSV) and "
        "neither could be reached from this machine:",
        file=sys.stderr,
    )
    for problem in problems:
        print(f"  - {problem}", file=sys.stderr)
    print(
        "Run `make audit` on a machine with internet access; the last result is in README.md "
        '("Load, faults and security").',
        file=sys.stderr,
    )
    return 2


if __name__ == "__main__":
    sys.exit(main())
