"""What a rendered notice must NOT contain, read back with poppler (pdftotext, pdffonts).

Allowed Latin text (everything else of two or more Latin letters is an English word and fails):
URLs (the verification and the public pages), identifiers that carry digits and separators
(contract and agreement numbers such as JK-2026-001, claim references), deficiency codes (D01),
SHA-256, and the notice's own verification code.
"""

import re
import shutil
import subprocess

import pytest

needs_poppler = pytest.mark.skipif(
    not (shutil.which("pdftotext") and shutil.which("pdffonts")),
    reason="poppler-utils (pdftotext, pdffonts) is not installed",
)

REPRS = ("('", "[]", "{", "}", "None", "True", "False", "dict_", "<", ">", "[", "]", "（）", "（ ）")
# A line may end in "：" only when it introduces what follows (the 主送 line is checked apart).
INTRODUCING = ("如下：", "事项：", "规则：", "计算过程：", "本期发生额：", "资金余额变化：")
_ALLOWED_LATIN = (
    r"https?://\S+",
    r"SHA-256",
    r"(?<![A-Za-z0-9])(?=[A-Za-z0-9_/-]*\d)[A-Za-z0-9]+(?:[-_/][A-Za-z0-9]+)+",  # JK-2026-001, YFHZ-1-3
    r"(?<![A-Za-z0-9])[A-Z]\d{1,3}(?![A-Za-z0-9])",  # D01
)


# One date style: 2026年12月1日 in the body (二〇二六年十二月一日 in the 落款); never 2026-11-27 or 12月01日.
DATE_FAULTS = r"(?<!\d)\d{4}-\d{1,2}-\d{1,2}(?!\d)|年0\d月|月0\d日"


def pdf_text(path, *, first=None, last=None, layout=False):
    cmd = ["pdftotext"]
    if layout:
        cmd.append("-layout")
    if first:
        cmd += ["-f", str(first)]
    if last:
        cmd += ["-l", str(last)]
    return subprocess.run([*cmd, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path):
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def pdf_fonts(path):
    """(name, emb, sub) of every font: pdffonts' last columns are emb sub uni object-id generation."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = []
    for line in out.splitlines()[2:]:
        parts = line.split()
        if len(parts) >= 7:
            rows.append((parts[0], parts[-5], parts[-4]))
    return rows


def text_faults(text, *, allowed=()):
    """Every repr, brace, None, empty placeholder or English word in `text` (pdftotext output)."""
    faults = [f"repr or brace {r!r}" for r in REPRS if r in text]
    lines = [line.strip() for line in text.splitlines()]
    colon_lines = [i for i, line in enumerate(lines) if line.endswith("：")]
    for i in colon_lines[1:]:  # the first is the 主送
        if not lines[i].endswith(INTRODUCING):
            faults.append(f"empty placeholder {lines[i]!r}")
    faults += [f"date not in the 2026年12月1日 style {d!r}" for d in re.findall(DATE_FAULTS, text)]
    latin = text.replace("-\n", "-").replace("://\n", "://")  # an identifier or URL wrapped in a line
    for word in allowed:
        latin = latin.replace(word, " ")
    for pattern in _ALLOWED_LATIN:
        latin = re.sub(pattern, " ", latin)
    faults += [f"English word {w!r}" for w in re.findall(r"[A-Za-z]{2,}", latin)]
    return faults


def font_faults(path):
    fonts = pdf_fonts(path)
    if not fonts:
        return ["no font at all"]
    return [
        f"font {name} (emb {emb}, sub {sub})"
        for name, emb, sub in fonts
        if "CJK" not in name or emb != "yes" or sub != "yes"
    ]
