#!/usr/bin/env python3
"""Attack harness (issue 9 independent re-run). Builds hostile case folders from
sample-cases/year5-passing with a protected address (14 Larchfield Row, Cragwell, DH7 9ZQ),
runs every output of ehcpack on them and searches the outputs, after normalisation and
decoding of every escape, for the address. Usage: harness.py [filter]"""
import html, os, re, shutil, subprocess, sys, unicodedata, urllib.parse, json, tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EHC = os.environ.get("EHCPACK", os.path.join(ROOT, "target/debug/ehcpack"))
WORK = tempfile.mkdtemp(prefix="ehc-attack-")
NEEDLES = {"dh79zq": "postcode", "14larchfieldrow": "line", "14larchfieldroad": "line(Road)",
           }  # the town alone is not withheld (SECURITY.md, promise 1)
FORMATS = ["human", "json", "junit", "sarif", "github", "csv", "html"]

def norm(s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    s = s.casefold()
    return "".join(c for c in s if c.isalnum())

def decode(s):
    outs = [s]
    t = html.unescape(s); outs.append(t)
    outs.append(urllib.parse.unquote(t))
    def u(m):
        try: return chr(int(m.group(1) or m.group(2) or m.group(3), 16))
        except Exception: return m.group(0)
    t2 = re.sub(r"\\u\{([0-9a-fA-F]+)\}|\\u([0-9a-fA-F]{4})|\\x([0-9a-fA-F]{2})", u, t)
    t2 = t2.replace("\\n", "\n").replace("\\t", "\t")
    outs.append(t2)
    return outs

def leaks(text):
    found = set()
    for d in decode(text):
        n = norm(d)
        for k, v in NEEDLES.items():
            if k in n: found.add(v)
    return found

def pdf_texts(pdf):
    texts = []
    r = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, timeout=60)
    texts.append(("pdftext", r.stdout.decode("utf-8", "replace")))
    q = pdf + ".qdf"
    subprocess.run(["qpdf", "--qdf", "--object-streams=disable", pdf, q], capture_output=True, timeout=60)
    if os.path.exists(q):
        raw = open(q, "rb").read()
        texts.append(("pdfraw", raw.decode("latin-1")))
        hexs = []
        for m in re.finditer(rb"<([0-9A-Fa-f\s]{4,})>", raw):
            h = re.sub(rb"\s", b"", m.group(1))
            if len(h) % 2: continue
            b = bytes.fromhex(h.decode())
            hexs.append(b.decode("utf-16-be", "replace") if b[:2] == b"\xfe\xff" else b.decode("latin-1"))
        texts.append(("pdfhex", "\n".join(hexs)))
        texts.append(("pdfutf16", raw.replace(b"\x00", b"").decode("latin-1")))
        os.remove(q)
    r = subprocess.run(["pdfdetach", "-list", pdf], capture_output=True, timeout=60)
    texts.append(("attachnames", r.stdout.decode("utf-8", "replace")))
    r = subprocess.run(["pdfinfo", "-meta", pdf], capture_output=True, timeout=60)
    texts.append(("pdfinfo", r.stdout.decode("utf-8", "replace")))
    return texts

def run(args, **kw):
    try:
        r = subprocess.run([EHC] + args, capture_output=True, timeout=kw.get("timeout", 60),
                           env=dict(os.environ, NO_COLOR="1", RUST_BACKTRACE="1"), cwd=kw.get("cwd", WORK))
        return r.returncode, r.stdout.decode("utf-8", "replace") + r.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired:
        return "TIMEOUT", ""

def base_case(name):
    d = os.path.join(WORK, name)
    shutil.copytree(os.path.join(ROOT, "sample-cases/year5-passing"), d)
    p = os.path.join(d, "pupil.yaml")
    s = open(p).read().replace("""    - 27 Wansbeck Terrace
  town: Brackenfield
  postcode: DH7 4ZX
  protected: false""", """    - 14 Larchfield Row
  town: Cragwell
  postcode: DH7 9ZQ
  protected: true""")
    open(p, "w").write(s)
    return d

def edit(d, f, old, new):
    p = os.path.join(d, f)
    s = open(p, encoding="utf-8").read()
    assert old in s, (f, old)
    open(p, "w", encoding="utf-8").write(s.replace(old, new, 1))

def attack(name, mutate, case_dirname=None, expect_leak_error=True):
    """Returns list of (where, leaked parts). Also reports panics."""
    d = base_case(name if case_dirname is None else case_dirname)
    mutate(d)
    results = []
    rel = os.path.basename(d)
    codes = {}
    for f in FORMATS:
        code, out = run(["validate", rel, "--today", "2026-01-15", "--format", f])
        codes[f] = code
        if "panicked" in out or code == "TIMEOUT": results.append((f"validate {f}", {"PANIC/TIMEOUT"}))
        l = leaks(out.replace(rel, "<CASE>") if case_dirname else out)
        if l: results.append((f"validate --format {f}", l))
    code, out = run(["status", rel, "--today", "2026-01-15"])
    l = leaks(out)
    if l: results.append(("status", l))
    if "panicked" in out: results.append(("status", {"PANIC"}))
    for draft in ([], ["--draft"]):
        pdf = os.path.join(WORK, name + ("-draft" if draft else "") + ".pdf")
        code, out = run(["render", rel, "-o", pdf, "--today", "2026-01-15"] + draft)
        if "panicked" in out: results.append(("render" + str(draft), {"PANIC"}))
        l = leaks(out)
        if l: results.append(("render msg" + str(draft), l))
        if os.path.exists(pdf):
            if not draft and codes.get("human") == 0:
                pass
            for where, t in pdf_texts(pdf):
                l = leaks(t)
                if l: results.append((f"render{draft} {where}", l))
            os.remove(pdf)
    leak_rule = "protected-address-leak" in run(["validate", rel, "--today", "2026-01-15"])[1]
    return results, codes, leak_rule

ATTACKS = {}
def A(name, **kw):
    def deco(fn): ATTACKS[name] = (fn, kw); return fn
    return deco

V = "views.yaml"
def inview(text):
    """put text into parents.views as a plain YAML double-quoted string"""
    def m(d):
        edit(d, V, "parents:\n", "parents:\n")
        p = os.path.join(d, V); s = open(p, encoding="utf-8").read()
        s = re.sub(r"(\n  parents:\n(?:    .*\n)*?    views: )", lambda mm: mm.group(1) + json.dumps(text, ensure_ascii=False) + "\n    _x: ", s, count=1)
        open(p, "w", encoding="utf-8").write(s)
    return m

GIVEN = "given_by: Mrs Kelly Heslop (mother), with Mr Craig Heslop (father)"
def given(text, raw=False):
    return lambda d: edit(d, V, GIVEN, "given_by: " + (text if raw else json.dumps(text, ensure_ascii=False)))
TITLE = "title: Speech and language therapy assessment report"
def title(text):
    return lambda d: edit(d, "evidence.yaml", TITLE, "title: " + json.dumps(text, ensure_ascii=False))
def pupil(old, new):
    return lambda d: edit(d, "pupil.yaml", old, new)
def chain(*fs):
    def m(d):
        for f in fs: f(d)
    return m

variants = {
  "pc_plain": "lives at DH7 9ZQ now",
  "pc_hyphen": "DH7-9ZQ", "pc_nospace": "dh79zq", "pc_dot": "DH7 9ZQ.", "pc_zw": "DH7\u200b9ZQ",
  "pc_fullwidth": "ＤＨ７　９ＺＱ", "pc_nbsp": "DH7\u00a09ZQ", "pc_shy": "DH\u00ad7 9Z\u00adQ",
  "pc_linebreak": "DH7\n9ZQ", "pc_spaced": "D H 7 9 Z Q", "pc_tab": "DH7\t9ZQ",
  "pc_cyrillic_homoglyph": "DН7 9ZQ",  # Cyrillic EN
  "pc_combining": "D\u0301H7 9ZQ", "pc_bidi": "DH7\u202e 9ZQ", "pc_wj": "DH7\u20609ZQ",
  "pc_mathbold": "𝐃𝐇𝟕 𝟗𝐙𝐐", "pc_circled": "ⒹⒽ⑦ ⑨ⓏⓆ", "pc_superscript": "DH⁷ ⁹ZQ",
  "pc_slash": "DH7/9ZQ", "pc_emdash": "DH7—9ZQ", "pc_ideographic": "DH7\u30009ZQ",
  "pc_variation_sel": "DH7\ufe0f 9ZQ", "pc_tag_chars": "DH7\U000E0020 9ZQ",
  "pc_hangul_filler": "DH7\u3164 9ZQ", "pc_mongolian_vs": "DH7\u180e9ZQ",
  "pc_combining_grapheme_joiner": "DH7\u034f9ZQ",
  "line_plain": "14 Larchfield Row", "line_flat": "Flat 3, 14 Larchfield Row", "line_rd": "14 Larchfield Rw",
  "line_dot": "14 Larchfield Row.", "line_upper": "14 LARCHFIELD ROW", "line_nospace": "14LarchfieldRow",
  "line_road": "14 Larchfield Road", "line_hyph": "14-Larchfield-Row", "line_zw": "14 Larch\u200bfield Row",
  "line_no_th": "No. 14 Larchfield Row", "line_14a": "14a Larchfield Row", "line_words": "fourteen Larchfield Row",
  "line_split": "14\nLarchfield\nRow", "line_fw": "１４ Ｌａｒｃｈｆｉｅｌｄ Ｒｏｗ",
  "town": "Cragwell", "town_lower": "in cragwell,", "town_fw": "Ｃｒａｇｗｅｌｌ",
  "escaped_u": "DH7\\u00209ZQ", "escaped_x": "DH7\\x209ZQ",
  "long_trunc": "x" * 35 + " DH7 9ZQ " + "y" * 80,
  "long_trunc2": "a" * 38 + "DH7 9ZQ",
  "html_ent": "DH7&#32;9ZQ", "pct": "DH7%209ZQ",
}
for k, v in variants.items():
    A("given_" + k)(given(v))
for k in ["pc_plain", "pc_hyphen", "pc_zw", "line_flat", "town", "long_trunc", "pc_fullwidth"]:
    A("title_" + k)(title(variants[k]))

# YAML forms
A("yaml_folded")(given(">-\n    14 Larchfield\n    Row, DH7\n    9ZQ", raw=True))
A("yaml_literal")(given("|\n    14 Larchfield\n    Row, DH7\n    9ZQ", raw=True))
A("yaml_single_quoted_wrap")(given("'14 Larchfield\n    Row, DH7\n    9ZQ'", raw=True))
A("yaml_dq_escape_wrap")(given('"14 Larchfield \\\n    Row, DH7\\\n    \\ 9ZQ"', raw=True))
A("yaml_dq_uescape")(given('"DH7\\u00A09ZQ and \\x31\\x34 Larchfield Row"', raw=True))
A("yaml_key")(lambda d: edit(d, V, GIVEN, GIVEN + "\n  DH7 9ZQ: 1"))
A("yaml_key_top")(lambda d: open(os.path.join(d, V), "a").write("DH7 9ZQ: x\n"))
A("yaml_comment")(lambda d: edit(d, V, GIVEN, GIVEN + "  # DH7 9ZQ 14 Larchfield Row"))
A("yaml_list_item")(lambda d: edit(d, V, "    - conversation\n", "    - conversation\n    - \"DH7 9ZQ\"\n"))
A("yaml_bad_syntax")(lambda d: edit(d, V, GIVEN, GIVEN + "\n  : : [DH7 9ZQ 14 Larchfield Row\n"))
A("yaml_bad_syntax_line")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("\"unterminated 14 Larchfield Row DH7 9ZQ\n"))
A("yaml_tab_err")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("\tbad: 14 Larchfield Row, DH7 9ZQ\n"))
A("yaml_dupkey")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("format: DH7 9ZQ\n"))
A("yaml_bad_enum")(lambda d: edit(d, V, "    - conversation\n", "    - DH7 9ZQ Cragwell\n"))
A("yaml_bad_date")(lambda d: edit(d, V, "  date: 2026-01-22", "  date: 14 Larchfield Row"))
A("yaml_unknown_field_name")(lambda d: edit(d, V, GIVEN, GIVEN + "\n  Larchfield_DH79ZQ: 1"))
A("yaml_non_utf8")(lambda d: open(os.path.join(d, "views.yaml"), "ab").write(b"x: DH7 9ZQ \xff\xfe 14 Larchfield Row\n"))
A("yaml_anchor")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("x: &DH79ZQ 1\n"))
A("yaml_tag")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("x: !DH79ZQ 1\n"))
A("yaml_doc2")(lambda d: open(os.path.join(d, "views.yaml"), "a").write("---\nDH7 9ZQ\n"))
A("yaml_bom_mid")(given("DH7\ufeff9ZQ"))
A("kind_typo")(lambda d: edit(d, V, "kind: views", "kind: DH7 9ZQ"))
A("format_typo")(lambda d: edit(d, V, "format: ehcpack/1", "format: ehcpack/DH7-9ZQ"))

# names
def addfile(name, content="format: ehcpack/1\nkind: notes\n"):
    def m(d):
        p = os.path.join(d, name); os.makedirs(os.path.dirname(p), exist_ok=True)
        open(p, "w").write(content)
    return m
A("fname_yaml")(addfile("DH7 9ZQ.yaml"))
A("fname_yaml_line")(addfile("14 Larchfield Row.yaml"))
A("fname_yaml_hyph")(addfile("dh7-9zq.yml"))
A("fname_bad_yaml")(addfile("DH79ZQ.yaml", "x: [\n"))
A("fname_subdir")(addfile("DH7 9ZQ/notes.yaml"))
def ev(path, make=True):
    def m(d):
        edit(d, "evidence.yaml", "path: reports/salt-report.pdf", "path: " + json.dumps(path))
        if make:
            p = os.path.join(d, path); os.makedirs(os.path.dirname(p), exist_ok=True)
            shutil.copy(os.path.join(d, "reports/salt-report.pdf"), p)
    return m
A("ev_name")(ev("reports/DH7 9ZQ.pdf"))
A("ev_name_line")(ev("reports/14 Larchfield Row.pdf"))
A("ev_dir")(ev("Cragwell DH7-9ZQ/report.pdf"))
A("ev_name_missing")(ev("reports/DH7 9ZQ.pdf", make=False))
A("ev_name_nonpdf")(lambda d: (ev("reports/DH7 9ZQ.pdf", make=False)(d), open(os.path.join(d, "reports/DH7 9ZQ.pdf"), "w").write("not a pdf")))
A("ev_abs")(ev("/tmp/DH7 9ZQ/x.pdf", make=False))
A("ev_dotdot")(ev("../DH7 9ZQ.pdf", make=False))
A("casedir_name", case_dirname="case DH7 9ZQ")(lambda d: None)
A("casedir_name_line", case_dirname="14 Larchfield Row")(lambda d: None)

# pupil.yaml fail-closed
PROT = "  protected: true"
A("prot_capital")(pupil(PROT, "  Protected: true"))
A("prot_yes")(pupil(PROT, "  protected: yes"))
A("prot_typo")(pupil(PROT, "  protcted: true"))
A("prot_string")(pupil(PROT, "  protected: \"true\""))
A("prot_True")(pupil(PROT, "  protected: True"))
A("prot_on")(pupil(PROT, "  protected: on"))
A("prot_1")(pupil(PROT, "  protected: 1"))
A("prot_ws")(pupil(PROT, "  protected : true"))
A("prot_fw")(pupil(PROT, "  ｐrotected: true"))
A("prot_outside")(pupil(PROT, "  protected: false\nprotected: true"))
A("prot_dup")(pupil(PROT, PROT + "\n" + PROT))
A("prot_quoted_key")(pupil(PROT, '  "protected": true'))
A("prot_flow")(pupil("address:\n  lines:\n    - 14 Larchfield Row\n  town: Cragwell\n  postcode: DH7 9ZQ\n  protected: true",
                     "address: {lines: [14 Larchfield Row], town: Cragwell, postcode: DH7 9ZQ, protected: true}"))
A("prot_line_string")(pupil("  lines:\n    - 14 Larchfield Row", "  lines: 14 Larchfield Row"))
A("prot_address_string")(pupil("address:\n  lines:\n    - 14 Larchfield Row\n  town: Cragwell\n  postcode: DH7 9ZQ\n  protected: true",
                     "address: 14 Larchfield Row, Cragwell, DH7 9ZQ\naddress_protected: true"))
A("pupil_broken")(pupil("kind: pupil", "kind: pupil\n  bad: [")) 
A("pupil_nonutf8")(lambda d: open(os.path.join(d, "pupil.yaml"), "ab").write(b"\nnote: \xff\n"))
A("pupil_alias")(lambda d: open(os.path.join(d, "pupil.yaml"), "a").write("x: &a 1\ny: *a\n"))
A("pupil_big")(lambda d: open(os.path.join(d, "pupil.yaml"), "a").write("# " + "x" * 1100000 + "\n"))
A("pupil_two_docs")(lambda d: open(os.path.join(d, "pupil.yaml"), "a").write("---\nkind: pupil\n"))
A("pupil_second_file")(lambda d: shutil.copy(os.path.join(d, "pupil.yaml"), os.path.join(d, "pupil-old.yaml")))
A("pupil_second_nokind")(lambda d: open(os.path.join(d, "child.yaml"), "w").write("address:\n  lines: [99 Other Street]\n  postcode: DH7 9ZQ\n"))
A("pupil_second_weird")(lambda d: open(os.path.join(d, "zz.yaml"), "w").write("format: ehcpack/1\nkind: Pupil\naddress: {lines: [14 Larchfield Row], postcode: DH1 1AA, protected: true}\n"))
A("pupil_second_unprotected")(lambda d: open(os.path.join(d, "zz.yaml"), "w").write("format: ehcpack/1\nkind: pupil\naddress: {lines: [14 Larchfield Row], postcode: DH7 9ZQ, protected: false}\n"))
A("pupil_kind_yml")(lambda d: os.rename(os.path.join(d, "pupil.yaml"), os.path.join(d, "pupil.yml")))
A("pupil_addr_multiline_line")(pupil("    - 14 Larchfield Row", "    - 14 Larchfield Row\n    - Cragwell Estate"))
A("pupil_addr_extra_key")(pupil("  town: Cragwell", "  town: Cragwell\n  county: Durhamshire Xq"))
A("pupil_postcode_lower")(pupil("postcode: DH7 9ZQ", "postcode: dh79zq"))
A("pupil_line_comment")(pupil("    - 14 Larchfield Row", "    - 14 Larchfield Row # Cragwell DH7 9ZQ"))
A("pupil_addr_in_other_pupil_field")(pupil("preferred_name: Josh", "preferred_name: Josh of DH7 9ZQ"))
A("pupil_addr_in_unknown_pupil_field")(pupil("preferred_name: Josh", "preferred_name: Josh\nprevious_address: 14 Larchfield Row DH7 9ZQ"))
A("family_address")(lambda d: edit(d, "family.yaml", "relationship: mother", "relationship: mother\n    address: 14 Larchfield Row, DH7 9ZQ"))

if __name__ == "__main__":
    flt = sys.argv[1] if len(sys.argv) > 1 else ""
    bad = 0
    order = sorted(ATTACKS.items(), key=lambda kv: (kv[0].startswith("given_"), kv[0]))
    for name, (fn, kw) in order:
        if flt not in name: continue
        res, codes, rule = attack(name, fn, **kw)
        line = f"{name}: codes={codes['human']} leakrule={rule}"
        if res:
            bad += 1
            print("BROKEN " + line + " " + "; ".join(f"{w}:{sorted(l)}" for w, l in res), flush=True)
        else:
            print("held   " + line, flush=True)
    shutil.rmtree(WORK, ignore_errors=True)
    print(f"{bad} broken")
