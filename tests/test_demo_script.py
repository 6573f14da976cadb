"""The README's demo command treats CJK fonts as a precondition: it installs them as root with apt-get,
and otherwise stops with a Chinese message before anything is migrated, seeded or served."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ("bash", "dirname", "id", "grep", "ldconfig", "cat", "touch")

FAKE_PYTHON = '#!/bin/bash\necho "$@" >> "$(dirname "$0")/../../python-calls.log"\n'
FC_LIST_EMPTY = "#!/bin/bash\nexit 0\n"
FC_LIST_AFTER_INSTALL = (
    '#!/bin/bash\n[ -f "$MARKER" ] && echo "Noto Serif CJK SC,Noto Serif CJK SC Regular"\nexit 0\n'
)
FAKE_APT = '#!/bin/bash\necho "$@" >> "$APT_LOG"\n[ "$1" = install ] && touch "$MARKER"\nexit 0\n'


@pytest.fixture
def sandbox(tmp_path):
    """A copy of the script in a tree whose .venv python only records its calls, and a PATH of a few
    real tools plus the fakes a test adds (no real fc-list, no real apt-get)."""
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "demo.sh", tmp_path / "scripts" / "demo.sh")
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    _script(venv_bin / "python", FAKE_PYTHON)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        found = shutil.which(tool) or shutil.which(tool, path="/sbin:/usr/sbin")
        if found:
            (bin_dir / tool).symlink_to(found)
    return tmp_path


def _script(path, text):
    path.write_text(text)
    path.chmod(0o755)


def _run(sandbox, *args, uid="1000"):
    env = {
        "PATH": str(sandbox / "bin"),
        "YUNFU_DEMO_UID": uid,
        "MARKER": str(sandbox / "fonts-installed"),
        "APT_LOG": str(sandbox / "apt.log"),
        "HOME": str(sandbox),
    }
    return subprocess.run(
        [shutil.which("bash"), str(sandbox / "scripts" / "demo.sh"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_cjk_fonts_and_not_root_it_stops_before_migrate_with_the_apt_command(sandbox):
    _script(sandbox / "bin" / "fc-list", FC_LIST_EMPTY)
    _script(sandbox / "bin" / "apt-get", FAKE_APT)
    result = _run(sandbox)
    assert result.returncode != 0
    assert "缺少中文（CJK）字体" in result.stderr
    assert "apt-get update && apt-get install -y --no-install-recommends fonts-noto-cjk" in result.stderr
    assert not (sandbox / "python-calls.log").exists(), "no install, migrate, seed or serve"
    assert not (sandbox / "apt.log").exists(), "a non-root user does not run apt-get"


def test_without_fontconfig_at_all_it_stops_and_names_it(sandbox):
    result = _run(sandbox, "--check-fonts", uid="0")  # root, but there is no apt-get here
    assert result.returncode != 0
    assert "fontconfig fonts-noto-cjk" in result.stderr
    assert not (sandbox / "python-calls.log").exists()


def test_as_root_with_apt_get_it_installs_the_fonts_then_goes_on(sandbox):
    _script(sandbox / "bin" / "fc-list", FC_LIST_AFTER_INSTALL)
    _script(sandbox / "bin" / "apt-get", FAKE_APT)
    result = _run(sandbox, uid="0")
    assert result.returncode == 0, result.stderr
    apt = (sandbox / "apt.log").read_text().splitlines()
    assert apt[0] == "update -qq"
    assert apt[1].startswith("install -y -qq --no-install-recommends fonts-noto-cjk")
    calls = (sandbox / "python-calls.log").read_text()
    assert "manage.py migrate --noinput" in calls and "manage.py seed_demo" in calls


def test_with_the_fonts_present_the_check_passes_without_apt(sandbox):
    _script(sandbox / "bin" / "fc-list", FC_LIST_AFTER_INSTALL)
    (sandbox / "fonts-installed").touch()
    result = _run(sandbox, "--check-fonts")
    assert result.returncode == 0, result.stderr
    assert "中文字体已就绪" in result.stdout
    assert not (sandbox / "python-calls.log").exists(), "--check-fonts checks only"


@pytest.mark.skipif(not shutil.which("fc-list"), reason="fontconfig is not installed")
def test_on_this_machine_the_check_passes():
    result = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh"), "--check-fonts"],
        env={**os.environ, "YUNFU_DEMO_UID": "1000"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
