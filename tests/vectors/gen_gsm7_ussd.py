#!/usr/bin/env python3
"""Packed GSM 7-bit USSD vectors made by an encoder simquota did not write.

Encoder: python-gsmmodem-new 0.13.0 (PyPI), `gsmmodem.pdu.encodeGsm7` (GSM 03.38 default
alphabet + extension table) and `gsmmodem.pdu.packSeptets`. The only thing added here is the
USSD CR padding of TS 23.038 §6.1.2.3.1 (a CR when 7 spare bits would remain), which that
library does not do because it targets SMS; vectors are written both with CR padding (`hex`)
and, as some firmware sends them, zero-filled (`hex_zero_fill`).

Regenerate:  pip install python-gsmmodem-new==0.13.0 && python3 tests/vectors/gen_gsm7_ussd.py
"""
import json
import os

from gsmmodem import pdu

TEXTS = [
    # Punctuation-heavy texts a shape heuristic finds unconvincing (issue 12 item 2).
    "Bal: {12.50} EUR [promo] ~ @home \\ ^_^ €5",
    "@",
    "@@",
    "{}",
    "[1] Saldo\n[2] Datos",
    "~~~",
    "€ 3,00",
    "Balance: $4.20 | Data: 500MB | Exp: 31/12",
    "Sisa kuota: 1.2GB @ 4G | s/d 2026-01-31",
    "Vous avez 2Go [national] ~ valable jusqu'au 15/02",
    "Ihr Guthaben: 5,00 € {Aktion} ^^",
    "Su saldo es de $1.234,56 \\ gracias",
    "Data ^ 1GB ^ night {00-06}",
    "1234567",
    "12345678",
    "ABCDEFG",
    "ABCDEFGH",
    "Ostatok: 15.3 GB [4G+] @ 12.01.",
    "!\"#%&'()*+,-./:;<=>?",
    "Your bal is N100.00 {valid} [till] 2026-12-31 @ 23:59 ~ dial *310#",
    "Saldo: 0.00 EUR. |Mas info: @vodafone_es|",
    "Kr 49,- {SMS} [MMS] \\ data 3 GB",
    "Bonus: 500MB [valid 7 days] € 2 ^ ~ @",
    "ÄÖÜäöüß éèà ñÑ øØ åÅ æÆ",
    "Line1\nLine2\r\nLine3",
    "{[~]}\\^|€",
    "Saldo R$ 12,34 - Internet 1,5GB {ate 10/01}",
    "Remaining: 1.25 GB / 5 GB ~ 25 %",
    "Credito: 7,50 EUR; Dati: illimitati {fino al 31/12}",
    "ends with CR\r",
]


def pack_ussd(text: str, cr_pad: bool) -> str:
    septets = bytearray(pdu.encodeGsm7(text))
    n = len(septets)
    if cr_pad and (n % 8 == 7 or (n % 8 == 0 and n > 0 and septets[-1] == 0x0D)):
        septets.append(0x0D)
    return pdu.packSeptets(septets).hex().upper()


def main() -> None:
    rows = [
        {"text": t, "hex": pack_ussd(t, True), "hex_zero_fill": pack_ussd(t, False)}
        for t in TEXTS
    ]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "gsm7_ussd_packed.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(
            {
                "encoder": "python-gsmmodem-new 0.13.0 (gsmmodem.pdu.encodeGsm7 + packSeptets)",
                "generator": "tests/vectors/gen_gsm7_ussd.py",
                "vectors": rows,
            },
            f,
            ensure_ascii=False,
            indent=1,
        )
        f.write("\n")


if __name__ == "__main__":
    main()
