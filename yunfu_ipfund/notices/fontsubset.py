"""Fonts cut to the characters of one notice, so a one-page notice weighs tens of KB, not 400.

WeasyPrint subsets the fonts it embeds but keeps every glyph id (HarfBuzz `RETAIN_GIDS`): a Noto CJK
"subset" still carries ~30,000–65,000 empty glyph slots (hmtx, vmtx, CFF index), 58–115 KB per face
before its first glyph. So before rendering, each CJK face the notices use is cut with HarfBuzz
(libharfbuzz-subset, which WeasyPrint needs anyway) to the characters of the document, glyphs
renumbered from 0, and declared by @font-face under an alias ("Yunfu Noto Serif CJK SC") that the
document's font-family declarations are rewritten to name: WeasyPrint's second subset
then keeps a few hundred slots. The faces keep their PostScript names (NotoSerifCJKsc-Regular …), so
`pdffonts` still lists CJK fonts embedded as subsets. A character the cut misses (none should: the
cut takes every character of the HTML and the page furniture) falls back to the system font.

HarfBuzz is called through cffi (ABI mode; both are WeasyPrint's dependencies). When the library or
a face is missing, `font_faces` returns no faces and the notice renders as before with the system
fonts (`pdf.require_cjk_font` still refuses a PDF without CJK fonts).
"""

import functools
import html
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

# (CSS family the templates name, weight, fontconfig pattern) of every face the notice layouts use.
FACES = (
    ("Noto Serif CJK SC", 400, "Noto Serif CJK SC:weight=regular"),
    ("Noto Serif CJK SC", 700, "Noto Serif CJK SC:weight=bold"),
    ("Noto Sans CJK SC", 400, "Noto Sans CJK SC:weight=regular"),
    ("Noto Sans CJK SC", 700, "Noto Sans CJK SC:weight=bold"),
)
# Page furniture (page numbers "— 3 —", dates, amounts) and what CSS `content` may add.
ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F)) + (
    "—〇一二三四五六七八九十年月日元角分整〔〕（）：；，。、“”"
)

_TAG = re.compile(r"<[^>]*>")
_STYLE = re.compile(r"<(style|script)\b.*?</\1>", re.S | re.I)
_CSS_CONTENT = re.compile(r"content:([^;}]*)")
_CSS_STRING = re.compile(r'"([^"]*)"')

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail(const char *file_name);
void hb_blob_destroy(hb_blob_t *blob);
const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
void hb_face_destroy(hb_face_t *face);
hb_blob_t *hb_face_reference_blob(hb_face_t *face);
unsigned int hb_tag_from_string(const char *str, int len);
void hb_set_add(hb_set_t *set, unsigned int codepoint);
hb_subset_input_t *hb_subset_input_create_or_fail(void);
void hb_subset_input_destroy(hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
hb_set_t *hb_subset_input_set(hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags(hb_subset_input_t *input, unsigned int value);
hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
"""
_NO_HINTING, _NOTDEF_OUTLINE = 0x1, 0x40
_SETS_DROP_TABLE_TAG = 3
# GSUB's closure (vertical, JP/KR/TC variants) would pull back thousands of glyphs; WeasyPrint drops
# GSUB from what it embeds anyway.
_DROP_TABLES = (b"GSUB", b"DSIG", b"SVG ")


@dataclass(frozen=True)
class Face:
    family: str
    weight: int
    path: str
    index: int


class _HarfBuzz:
    def __init__(self):
        from cffi import FFI

        self.ffi = FFI()
        self.ffi.cdef(_CDEF)
        self.hb = self.ffi.dlopen("libharfbuzz.so.0")
        self.subset = self.ffi.dlopen("libharfbuzz-subset.so.0")
        self._faces = {}

    def face(self, path, index):
        key = (path, index)
        if key not in self._faces:
            blob = self.hb.hb_blob_create_from_file_or_fail(path.encode())
            if blob == self.ffi.NULL:
                raise OSError(f"cannot read {path}")
            self._faces[key] = self.ffi.gc(self.hb.hb_face_create(blob, index), self.hb.hb_face_destroy)
            self.hb.hb_blob_destroy(blob)  # the face holds its own reference
        return self._faces[key]

    def cut(self, path, index, codepoints):
        ffi, hb, sub = self.ffi, self.hb, self.subset
        source = self.face(path, index)
        request = ffi.gc(sub.hb_subset_input_create_or_fail(), sub.hb_subset_input_destroy)
        if request == ffi.NULL:
            raise MemoryError("hb_subset_input_create_or_fail")
        unicodes = sub.hb_subset_input_unicode_set(request)
        for codepoint in codepoints:
            hb.hb_set_add(unicodes, codepoint)
        dropped = sub.hb_subset_input_set(request, _SETS_DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            hb.hb_set_add(dropped, hb.hb_tag_from_string(tag, -1))
        sub.hb_subset_input_set_flags(request, _NO_HINTING | _NOTDEF_OUTLINE)
        result = sub.hb_subset_or_fail(source, request)
        if result == ffi.NULL:
            raise ValueError(f"HarfBuzz could not subset {path}")
        result = ffi.gc(result, hb.hb_face_destroy)
        blob = hb.hb_face_reference_blob(result)
        try:
            length = ffi.new("unsigned int *")
            data = hb.hb_blob_get_data(blob, length)
            return ffi.buffer(data, length[0])[:]
        finally:
            hb.hb_blob_destroy(blob)


@functools.cache
def _harfbuzz():
    try:
        return _HarfBuzz()
    except (ImportError, OSError):
        log.warning("libharfbuzz-subset not found: notices embed WeasyPrint's larger font subsets")
        return None


def _match(pattern):
    """(path, index, family) of the font fontconfig picks for `pattern`."""
    try:
        out = subprocess.run(
            ["fc-match", "--format=%{file}\t%{index}\t%{family}", pattern],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
        path, index, family = out.split("\t", 2)
        return path, int(index), family
    except (OSError, ValueError, subprocess.SubprocessError):
        return None


@functools.cache
def font_faces():
    """The installed faces of FACES (a face fontconfig cannot find is left out: the fallback serves)."""
    if _harfbuzz() is None:
        return ()
    faces = []
    for family, weight, pattern in FACES:
        found = _match(pattern)
        if found and family.split()[0] in found[2] and "CJK" in found[2] and Path(found[0]).is_file():
            faces.append(Face(family, weight, found[0], found[1]))
    return tuple(faces)


def document_characters(markup):
    """Every character the document can print: its text (tags stripped, entities decoded), the strings
    its CSS adds (`content: "…"`) and the page furniture (ALWAYS)."""
    text = html.unescape(_TAG.sub(" ", _STYLE.sub(" ", markup)))
    extra = "".join("".join(_CSS_STRING.findall(value)) for value in _CSS_CONTENT.findall(markup))
    return {ord(c) for c in text + extra + ALWAYS if not c.isspace() or c == " "}


ALIAS = "Yunfu {}"
_FONT_FAMILY = re.compile(r"(font-family\s*[:=]\s*)([^;{}<>]*)")


def use_cut_faces(markup, faces):
    """`markup` with every font-family that names a cut face's family naming its alias (a @font-face of
    the system family's own name does not take precedence over the installed font in WeasyPrint)."""
    families = {face.family for face in faces}

    def alias(match):
        value = match.group(2)
        for family in families:
            value = value.replace(family, ALIAS.format(family))
        return match.group(1) + value

    return _FONT_FAMILY.sub(alias, markup)


def write_faces(markup, directory):
    """Cut every face to the characters of `markup` into `directory`; return (markup naming the cut
    faces, the @font-face CSS declaring them), or (markup, "") when nothing could be cut."""
    harfbuzz = _harfbuzz()
    faces = font_faces()
    if harfbuzz is None or not faces:
        return markup, ""
    codepoints = sorted(document_characters(markup))
    rules, cut = [], []
    for face in faces:
        try:
            data = harfbuzz.cut(face.path, face.index, codepoints)
        except (OSError, ValueError, MemoryError):
            log.warning("could not cut %s: its system font is embedded instead", face.path, exc_info=True)
            continue
        target = Path(directory) / f"{Path(face.path).stem}-{face.index}-{face.weight}.otf"
        target.write_bytes(data)
        cut.append(face)
        rules.append(
            f'@font-face {{ font-family: "{ALIAS.format(face.family)}"; font-weight: {face.weight}; '
            f'src: url("{target.as_uri()}"); }}'
        )
    # A family is renamed only when all its weights were cut (else its bold would be synthesised).
    whole = [f for f in cut if all(g in cut for g in faces if g.family == f.family)]
    if not whole:
        return markup, ""
    return use_cut_faces(markup, whole), "\n".join(
        rule for face, rule in zip(cut, rules, strict=True) if face in whole
    )
