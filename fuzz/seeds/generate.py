#!/usr/bin/env python3
"""Regenerate the committed seed corpora under fuzz/seeds/<target>/ from the repository.

Sources: transcripts/*.atx, the `+CUSD` lines and PDUs of shared/corpus/corpus.md (when present
beside the repository), string literals in the unit tests (src/ussd, src/sms) and the reply
samples in src/balance/samples.rs. Each seed starts with the target's option bytes (see the
target's doc comment in fuzz/fuzz_targets/); the rest is the sample itself.

Run from the repository root: `python3 fuzz/seeds/generate.py [path/to/corpus.md]`.
Output is deterministic (file names are the first 16 hex digits of the content's SHA-1).
"""

import glob
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "fuzz", "seeds")
MAX_SEED = 4096


def rust_literals(src):
    """Rust "..." string literals (not raw strings), unescaped."""
    out = []
    for m in re.finditer(r'(?<![A-Za-z0-9_\'])"((?:[^"\\]|\\.|\\\n)*)"', src, re.S):
        body = m.group(1)
        try:
            out.append(rust_unescape(body))
        except ValueError:
            pass
    return out


def rust_unescape(s):
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        e = s[i + 1]
        i += 2
        if e == "\n":  # line continuation: skip leading whitespace of the next line
            while i < len(s) and s[i] in " \t\n\r":
                i += 1
        elif e in "nrt0\\\"'":
            out.append({"n": "\n", "r": "\r", "t": "\t", "0": "\0"}.get(e, e))
        elif e == "x":
            out.append(chr(int(s[i:i + 2], 16)))
            i += 2
        elif e == "u":
            j = s.index("}", i)
            out.append(chr(int(s[i + 1:j], 16)))
            i = j + 1
        else:
            raise ValueError(e)
    return "".join(out)


def atx_unescape(s):
    """transcript payload escapes -> bytes"""
    out = bytearray()
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out += c.encode()
            i += 1
            continue
        e = s[i + 1]
        i += 2
        if e in "nrt0\\\"'":
            out += {"n": b"\n", "r": b"\r", "t": b"\t", "0": b"\0"}.get(e, e.encode())
        elif e == "x":
            out.append(int(s[i:i + 2], 16))
            i += 2
        elif e == "u":
            j = s.index("}", i)
            out += chr(int(s[i + 1:j], 16)).encode()
            i = j + 1
    return bytes(out)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def src_literals(pattern):
    lits = []
    for p in sorted(glob.glob(os.path.join(ROOT, pattern))):
        lits += rust_literals(read(p))
    return lits


HEX = re.compile(r"^[0-9A-Fa-f]{20,}$")

seeds = {t: set() for t in ("at_session", "ussd", "sms_pdu", "sms_roundtrip", "transcript", "balance")}


def add(target, data):
    if isinstance(data, str):
        data = data.encode()
    if 0 < len(data) <= MAX_SEED:
        seeds[target].add(data)


# ----- corpus.md --------------------------------------------------------------------------------
corpus_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(ROOT), "shared", "corpus", "corpus.md")
corpus = read(corpus_path) if os.path.exists(corpus_path) else ""
corpus_cusd = re.findall(r"`(\+CUSD:[^`]*)`", corpus)
corpus_hex = [h for h in re.findall(r"[0-9A-Fa-f]{30,}", corpus)]

# ----- +CUSD lines ------------------------------------------------------------------------------
cusd_lines = sorted(set(corpus_cusd + [l for l in src_literals("src/ussd/*.rs") if "+CUSD" in l]))
payloads = sorted(set(l for l in src_literals("src/ussd/*.rs") + src_literals("src/codec/*.rs")
                      if HEX.match(l)))
# ussd header: [charset, flags, dcs, interpretation]; see fuzz_targets/ussd.rs
for i, line in enumerate(cusd_lines):
    add("ussd", bytes([i % 6, 0, 0, 0]) + line.encode())
    add("ussd", bytes([(i + 1) % 6, 0x01 | 0x04, (15, 72, 0, 17, 68, 7)[i % 6], i % 8]) + line.encode())
for i, p in enumerate(payloads[:40]):
    add("ussd", bytes([i % 6, 0x08 | 0x01, (15, 72, 0, 17, 68, 16)[i % 6], 0]) + p.encode())

# ----- PDUs and listings -------------------------------------------------------------------------
sms_lits = src_literals("src/sms/*.rs")
pdu_hex = sorted(set([h for h in sms_lits if HEX.match(h) and len(h) % 2 == 0] +
                     [h for h in corpus_hex if len(h) % 2 == 0]))
for i, h in enumerate(pdu_hex):
    b = bytes.fromhex(h)
    # sms_pdu op byte: 0 bytes+SMSC, 1 bytes alone, 2 hex+SMSC, 3 hex alone, 4 +CMGL, 5 +CMGR, 6 text
    add("sms_pdu", bytes([0]) + b)
    add("sms_pdu", bytes([1]) + b)
    add("sms_pdu", bytes([2 + (i % 2)]) + h.encode())
    add("sms_pdu", bytes([4]) + f"+CMGL: {i},1,,{max(0, len(b) - 1 - b[0])}\r\n{h}\r\n".encode())
    add("sms_pdu", bytes([5]) + f"+CMGR: 0,,{len(b)}\n{h}\nOK".encode())
for lit in sms_lits:
    if lit.startswith("+CMGL:") or lit.startswith("+CMGR:"):
        op = 6 if '"' in lit else (4 if lit.startswith("+CMGL:") else 5)
        add("sms_pdu", bytes([op]) + lit.encode())
# whole test listings: arrays of literals in listing.rs / text_mode.rs
for p in ("src/sms/listing.rs", "src/sms/text_mode.rs"):
    src = read(os.path.join(ROOT, p))
    for arr in re.findall(r"\[\s*((?:\"(?:[^\"\\]|\\.)*\"\s*,?\s*(?://[^\n]*\n\s*)?){2,})\]", src, re.S):
        lines = rust_literals(arr)
        text = "\n".join(lines)
        op = 6 if "text_mode" in p else (4 if "+CMGL" in text else 5)
        add("sms_pdu", bytes([op | 0x10]) + text.encode())

# ----- balance replies ---------------------------------------------------------------------------
samples = read(os.path.join(ROOT, "src", "balance", "samples.rs"))
texts = []
for m in re.finditer(r'text:\s*"((?:[^"\\]|\\.|\\\n)*)"', samples, re.S):
    texts.append(rust_unescape(m.group(1)))
hints = re.findall(r'hint:\s*Some\("([^"]*)"\)', samples)
LANGS = ["", "ja", "zh", "zh-Hant", "en-US", "en-NP", "ru", "ko", "de", "uk", "id", "sv"]
for i, t in enumerate(texts):
    # balance header: [base, language, year offset, month/day]
    add("balance", bytes([i % 3, i % len(LANGS), 126, 0x61]) + t.encode())
    add("sms_roundtrip", bytes([i % 8, i % 4]) + t.encode())
add("sms_roundtrip", bytes([0, 0]) + ("A" * 400).encode())
add("sms_roundtrip", bytes([1, 1]) + ("€[]" * 70).encode())
add("sms_roundtrip", bytes([2, 2]) + ("残りデータ量" * 30).encode())
add("sms_roundtrip", bytes([3, 3]) + ("😀a" * 60).encode())

# ----- transcripts -------------------------------------------------------------------------------
COMMANDS = [("AT+CUSD=1", 1), ("AT+CMGL", 2), ("AT+CREG?", 3), ("AT+CMGS", 4)]
for p in sorted(glob.glob(os.path.join(ROOT, "transcripts", "*.atx"))):
    text = read(p)
    add("transcript", text)
    modem = bytearray()
    # at_session header: [mode, chunk seed]; see fuzz_targets/at_session.rs
    current = None
    after = {}
    for line in text.splitlines():
        if line.startswith("<"):
            chunk = atx_unescape(line[2:] if line.startswith("< ") else line[1:])
            modem += chunk
            if current is not None:
                after.setdefault(current, bytearray()).extend(chunk)
        elif line.startswith(">"):
            current = None
            for prefix, mode in COMMANDS:
                if line[2:].startswith(prefix):
                    current = mode
    add("at_session", bytes([0, 0]) + bytes(modem))
    add("at_session", bytes([0x10, 7]) + bytes(modem))
    for mode, b in after.items():
        add("at_session", bytes([mode, 0]) + bytes(b))
        add("at_session", bytes([mode | 0x08, 3]) + bytes(b))
# hand-made exchanges for the other commands
add("at_session", bytes([2, 0]) + b"\r\n+CMGL: 0,1,,35\r\n07917248014000F3240B917247587706F400003110824115248012C8329BFD06C9C373B8B82C97E741F034\r\n\r\nOK\r\n")
add("at_session", bytes([2, 5]) + b"\r\n+CMGL: 0,1,,22\r\n079133060071108\r\n^BOOT:37478870,0,0,0,77\r\n11094904003CF7A1A\r\n\r\nOK\r\n")
add("at_session", bytes([3, 0]) + b"AT+CREG?\r\r\n+CREG: 0,1\r\n\r\nOK\r\n\r\n+CREG: 1\r\n")
add("at_session", bytes([4, 0]) + b"\r\n> \r\n+CMGS: 5\r\n\r\nOK\r\n")
add("at_session", bytes([4, 9]) + b"AT+CMGS=20\r\r\n> 0001000B911326880736F4000002C834\x1a\r\n+CMGS: 7\r\n\r\nOK\r\n")
add("at_session", bytes([5, 1]) + b"\r\nOK\r\n\r\n+CUSD: 1,\"Main Menu\r\n1) Transfer\r\n2) Pay\",64\r\n\r\n+CREG: 0,1\r\n\r\nOK\r\n\r\n+CMGL: 1,0,,3\r\n00AABB\r\n\r\nOK\r\n\r\n> \r\nOK\r\n")
add("at_session", bytes([0, 2]) + b"\r\n+CMT: ,24\r\n07911326040000F0040B911346610089F60000208062917314080CC8F71D14969741F977FD07\r\n\r\n+CMTI: \"SM\",3\r\n")

# ----- write -------------------------------------------------------------------------------------
for target, items in seeds.items():
    d = os.path.join(OUT, target)
    os.makedirs(d, exist_ok=True)
    # Inputs that once crashed a target (`regression-<sha1>`, copied from artifacts/) are kept.
    for old in os.listdir(d):
        if not old.startswith("regression-"):
            os.remove(os.path.join(d, old))
    for data in sorted(items):
        name = hashlib.sha1(data).hexdigest()[:16]
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{target}: {len(items)} seeds")
