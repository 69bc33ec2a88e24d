#!/usr/bin/env python3
"""An independent fake Huawei E3372 on a pseudo-terminal, for simquota's end-to-end tests.

Written from the specs (TS 27.007 §5, §7.15 +CUSD; TS 23.038 §6.1.2 GSM 7-bit default alphabet,
packing and USSD CR padding) and from how Huawei sticks behave (packed GSM 7-bit hex under DCS 15,
^CURC, ^ICCID?, 'COMMAND NOT SUPPORT'); it shares no code with simquota's own emulator
(src/emulator) and is not in Rust on purpose.

Like socat, python-gsmmodem's test modems and ser2net bridges it keeps the slave side of its PTY
open while it runs, so to /proc it looks as if another program had the port open.

  python3 fake_e3372.py --link PATH [--delay SECONDS] [--manufacturer NAME]

prints "READY <slave path>" once the port is usable; SIGTERM/SIGINT remove the link and exit.
The USSD replies are fixed below, keyed by the code the client asks for.
"""
import argparse
import os
import select
import signal
import sys
import time
import tty

# GSM 03.38 default alphabet (TS 23.038 §6.2.1), index = septet value.
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# Extension table (TS 23.038 §6.2.1.1), reached with ESC (0x1B).
EXT = {"\f": 0x0A, "^": 0x14, "{": 0x28, "}": 0x29, "\\": 0x2F, "[": 0x3C, "~": 0x3D,
       "]": 0x3E, "|": 0x40, "€": 0x65}
assert len(BASIC) == 128

REPLIES = {
    # Punctuation that a payload-shape heuristic finds unconvincing (issue 12 item 2).
    "*100#": "Bal: {12.50} EUR [promo] ~ @home \\ ^_^ €5. Data: 1.5GB left",
    "*101#": "Your data balance is 812MB. Valid until 31/12/2026.",
    "*102#": "{[~]}\\^|€",
}


def septets(text):
    out = []
    for ch in text:
        if ch in EXT:
            out += [0x1B, EXT[ch]]
        else:
            out.append(BASIC.index(ch))
    return out


def pack(sep):
    """Pack septets LSB first (TS 23.038 §6.1.2.1.1) with USSD CR padding (§6.1.2.3.1)."""
    sep = list(sep)
    if len(sep) % 8 == 7:
        sep.append(0x0D)
    acc = bits = 0
    out = bytearray()
    for s in sep:
        acc |= s << bits
        bits += 7
        while bits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            bits -= 8
    if bits:
        out.append(acc & 0xFF)
    return bytes(out)


def unpack(data):
    acc = bits = 0
    out = []
    for b in data:
        acc |= b << bits
        bits += 8
        while bits >= 7:
            out.append(acc & 0x7F)
            acc >>= 7
            bits -= 7
    if len(out) % 8 == 0 and out and out[-1] == 0x0D:
        out.pop()
    if len(out) % 8 == 0 and out and out[-1] == 0:  # zero-filled, not '@'
        out.pop()
    text = ""
    esc = False
    inv = {v: k for k, v in EXT.items()}
    for s in out:
        if esc:
            text += inv.get(s, "?")
            esc = False
        elif s == 0x1B:
            esc = True
        else:
            text += BASIC[s]
    return text


class Modem:
    def __init__(self, master, delay, manufacturer="huawei"):
        self.manufacturer = manufacturer
        self.master = master
        self.delay = delay
        self.echo = True
        self.cmee = 0
        self.curc = 1
        self.cscs = "IRA"
        self.pending = []  # (due time, bytes)
        self.buf = b""

    def send(self, data):
        os.write(self.master, data)

    def later(self, seconds, data):
        self.pending.append((time.monotonic() + seconds, data))

    def ok(self, *lines):
        self.send(b"".join(b"\r\n" + l.encode() + b"\r\n" for l in lines) + b"\r\nOK\r\n")

    def error(self):
        self.send(b"\r\nERROR\r\n" if self.cmee == 0 else b"\r\n+CME ERROR: 100\r\n")

    def feed(self, data):
        if self.echo:
            self.send(data)
        self.buf += data
        while b"\r" in self.buf:
            line, self.buf = self.buf.split(b"\r", 1)
            line = line.strip(b"\n").decode("latin-1").strip()
            if line:
                self.command(line)

    def command(self, line):
        up = line.upper()
        if not up.startswith("AT"):
            return self.error()
        c = up[2:]
        if c in ("", "Z", "&F"):
            return self.ok()
        if c in ("E0", "E1"):
            self.echo = c == "E1"
            return self.ok()
        if c == "+CMEE?":
            return self.ok("+CMEE: %d" % self.cmee)
        if c.startswith("+CMEE="):
            self.cmee = int(c[6:] or 0)
            return self.ok()
        if c in ("+CGMI", "+GMI"):
            return self.ok(self.manufacturer)
        if c in ("+CGMM", "+GMM"):
            return self.ok("E3372")
        if c in ("+CGMR", "+GMR"):
            return self.ok("21.110.99.02.00")
        if c in ("+CGSN", "+GSN"):
            return self.ok("353000000000017")
        if c == "^CURC?":
            return self.ok("^CURC: %d" % self.curc)
        if c.startswith("^CURC="):
            self.curc = int(c[6:] or 0)
            return self.ok()
        if c == "+CFUN?":
            return self.ok("+CFUN: 1")
        if c == "+CPIN?":
            return self.ok("+CPIN: READY")
        if c in ("+CREG?", "+CGREG?", "+CEREG?"):
            return self.ok(c[1:-1] + ": 0,1")
        if c == "+CIMI":
            return self.ok("001019876543210")
        if c == "^ICCID?":
            return self.ok("^ICCID: 98101000000000000210")
        if c == "+COPS?":
            return self.ok('+COPS: 0,0,"FakeNet",7')
        if c == "+CSQ":
            return self.ok("+CSQ: 17,99")
        if c == "+CSCS?":
            return self.ok('+CSCS: "%s"' % self.cscs)
        if c.startswith("+CSCS="):
            self.cscs = line[8:].strip('"')
            return self.ok()
        if c == "+CUSD=2":
            return self.ok()
        if c.startswith("+CUSD=1,"):
            return self.ussd(line[10:])
        # What an E3372 says to commands it does not have.
        self.send(b"\r\nCOMMAND NOT SUPPORT\r\n")

    def ussd(self, args):
        parts = args.split(",")
        code = parts[0].strip('"')
        try:
            asked = unpack(bytes.fromhex(code))  # Huawei requests: packed hex
        except ValueError:
            asked = code
        self.ok()
        reply = REPLIES.get(asked)
        if reply is None:
            self.later(self.delay, b"\r\n+CUSD: 4\r\n")
            return
        payload = pack(septets(reply)).hex().upper()
        self.later(self.delay, ('\r\n+CUSD: 0,"%s",15\r\n' % payload).encode())

    def tick(self):
        now = time.monotonic()
        due = [p for p in self.pending if p[0] <= now]
        self.pending = [p for p in self.pending if p[0] > now]
        for _, data in due:
            self.send(data)
        if self.pending:
            return max(0.0, min(p[0] for p in self.pending) - now)
        return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--link", required=True)
    ap.add_argument("--delay", type=float, default=0.3)
    ap.add_argument("--manufacturer", default="huawei",
                    help="what AT+CGMI says (a rebadged stick may not say huawei)")
    a = ap.parse_args()
    master, slave = os.openpty()
    tty.setraw(slave)
    name = os.ttyname(slave)
    if os.path.lexists(a.link):
        os.unlink(a.link)
    os.symlink(name, a.link)

    def stop(*_):
        try:
            os.unlink(a.link)
        except OSError:
            pass
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("READY " + name, flush=True)
    modem = Modem(master, a.delay, a.manufacturer)
    # The slave fd stays open for the whole run, as socat and python pty emulators keep it.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        wait = modem.tick()
        r, _, _ = select.select([master], [], [], 0.05 if wait is None else min(wait, 0.05))
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                continue
            if data:
                modem.feed(data)
    stop()


if __name__ == "__main__":
    main()
