//! Operator-name matching: `+COPS` shows `NTT DOCOMO`, the SPN may say `docomo`, a user types
//! `ｄｏｃｏｍｏ`. Names are compared after folding case, full-width forms and punctuation.

/// Folds a name for comparison: full-width ASCII (U+FF01–U+FF5E) and the ideographic space
/// become ASCII, letters are lowercased (Unicode-aware), and whitespace and the punctuation
/// `- _ . , ! ' & / ( ) ・` are dropped, so `CHN-UNICOM`, `chn unicom` and `ＣＨＮ－ＵＮＩＣＯＭ`
/// all fold to `chnunicom`. Half-width katakana is not folded (no Unicode tables here).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
        if c.is_whitespace()
            || matches!(
                c,
                '-' | '_' | '.' | ',' | '!' | '\'' | '&' | '/' | '(' | ')' | '・' | '"'
            )
        {
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out
}
