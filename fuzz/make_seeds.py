#!/usr/bin/env python3
"""Writes seed inputs made from sample-cases/ into fuzz/corpus/<target>/.

load_document: every YAML file of every sample case, one input each.
validate_case and render: every sample case as one input, in the form their targets read:
files separated by the byte 0xFF, each starting with one byte that picks its name.
evidence_pdf: every PDF of every sample case.
received_zip: every sample case zipped (at the top level, and in a folder of its own).
received_pack: every sample case rendered by `ehcpack render --draft`, when a built ehcpack is
found in ../target (debug or release). Two are committed (packs are 130 KB each).
"""

import hashlib
import io
import pathlib
import subprocess
import tempfile
import zipfile

FUZZ = pathlib.Path(__file__).resolve().parent
SAMPLES = FUZZ.parent / "sample-cases"

# Keep in step with NAMES in fuzz_targets/common/mod.rs.
NAMES = [
    "pupil.yaml", "family.yaml", "needs.yaml", "health.yaml", "plan-1.yaml", "plan-2.yaml",
    "plan-3.yaml", "attainment.yaml", "views.yaml", "professionals.yaml", "request.yaml",
    "consent.yaml", "evidence.yaml", "plan-4.yaml", "extra.yml", "reports/notes.yaml",
]


def save(target, data):
    out = FUZZ / "corpus" / target
    out.mkdir(parents=True, exist_ok=True)
    (out / ("seed-" + hashlib.sha1(data).hexdigest())).write_bytes(data)


def main():
    for case in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        files = []
        for path in sorted(case.glob("*.yaml")):
            text = path.read_bytes()
            save("load_document", text)
            if path.name in NAMES:
                # 0x40 + index: a printable byte, and 0x40 % 16 == 0.
                files.append(bytes([0x40 + NAMES.index(path.name)]) + text)
        if files:
            save("validate_case", b"\xff".join(files))
            save("render", b"\xff".join(files))
        for pdf in sorted(case.glob("**/*.pdf")):
            save("evidence_pdf", pdf.read_bytes())
        for prefix in ("", case.name + "/"):
            data = io.BytesIO()
            with zipfile.ZipFile(data, "w", zipfile.ZIP_DEFLATED) as z:
                for path in sorted(p for p in case.rglob("*") if p.is_file()):
                    z.write(path, prefix + path.relative_to(case).as_posix())
            save("received_zip", data.getvalue())
        ehcpack = next((b for b in (FUZZ.parent / "target" / d / "ehcpack"
                                    for d in ("release", "debug")) if b.exists()), None)
        if ehcpack:
            with tempfile.TemporaryDirectory() as out:
                pdf = pathlib.Path(out) / "pack.pdf"
                subprocess.run([str(ehcpack), "render", str(case), "--draft", "-o", str(pdf),
                                "--today", "2026-01-15"], capture_output=True, check=False)
                if pdf.exists():
                    save("received_pack", pdf.read_bytes())


if __name__ == "__main__":
    main()
