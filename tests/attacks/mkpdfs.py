#!/usr/bin/env python3
"""Hostile evidence PDFs for the attack re-run: writes them into the folder given."""
import sys, os, zlib
out = sys.argv[1]
def pdf(objs, trailer_extra=b"", root=1):
    parts = [b"%PDF-1.7\n"]; n = len(parts[0])
    offs = []
    for i, o in enumerate(objs, 1):
        offs.append(n)
        p = b"%d 0 obj\n" % i + o + b"\nendobj\n"; parts.append(p); n += len(p)
    x = n
    b = b"".join(parts)
    b += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    b += b"".join(b"%010d 00000 n \n" % o for o in offs)
    b += b"trailer\n<< /Size %d /Root %d 0 R %s>>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, trailer_extra, x)
    return b
PAGE = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>"]
def stream(data, extra=b""):
    return b"<< /Length %d %s>>\nstream\n" % (len(data), extra) + data + b"\nendstream"
W = lambda n, b: open(os.path.join(out, n), "wb").write(b)
W("ok.pdf", pdf(PAGE + [stream(b"BT ET")]))
W("deep_array.pdf", pdf(PAGE + [stream(b"BT ET", b"/X " + b"[" * 200000 + b"]" * 200000)]))
W("deep_dict.pdf", pdf(PAGE + [stream(b"BT ET", b"/X " + b"<</A " * 50000 + b">>" * 50000)]))
W("deep_unclosed.pdf", b"%PDF-1.7\n1 0 obj\n" + b"[" * 500000)
chain = [b"%d 0 R" % (i + 1) for i in range(5, 300000)] + [b"1"]
W("long_chain.pdf", pdf(PAGE + [stream(b"BT ET", b"/X 5 0 R")] + chain))
W("ref_loop.pdf", pdf(PAGE + [stream(b"BT ET", b"/X 5 0 R"), b"6 0 R", b"5 0 R"]))
W("length_loop.pdf", pdf(PAGE + [b"<< /Length 4 0 R >>\nstream\nBT ET\nendstream"]))
W("pages_loop.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                         b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"]))
W("parent_loop.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 /Parent 3 0 R >>",
                         b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>"]))
bomb = zlib.compress(b"\0" * (300 * 1024 * 1024), 9)
W("bomb.pdf", pdf(PAGE + [stream(bomb, b"/Filter /FlateDecode ")]))
many = zlib.compress(b"\0" * (100 * 1024 * 1024), 9)
W("bomb_many.pdf", pdf(PAGE + [stream(b"BT ET")] + [stream(many, b"/Filter /FlateDecode ") for _ in range(12)]))
W("bomb_double.pdf", pdf(PAGE + [stream(zlib.compress(zlib.compress(b"\0" * (1100 * 1024 * 1024), 9), 9), b"/Filter [/FlateDecode /FlateDecode] ")]))
W("junk.pdf", b"%PDF-1.7\n" + os.urandom(4096))
W("header_only.pdf", b"%PDF-")
W("empty.pdf", b"")
W("huge_count.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 999999999 >>", PAGE[2]]))
W("huge_objnum.pdf", b"%PDF-1.7\n4294967295 65535 obj\n<< >>\nendobj\ntrailer\n<< /Root 4294967295 65535 R /Size 4294967296 >>\n%%EOF\n")
W("xref_huge.pdf", b"%PDF-1.7\nxref\n0 999999999\n0000000000 65535 f \ntrailer\n<< /Size 999999999 >>\nstartxref\n9\n%%EOF\n")
W("startxref_self.pdf", b"%PDF-1.7\ntrailer\n<< /Prev 9 /Size 1 >>\nstartxref\n9\n%%EOF\n")
W("prev_loop.pdf", pdf(PAGE + [stream(b"BT ET")], b"/Prev 9 "))
W("length_neg.pdf", pdf(PAGE + [b"<< /Length -99999999 >>\nstream\nBT ET\nendstream"]))
W("length_huge.pdf", pdf(PAGE + [b"<< /Length 99999999999999999999 >>\nstream\nBT ET\nendstream"]))
objstm_body = b" ".join(b"%d 0" % (i) for i in range(5, 100005)) + b" " + b"<<>> " * 100000
W("objstm_n.pdf", pdf(PAGE + [stream(b"BT ET"), stream(zlib.compress(objstm_body), b"/Type /ObjStm /N 999999999 /First %d /Filter /FlateDecode " % 0)]))
W("lzw.pdf", pdf(PAGE + [stream(b"\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01" * 1000, b"/Filter /LZWDecode ")]))
W("ascii85.pdf", pdf(PAGE + [stream(b"z" * 5000000 + b"~>", b"/Filter /ASCII85Decode ")]))
W("runlength.pdf", pdf(PAGE + [stream(b"\x81\x00" * 3000000 + b"\x80", b"/Filter /RunLengthDecode ")]))
W("predictor.pdf", pdf(PAGE + [stream(zlib.compress(b"\0" * 1000), b"/Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 4294967295 /Colors 255 /BitsPerComponent 16 >> ")]))
W("encrypted.pdf", pdf(PAGE + [stream(b"BT ET")], b"/Encrypt << /Filter /Standard /V 99 /R 99 /O <00> /U <00> /P -1 >> "))
W("names_deep.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R /Names << /EmbeddedFiles 5 0 R >> >>", PAGE[1], PAGE[2], stream(b"")] +
                        [b"<< /Kids [%d 0 R] >>" % (i + 1) for i in range(5, 100000)] + [b"<< /Names [(a) 5 0 R] >>"]))
W("outline_loop.pdf", pdf([b"<< /Type /Catalog /Pages 2 0 R /Outlines 5 0 R >>", PAGE[1], PAGE[2], stream(b""),
                          b"<< /First 6 0 R /Last 6 0 R >>", b"<< /Title (x) /Parent 5 0 R /Next 6 0 R /First 6 0 R >>"]))
