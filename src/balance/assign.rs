//! Roles: which number is what is left, what was used, the allowance, the balance, the expiry —
//! given by the words of its sentence, never by its position alone.
//!
//! Order (each step only narrows what the previous left):
//! 1. structural rejections: a number after an offer verb ("buy", "dial … to", "购买") in its
//!    sentence, right after a price preposition ("for", "at", "@", "あたり"), next to a
//!    threshold ("or less"), inside a product name ("your 5GB bundle", "Internet Package
//!    12GB"), or describing the subject of a copula ("remaining amount from *X* is Y");
//! 2. the cue word that binds each remaining number: the highest tier in its clause window
//!    (specific > balance > "you have"), then the nearest, never past a neighbouring number;
//! 3. structures: "X of Y" (Y is the total), "used N% of Y" (derived, marked so), "A + B",
//!    a list whose items share one heading (`Imate:` + lines, `… is X; from … is Y`),
//!    "DATA: X" listings, "depleted" → 0, a bare `0` after a remaining word in a data sentence;
//! 4. consistency: two values for one field of one pool, or remaining above the allowance,
//!    is a conflict — the field is left empty (abstention), with a note.
//!
//! Every number ends as a [`Candidate`] with its role and cue, or the reason it was not taken.

use super::date::DateTok;
use super::lexicon::{Kind, Marker, OF_TOTAL};
use super::model::{Candidate, DataBucket, Money, Reading, Throttle};
use super::money::exponent;
use super::number::{is_word_letter, Decimal};
use super::parse::{skip_spaces, Ctx, Tok, TokKind};
use super::unit::format_bytes;
use super::Date;

/// Sentence structure: clause, sentence and line index of every char, and what opened each
/// sentence.
struct Layout {
    clause: Vec<usize>,
    sentence: Vec<usize>,
    line: Vec<usize>,
    /// Per sentence: the separator before it (`;`, `\n`, `.`, `。`, or `\0` at the start).
    opened_by: Vec<char>,
}

impl Layout {
    fn cl(&self, i: usize) -> usize {
        self.clause.get(i).copied().unwrap_or(0)
    }
    fn se(&self, i: usize) -> usize {
        self.sentence.get(i).copied().unwrap_or(0)
    }
    fn li(&self, i: usize) -> usize {
        self.line.get(i).copied().unwrap_or(0)
    }
}

/// The role a value was given and by what.
#[derive(Debug, Clone)]
struct Role {
    kind: Kind,
    label: &'static str,
    scope: &'static str,
    /// The words that gave it, as written.
    cue: String,
    /// How: "" for a cue word next to it, else the structure ("list heading", "X of Y"…).
    how: &'static str,
}

impl Role {
    fn of(m: &Marker, ctx: &Ctx<'_>, how: &'static str) -> Role {
        Role {
            kind: m.entry.kind,
            label: m.entry.label,
            scope: m.entry.scope,
            cue: ctx.text(m.start, m.end),
            how,
        }
    }
}

/// A size or an amount of money and what became of it.
#[derive(Debug, Clone)]
struct Val {
    tok: usize,
    start: usize,
    end: usize,
    money: bool,
    /// Why it was not taken, and the words that said so.
    rejected: Option<(String, Option<String>)>,
    role: Option<Role>,
    scope: &'static str,
    breakdown: bool,
}

/// Field of a data pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Remaining,
    Used,
    Total,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Remaining => "remaining",
            Field::Used => "used",
            Field::Total => "total",
        }
    }
}

fn role_name(kind: Kind, money: bool) -> &'static str {
    match (kind, money) {
        (Kind::Remaining | Kind::Balance | Kind::Have, true) => "balance",
        (Kind::Remaining | Kind::Balance | Kind::Have, false) => "remaining",
        (Kind::Bonus, _) => "bonus",
        (Kind::Used, true) => "spent",
        (Kind::Used, false) => "used",
        (Kind::Total | Kind::Limit, false) => "total",
        (Kind::Limit, true) => "limit",
        (Kind::Total, true) => "total",
        (Kind::Price, _) => "price",
        (Kind::Transaction, _) => "transaction",
        _ => "other",
    }
}

impl Ctx<'_> {
    /// Sentence and clause index of every char.
    fn layout(&self, toks: &[Tok], markers: &[Marker]) -> Layout {
        let n = self.chars.len();
        let mut covered = vec![false; n];
        for (s, e) in toks
            .iter()
            .map(|t| (t.start, t.end))
            .chain(markers.iter().map(|m| (m.start, m.end)))
        {
            for slot in covered.iter_mut().take(e.min(n)).skip(s) {
                *slot = true;
            }
        }
        // `100,50 руб. Остаток…`: the currency's dot also ends the sentence.
        let mut break_at = vec![false; n + 1];
        for t in toks {
            let ends_dot = t.end > 0 && self.at(t.end - 1) == Some('.');
            let j = skip_spaces(self.chars, t.end, 2);
            let capital = self.at(j).is_some_and(|c| c.is_uppercase()) && j > t.end;
            if ends_dot && (capital || self.at(j) == Some('\n') || j >= n) {
                if let Some(b) = break_at.get_mut(t.end) {
                    *b = true;
                }
            }
        }
        let mut clause = Vec::with_capacity(n);
        let mut sentence = Vec::with_capacity(n);
        let mut line = Vec::with_capacity(n);
        let mut opened_by = vec!['\0'];
        let (mut c, mut s, mut l) = (0usize, 0usize, 0usize);
        for i in 0..n {
            let ch = self.at(i).unwrap_or(' ');
            if break_at.get(i).copied().unwrap_or(false) {
                s += 1;
                c += 1;
                opened_by.push('.');
            }
            if !covered.get(i).copied().unwrap_or(false) {
                let next_digit = self.at(i + 1).is_some_and(|x| x.is_ascii_digit());
                // `Datos.cu`, `e.g`: a dot between letters joins a name.
                let inside_word = i > 0
                    && self.at(i - 1).is_some_and(char::is_alphabetic)
                    && self
                        .at(i + 1)
                        .is_some_and(|x| x.is_alphabetic() && x.is_lowercase());
                let strong =
                    matches!(
                        ch,
                        '。' | '！' | '？' | '!' | '?' | '\n' | ';' | '【' | '；'
                    ) || (ch == '.' && !next_digit && !inside_word && !self.abbreviation_before(i));
                let weak = matches!(ch, '，' | '、' | '／' | '|' | '（' | '(' | '）' | ')')
                    || (ch == ',' && !next_digit);
                if strong {
                    s += 1;
                    c += 1;
                    opened_by.push(if ch == '；' { ';' } else { ch });
                } else if weak {
                    c += 1;
                }
            }
            clause.push(c);
            sentence.push(s);
            line.push(l);
            if ch == '\n' {
                l += 1;
            }
        }
        Layout {
            clause,
            sentence,
            line,
            opened_by,
        }
    }

    /// `ca.`, `Nr.`, a single letter: a `.` that does not end a sentence.
    fn abbreviation_before(&self, i: usize) -> bool {
        let mut j = i;
        while j > 0 && self.folded.get(j - 1).is_some_and(|c| is_word_letter(*c)) {
            j -= 1;
        }
        let word: String = self.folded.get(j..i).unwrap_or(&[]).iter().collect();
        // A single letter (`z.`, `S. 5`) only when the text goes on in lower case.
        let next = skip_spaces(self.chars, i + 1, 2);
        let lower_next = self.at(next).is_some_and(|c| c.is_lowercase());
        (word.chars().count() == 1 && lower_next)
            || matches!(
                word.as_str(),
                "ca" | "nr"
                    | "inkl"
                    | "tel"
                    | "st"
                    | "vs"
                    | "bzw"
                    | "ggf"
                    | "no"
                    | "approx"
                    | "bal"
                    | "acc"
                    | "exp"
                    | "val"
                    | "rs"
                    | "tk"
                    | "rp"
                    | "nat"
                    | "max"
                    | "min"
                    | "ref"
                    | "txn"
                    | "pp"
            )
    }

    /// The chars between two positions, as a string.
    fn gap(&self, a: usize, b: usize) -> String {
        if b <= a {
            return String::new();
        }
        self.chars.get(a..b).unwrap_or(&[]).iter().collect()
    }

    /// Only spaces (at most `max` chars) between `a` and `b`.
    fn tight(&self, a: usize, b: usize, max: usize) -> bool {
        b >= a && b - a <= max && self.gap(a, b).chars().all(|c| c == ' ')
    }

    // -----------------------------------------------------------------------------------------

    /// Gives every value its role (or none) and fills the reading.
    pub(super) fn assemble(&mut self, toks: &[Tok], markers: &[Marker], out: &mut Reading) {
        let lay = self.layout(toks, markers);
        let mut vals: Vec<Val> = Vec::new();
        for (k, t) in toks.iter().enumerate() {
            let money = match &t.kind {
                TokKind::Quantity { .. } => false,
                TokKind::Money { .. } => true,
                _ => continue,
            };
            let mut v = Val {
                tok: k,
                start: t.start,
                end: t.end,
                money,
                rejected: None,
                role: None,
                scope: "",
                breakdown: false,
            };
            if let TokKind::Money {
                code, why, rate, ..
            } = &t.kind
            {
                if code.is_none() {
                    v.rejected = Some((format!("currency not known: {why}"), None));
                } else if *rate {
                    v.rejected = Some(("a price per unit".into(), None));
                }
            }
            vals.push(v);
        }
        self.reject_structurally(toks, markers, &lay, &mut vals);
        self.bind(toks, markers, &lay, &mut vals);
        self.structures(toks, markers, &lay, &mut vals);
        // `105.99р.` / `54.76 р. …`: a reply that opens with an amount, and states no other
        // figure, states the balance (a dated amount is a bonus or a pack, not the balance).
        let others = vals.iter().skip(1).any(|v| v.rejected.is_none());
        let first_sentence = vals.first().map(|v| lay.se(v.start));
        let dated = toks.iter().any(|t| {
            matches!(
                t.kind,
                TokKind::Date(DateTok::Day(_) | DateTok::NumericYearless(_))
            ) && Some(lay.se(t.start)) == first_sentence
        });
        if let Some(v) = vals.first_mut() {
            let opens = self.gap(0, v.start).trim().is_empty()
                && toks.first().is_some_and(|t| t.start == v.start);
            if opens && !others && !dated && v.money && v.role.is_none() && v.rejected.is_none() {
                v.role = Some(Role {
                    kind: Kind::Balance,
                    label: "",
                    scope: "",
                    cue: String::new(),
                    how: "the amount the reply opens with",
                });
            }
        }

        // Scopes and breakdowns of the values that have a role.
        let mut pools: Vec<(usize, usize)> = Vec::new();
        let spans: Vec<(usize, usize)> = vals
            .iter()
            .filter(|v| v.rejected.is_none())
            .map(|v| (v.start, v.end))
            .collect();
        for v in vals.iter_mut().filter(|v| v.role.is_some()) {
            let c = lay.cl(v.start);
            let s = lay.se(v.start);
            let role_scope = v.role.as_ref().map_or("", |r| r.scope);
            // Never past a neighbouring value: its pool word is its own.
            let lo = spans
                .iter()
                .filter(|(_, e)| *e <= v.start)
                .map(|(_, e)| *e)
                .max()
                .unwrap_or(0);
            let hi = spans
                .iter()
                .filter(|(st, _)| *st >= v.end)
                .map(|(st, _)| *st)
                .min()
                .unwrap_or(usize::MAX);
            let in_clause = |m: &&Marker| {
                lay.cl(m.start) == c && !m.entry.scope.is_empty() && m.start >= lo && m.end <= hi
            };
            let before = markers
                .iter()
                .filter(in_clause)
                .filter(|m| m.end <= v.start)
                .max_by_key(|m| m.end);
            // A pool word right before the next value is that value's (`… and Bonus 250MB`).
            let after = markers
                .iter()
                .filter(in_clause)
                .filter(|m| m.start >= v.end && !(hi < usize::MAX && hi - m.end <= 2))
                .min_by_key(|m| m.start);
            let pool = self.quoted_pool(v.start, &lay, &mut pools);
            v.scope = if !role_scope.is_empty() {
                role_scope
            } else if let Some(p) = pool {
                p
            } else {
                before.or(after).map_or("", |m| m.entry.scope)
            };
            let bracket = self.bracket_of(v.start);
            v.breakdown = markers.iter().any(|m| {
                m.entry.kind == Kind::Breakdown
                    && m.start < v.start
                    && lay.se(m.start) == s
                    && self.bracket_of(m.start).is_none_or(|b| Some(b) == bracket)
            });
        }

        // Data pools.
        let mut conflicts: Vec<(String, Field)> = Vec::new();
        let mut parts: Vec<usize> = Vec::new();
        for v in &mut vals {
            if v.money || v.rejected.is_some() {
                continue;
            }
            let Some(role) = v.role.clone() else { continue };
            let Some(TokKind::Quantity { bytes, text }) = toks.get(v.tok).map(|t| &t.kind) else {
                continue;
            };
            let field = match role.kind {
                Kind::Remaining | Kind::Balance | Kind::Have | Kind::Bonus => Field::Remaining,
                Kind::Used => Field::Used,
                Kind::Total | Kind::Limit => Field::Total,
                Kind::Price => {
                    v.rejected = Some(("a price or fee".into(), Some(role.cue.clone())));
                    continue;
                }
                _ => {
                    v.rejected = Some((
                        "an amount moved (recharge, transfer, gift), not what is left".into(),
                        Some(role.cue.clone()),
                    ));
                    continue;
                }
            };
            const PARTS: [&str; 8] = [
                "part 1", "part 2", "part 3", "part 4", "part 5", "part 6", "part 7", "part 8",
            ];
            let label = if !v.scope.is_empty() {
                v.scope
            } else if role.kind == Kind::Bonus {
                "bonus"
            } else if v.breakdown {
                // An unnamed part of a figure is a pool of its own, never the main one.
                let k = parts.len().min(PARTS.len() - 1);
                parts.push(v.start);
                PARTS.get(k).copied().unwrap_or("part")
            } else {
                "data"
            };
            self.put(out, label, field, *bytes, text, v.breakdown, &mut conflicts);
        }

        // Money.
        let mut money_at: Vec<(usize, usize)> = Vec::new(); // (value start, index in out.money)
        for v in vals.iter_mut().filter(|v| v.money && v.rejected.is_none()) {
            let Some(TokKind::Money {
                amount,
                negative,
                code: Some(code),
                ..
            }) = toks.get(v.tok).map(|t| &t.kind)
            else {
                continue;
            };
            let label = match &v.role {
                None => "unlabelled".to_string(),
                Some(r) => {
                    let l = r.label;
                    let pick = |d: &str| if l.is_empty() { d } else { l }.to_string();
                    match r.kind {
                        Kind::Remaining | Kind::Balance | Kind::Have => pick("balance"),
                        Kind::Bonus => pick("bonus"),
                        Kind::Limit => "limit".to_string(),
                        Kind::Price => pick("price"),
                        Kind::Used => "spent".to_string(),
                        Kind::Transaction => "transaction".to_string(),
                        _ => "total".to_string(),
                    }
                }
            };
            if let Some(m) = self.money(*amount, *negative, code, &label) {
                money_at.push((v.start, out.money.len()));
                out.money.push(m);
            }
        }

        self.percent_structures(toks, markers, &lay, &mut vals, out, &mut conflicts);
        self.depleted(toks, markers, &lay, &vals, out, &mut conflicts);
        self.zero_after_cue(toks, markers, &lay, out, &mut conflicts);
        self.dates(toks, markers, &lay, &vals, &money_at, out);
        self.unlimited_and_throttle(toks, markers, &lay, out);
        self.resolve_conflicts(out, &conflicts);
        self.finish_money(out);
        self.consistency(out);
        self.summarise(out);
        self.candidates(toks, markers, &vals, out);
        self.decide(toks, markers, &vals, out);
    }

    // -----------------------------------------------------------------------------------------
    // 1. Structural rejections

    fn reject_structurally(
        &self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        vals: &mut [Val],
    ) {
        let role_cues: Vec<&Marker> = markers
            .iter()
            .filter(|m| m.entry.kind.role_tier().is_some())
            .collect();
        let starts: Vec<usize> = vals.iter().map(|v| v.start).collect();
        for v in vals.iter_mut() {
            if v.rejected.is_some() {
                continue;
            }
            let s = lay.se(v.start);
            // Inside a quoted name: `“赠送200M本地流量”`, `"Weekly 5GB"`.
            if let Some((qa, qb)) = self.quote_around(v.start) {
                v.rejected = Some(("inside a quoted name".into(), Some(self.text(qa, qb + 1))));
                continue;
            }
            // `0,01/9 GB`: the second half of a fraction is read with the first, not alone.
            if v.start >= 2
                && self.at(v.start - 1) == Some('/')
                && self.at(v.start - 2).is_some_and(|c| c.is_ascii_digit())
            {
                v.rejected = Some(("the second half of a fraction 'a/b'".into(), None));
                continue;
            }
            // A price preposition right before.
            if let Some(m) = markers.iter().find(|m| {
                m.entry.kind == Kind::PricePrep && m.end <= v.start && self.tight(m.end, v.start, 2)
            }) {
                v.rejected = Some((
                    "a price (a preposition of price right before it)".into(),
                    Some(self.text(m.start, m.end)),
                ));
                continue;
            }
            // A threshold next to it.
            if let Some(m) = markers.iter().find(|m| {
                m.entry.kind == Kind::Threshold
                    && ((m.end <= v.start && self.particles(m.end, v.start))
                        || (m.start >= v.end && self.particles(v.end, m.start)))
            }) {
                v.rejected = Some((
                    "a threshold, not a figure of this account".into(),
                    Some(self.text(m.start, m.end)),
                ));
                continue;
            }
            // An offer or instruction earlier in the sentence.
            if let Some(m) = markers
                .iter()
                .find(|m| m.entry.kind == Kind::Offer && m.end <= v.start && lay.se(m.start) == s)
            {
                v.rejected = Some((
                    "part of an offer or instruction".into(),
                    Some(self.text(m.start, m.end)),
                ));
                continue;
            }
            // A product name: `5GB bundle`, `Internet Package 12GB`, `GHC10 internet bundle`.
            if let Some(m) = self.product_around(v, markers, &role_cues) {
                v.rejected = Some((
                    "part of a product or package name".into(),
                    Some(self.text(m.start, m.end)),
                ));
                continue;
            }
            // `remaining amount from X is Y`: X describes the subject; Y is the amount.
            let c = lay.cl(v.start);
            let copula = markers
                .iter()
                .find(|m| m.entry.kind == Kind::Copula && m.start >= v.end && lay.cl(m.start) == c);
            if let Some(cop) = copula {
                let cue_between = role_cues
                    .iter()
                    .any(|r| r.start >= v.end && r.end <= cop.start);
                let next_value = toks.iter().any(|t| {
                    matches!(
                        t.kind,
                        TokKind::Quantity { .. } | TokKind::Money { .. } | TokKind::Count { .. }
                    ) && t.start >= cop.end
                        && self.tight(cop.end, t.start, 2)
                });
                let labelled = role_cues
                    .iter()
                    .any(|r| r.end <= v.start && self.label_gap(r.end, v.start));
                let other_before = starts.iter().any(|st| *st > v.end && *st < cop.start);
                if next_value && !cue_between && !labelled && !other_before {
                    v.rejected = Some((
                        "describes what is measured ('… is …'), not its amount".into(),
                        Some(self.text(cop.start, cop.end)),
                    ));
                }
            }
        }
    }

    /// The opening bracket of the innermost `(…)`/`（…）` around `i`.
    fn bracket_of(&self, i: usize) -> Option<usize> {
        let mut depth = 0i32;
        let mut a = i;
        while a > 0 && i - a < 80 {
            a -= 1;
            match self.at(a)? {
                ')' | '）' => depth += 1,
                '(' | '（' if depth == 0 => return Some(a),
                '(' | '（' => depth -= 1,
                '\n' | '。' => return None,
                _ => {}
            }
        }
        None
    }

    /// A quoted name earlier in the sentence (`“限量流量”部分：…`) names the pool of the
    /// values after it; each distinct name is one pool.
    fn quoted_pool(
        &self,
        i: usize,
        lay: &Layout,
        pools: &mut Vec<(usize, usize)>,
    ) -> Option<&'static str> {
        const NAMES: [&str; 6] = ["pool 1", "pool 2", "pool 3", "pool 4", "pool 5", "pool 6"];
        let s = lay.se(i);
        let mut close = None;
        let mut k = i;
        while k > 0 && lay.se(k - 1) == s && i - k < 120 {
            k -= 1;
            if matches!(self.at(k), Some('”' | '」' | '』')) {
                close = Some(k);
                break;
            }
        }
        let close = close?;
        let open = self.quote_around(close.saturating_sub(1))?.0;
        let key = (open, close);
        let idx = match pools.iter().position(|p| *p == key) {
            Some(x) => x,
            None => {
                pools.push(key);
                pools.len() - 1
            }
        };
        NAMES.get(idx).copied()
    }

    /// Only spaces or Japanese/Chinese particles (`を`, `が`, `に`) between `a` and `b`.
    fn particles(&self, a: usize, b: usize) -> bool {
        b >= a && b - a <= 3 && self.gap(a, b).chars().all(|c| " をがにはで的".contains(c))
    }

    /// The quotes around `i` within its sentence (`“…”`, `"…"`, `「…」`, `『…』`), if any.
    fn quote_around(&self, i: usize) -> Option<(usize, usize)> {
        const PAIRS: &[(char, char)] = &[
            ('“', '”'),
            ('"', '"'),
            ('「', '」'),
            ('『', '』'),
            ('«', '»'),
        ];
        for (open, close) in PAIRS {
            let mut a = i;
            let mut found = None;
            while a > 0 && i - a < 40 {
                a -= 1;
                let c = self.at(a)?;
                if c == *close && open != close {
                    break;
                }
                if matches!(c, '\n' | '。' | '.') && c != *open {
                    break;
                }
                if c == *open {
                    found = Some(a);
                    break;
                }
            }
            let Some(a) = found else { continue };
            // For `"`, count quotes before: an odd count means we are inside.
            if open == close {
                let before = self.quotes.get(a).copied().unwrap_or(0);
                if before % 2 == 1 {
                    continue;
                }
            }
            let mut b = i;
            while b < self.chars.len() && b - i < 40 {
                let c = self.at(b)?;
                if c == *close {
                    return Some((a, b));
                }
                if c == '\n' {
                    break;
                }
                b += 1;
            }
        }
        None
    }

    /// Between a label and its value: spaces, `:`, `=`, `-`, a copula-like `是`/`为`.
    fn label_gap(&self, a: usize, b: usize) -> bool {
        if b < a || b - a > 4 {
            return false;
        }
        let g = self.gap(a, b);
        g.chars().count() <= 4 && g.chars().all(|c| " :：=-是为為は".contains(c))
    }

    /// The product noun that makes this value part of a name, if any.
    fn product_around<'m>(
        &self,
        v: &Val,
        markers: &'m [Marker],
        role_cues: &[&Marker],
    ) -> Option<&'m Marker> {
        let punct = |g: &str| {
            g.chars()
                .any(|c| !(c.is_alphanumeric() || c == ' ' || c == '-'))
        };
        // The words between a size and the product noun must be part of the name
        // (`1GB data bundle`, `Internet Package 12GB`, `Weekly 5GB Pack`), not a verb
        // (`bundle has 812MB`).
        let name_words = |g: &str| {
            g.split_whitespace().count() <= 2
                && g.split_whitespace().all(|w| {
                    let f: String = w.chars().map(super::number::fold).collect();
                    w.chars()
                        .next()
                        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
                        || matches!(
                            f.as_str(),
                            "data"
                                | "internet"
                                | "daily"
                                | "weekly"
                                | "monthly"
                                | "night"
                                | "day"
                                | "week"
                                | "month"
                                | "mobile"
                                | "de"
                                | "datos"
                                | "dados"
                                | "daten"
                                | "super"
                                | "social"
                                | "youtube"
                                | "gb"
                                | "mb"
                        )
                        || !w.is_ascii()
                })
        };
        let words = |g: &str| if name_words(g) { 0 } else { 3 };
        // After: `5GB bundle`, `1GB data bundle`, `10 GB Tarif`.
        let after = markers.iter().find(|m| {
            m.entry.kind == Kind::Product && m.start >= v.end && m.start - v.end <= 24 && {
                let g = self.gap(v.end, m.start);
                !punct(&g) && words(&g) <= 2 && m.start - v.end <= 24
            }
        });
        let cue_between = |a: usize, b: usize| role_cues.iter().any(|r| r.start >= a && r.end <= b);
        if let Some(m) = after {
            if !cue_between(v.end, m.start) {
                return Some(m);
            }
        }
        // Before: `Internet Package 12GB`, `Paket Internet 2GB` (not `Paquetes: 8 GB`).
        let before = markers.iter().rev().find(|m| {
            m.entry.kind == Kind::Product && m.end <= v.start && v.start - m.end <= 24 && {
                let g = self.gap(m.end, v.start);
                !punct(&g) && words(&g) <= 2 && v.start - m.end <= 24
            }
        });
        if let Some(m) = before {
            let copula = markers
                .iter()
                .any(|c| c.entry.kind == Kind::Copula && c.start >= m.end && c.end <= v.start);
            if !cue_between(m.end, v.start) && !copula {
                return Some(m);
            }
        }
        None
    }

    // -----------------------------------------------------------------------------------------
    // 2. Binding to cue words

    fn bind(&self, toks: &[Tok], markers: &[Marker], lay: &Layout, vals: &mut [Val]) {
        // Window bounds: the values still in play and counts of other things.
        let bounds: Vec<(usize, usize)> = vals
            .iter()
            .filter(|v| v.rejected.is_none())
            .map(|v| (v.start, v.end))
            .chain(toks.iter().filter_map(|t| match t.kind {
                TokKind::Count { .. } | TokKind::Percent { .. } => Some((t.start, t.end)),
                _ => None,
            }))
            .collect();
        for v in vals.iter_mut() {
            if v.rejected.is_some() {
                continue;
            }
            let c = lay.cl(v.start);
            let lo = bounds
                .iter()
                .filter(|(s, e)| *e <= v.start && lay.cl(*s) == c)
                .map(|(_, e)| *e)
                .max()
                .unwrap_or(0);
            let hi = bounds
                .iter()
                .filter(|(s, _)| *s >= v.end && lay.cl(*s) == c)
                .map(|(s, _)| *s)
                .min()
                .unwrap_or(usize::MAX);
            let dist = |m: &Marker| {
                if m.end <= v.start {
                    (v.start - m.end, 0u8)
                } else {
                    (m.start - v.end, 1u8)
                }
            };
            let best = markers
                .iter()
                .filter(|m| lay.cl(m.start) == c && m.start >= lo && m.end <= hi)
                .filter(|m| m.end <= v.start || m.start >= v.end)
                .filter(|m| m.entry.kind.role_tier().is_some())
                .filter(|m| !(m.entry.kind == Kind::Have && self.auxiliary(m)))
                .min_by_key(|m| {
                    (
                        std::cmp::Reverse(m.entry.kind.role_tier().unwrap_or(0)),
                        dist(m),
                    )
                });
            // `your remaining amount from <name, durations…> is 3070 MB`: the value of a
            // copula takes the role of its subject, however long the subject.
            let subject = || {
                let cop = markers.iter().rev().find(|m| {
                    m.entry.kind == Kind::Copula
                        && m.end <= v.start
                        && self.tight(m.end, v.start, 2)
                })?;
                let s = lay.se(v.start);
                let cue = markers.iter().rev().find(|m| {
                    m.end <= cop.start
                        && lay.se(m.start) == s
                        && m.entry.kind.role_tier().is_some()
                        && !(m.entry.kind == Kind::Have && self.auxiliary(m))
                })?;
                let other_copula = markers.iter().any(|c| {
                    c.entry.kind == Kind::Copula && c.start >= cue.end && c.end <= cop.start
                });
                let live_between = bounds.iter().any(|(st, en)| {
                    *st >= cue.end
                        && *en <= cop.start
                        && toks.iter().any(|t| {
                            t.start == *st
                                && matches!(
                                    t.kind,
                                    TokKind::Quantity { .. } | TokKind::Money { .. }
                                )
                        })
                });
                (!other_copula && !live_between).then_some(cue)
            };
            let Some(m) = best.or_else(subject) else {
                continue;
            };
            // `bonus … Whatsapp/Facebook … 10Mo`, `minutes … 5 GB`: the cue is about
            // something else between it and the value.
            let (a, b) = if m.end <= v.start {
                (m.end, v.start)
            } else {
                (v.end, m.start)
            };
            if let Some(x) = markers
                .iter()
                .find(|x| x.entry.kind == Kind::VoiceNoun && x.start >= a && x.end <= b)
            {
                v.rejected = Some((
                    "its cue word is about calls, messages or an app".into(),
                    Some(self.text(x.start, x.end)),
                ));
                continue;
            }
            v.role = Some(Role::of(m, self, ""));
        }
    }

    /// "you have subscribed / been awarded / successfully …": the perfect tense, not "you
    /// have (possess)".
    fn auxiliary(&self, m: &Marker) -> bool {
        let j = skip_spaces(self.chars, m.end, 2);
        let mut k = j;
        while self.folded.get(k).is_some_and(|c| is_word_letter(*c)) {
            k += 1;
        }
        let word: String = self.folded.get(j..k).unwrap_or(&[]).iter().collect();
        word.len() > 3
            && (word.ends_with("ed")
                || word.ends_with("en")
                || word.ends_with("ly")
                || matches!(
                    word.as_str(),
                    "been" | "just" | "not" | "made" | "sent" | "got"
                ))
            && word != "gotten"
    }

    // -----------------------------------------------------------------------------------------
    // 3. Structures

    fn structures(&self, _toks: &[Tok], markers: &[Marker], lay: &Layout, vals: &mut [Val]) {
        let live: Vec<usize> = (0..vals.len())
            .filter(|k| vals.get(*k).is_some_and(|v| v.rejected.is_none()))
            .collect();
        // `2 GB of 10 GB remaining`: the second size is the total; the first takes the role.
        for w in live.windows(2) {
            let (Some(&ai), Some(&bi)) = (w.first(), w.get(1)) else {
                continue;
            };
            let (Some(a), Some(b)) = (vals.get(ai), vals.get(bi)) else {
                continue;
            };
            if a.money || b.money || lay.cl(a.start) != lay.cl(b.start) || b.start - a.end > 24 {
                continue;
            }
            let linked = markers
                .iter()
                .rfind(|m| m.start >= a.end && m.end <= b.start)
                .is_some_and(|m| m.entry.kind == Kind::Of && self.tight(m.end, b.start, 1));
            if !linked {
                continue;
            }
            let pair_role = b.role.clone();
            let a_has = a.role.is_some();
            if let Some(bv) = vals.get_mut(bi) {
                bv.role = Some(Role {
                    kind: OF_TOTAL.kind,
                    label: "",
                    scope: "",
                    cue: "of".into(),
                    how: "X of Y",
                });
            }
            if !a_has {
                if let Some(av) = vals.get_mut(ai) {
                    av.role = pair_role.filter(|r| r.kind != Kind::Total);
                }
            }
        }
        // `DATA: 4.03 GB`, `Datos: 57.35 MB`: a listing names the pool and its size.
        for v in vals.iter_mut() {
            if v.rejected.is_some() || v.role.is_some() || v.money {
                continue;
            }
            let noun = markers.iter().rev().find(|m| m.end <= v.start);
            if let Some(m) = noun.filter(|m| v.start - m.end <= 3) {
                let g = self.gap(m.end, v.start);
                let colon = g.trim().len() == 1 && matches!(g.trim(), ":" | "=" | "：");
                if m.entry.kind == Kind::DataNoun && colon && g.chars().count() <= 3 {
                    v.role = Some(Role {
                        kind: Kind::Remaining,
                        label: "",
                        scope: "",
                        cue: self.text(m.start, m.end + g.chars().count()),
                        how: "a listing 'DATA: size'",
                    });
                }
            }
        }
        // `A + B`: B takes A's role.
        for k in 1..vals.len() {
            let (head, tail) = vals.split_at_mut(k);
            let (Some(a), Some(b)) = (head.last(), tail.first_mut()) else {
                continue;
            };
            if b.role.is_some()
                || b.rejected.is_some()
                || a.rejected.is_some()
                || a.money != b.money
            {
                continue;
            }
            let g = if b.start >= a.end && b.start - a.end <= 3 {
                self.gap(a.end, b.start)
            } else {
                String::new()
            };
            if g.trim() == "+" {
                if let Some(r) = &a.role {
                    let mut r = r.clone();
                    r.how = "A + B";
                    if r.scope.is_empty() {
                        r.scope = "add-on";
                    }
                    b.role = Some(r);
                }
            }
        }
        // Lists that share one role: `…is 3070 MB; from … is 4915 MB` and a heading line
        // (`Imate:` then one item per line).
        let copula_before = |start: usize| {
            markers.iter().any(|m| {
                (m.entry.kind == Kind::Copula && m.end <= start && self.tight(m.end, start, 2))
                    || (m.end <= start
                        && start - m.end <= 3
                        && self.gap(m.end, start).trim() == ":")
            })
        };
        let heading = markers
            .iter()
            .filter(|m| m.entry.kind.role_tier().is_some())
            .filter(|m| {
                let j = skip_spaces(self.chars, m.end, 2);
                matches!(self.at(j), Some(':' | '：'))
                    && self.at(skip_spaces(self.chars, j + 1, 2)) == Some('\n')
            })
            .copied()
            .collect::<Vec<Marker>>();
        let mut items = 0usize;
        for k in 0..vals.len() {
            let (head, tail) = vals.split_at_mut(k);
            let Some(v) = tail.first_mut() else { continue };
            if v.role.is_some() || v.rejected.is_some() {
                continue;
            }
            // `;` list: an earlier item of the same chain, also after a copula.
            let s = lay.se(v.start);
            let chained = |sent: usize| lay.opened_by.get(sent).copied() == Some(';');
            if chained(s) && copula_before(v.start) {
                let mut first = s;
                while first > 0 && chained(first) {
                    first -= 1;
                }
                let item = head.iter().find(|p| {
                    let ps = lay.se(p.start);
                    ps >= first
                        && ps < s
                        && p.money == v.money
                        && p.rejected.is_none()
                        && p.role.as_ref().is_some_and(|r| r.how.is_empty())
                        && copula_before(p.start)
                });
                if let Some(r) = item.and_then(|p| p.role.clone()) {
                    const ITEMS: [&str; 8] = [
                        "item 2", "item 3", "item 4", "item 5", "item 6", "item 7", "item 8",
                        "item 9",
                    ];
                    let k = items.min(ITEMS.len() - 1);
                    items += 1;
                    v.role = Some(Role {
                        how: "an item of a list whose first item says it",
                        scope: if r.scope.is_empty() {
                            ITEMS.get(k).copied().unwrap_or("item")
                        } else {
                            r.scope
                        },
                        ..r
                    });
                    continue;
                }
            }
            // Heading line: the lines right after it, none with a cue of its own.
            let line = lay.li(v.start);
            if let Some(h) = heading.iter().rev().find(|h| {
                let hl = lay.li(h.start);
                hl < line
                    && line - hl <= 8
                    && !self.blank_line_between(h.end, v.start)
                    && !markers.iter().any(|m| {
                        m.entry.kind.role_tier().is_some()
                            && m.start > h.end
                            && lay.li(m.start) <= line
                    })
            }) {
                v.role = Some(Role::of(h, self, "an item under a heading"));
            }
        }
    }

    fn blank_line_between(&self, a: usize, b: usize) -> bool {
        if b > a + 2000 {
            return true;
        }
        let g = self.gap(a, b);
        g.contains("\n\n") || g.contains("\n \n")
    }

    /// `used 75% of your 4 GB`, `25% of 4GB left`: the allowance is stated, the rest derived.
    fn percent_structures(
        &mut self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        vals: &mut [Val],
        out: &mut Reading,
        conflicts: &mut Vec<(String, Field)>,
    ) {
        for t in toks {
            let TokKind::Percent { value } = &t.kind else {
                continue;
            };
            let c = lay.cl(t.start);
            // `of` then the size.
            let Some(of) = markers.iter().find(|m| {
                m.entry.kind == Kind::Of && m.start >= t.end && self.tight(t.end, m.start, 1)
            }) else {
                continue;
            };
            let Some(vk) = vals.iter().position(|v| {
                !v.money && v.start >= of.end && v.start - of.end <= 16 && lay.cl(v.start) == c
            }) else {
                continue;
            };
            let Some(TokKind::Quantity { bytes, text }) =
                vals.get(vk).and_then(|v| toks.get(v.tok)).map(|t| &t.kind)
            else {
                continue;
            };
            let between = self.gap(of.end, vals.get(vk).map_or(of.end, |v| v.start));
            if between.chars().any(|ch| ch.is_ascii_digit()) {
                continue;
            }
            // The cue of the percentage: before it, or after the size.
            let cue = markers
                .iter()
                .filter(|m| {
                    matches!(m.entry.kind, Kind::Used | Kind::Remaining) && lay.cl(m.start) == c
                })
                .min_by_key(|m| m.start.abs_diff(t.start));
            let Some(cue) = cue else { continue };
            let Some(pct) = value.round_mul(1_000_000).map(|p| p as f64 / 1e8) else {
                continue;
            };
            if !(0.0..=1.0).contains(&pct) {
                continue;
            }
            let total = *bytes;
            let part = (total as f64 * pct).round() as u64;
            let (used, rem) = if cue.entry.kind == Kind::Used {
                (part, total.saturating_sub(part))
            } else {
                (total.saturating_sub(part), part)
            };
            let pct_text = self.text(t.start, t.end);
            self.put(out, "data", Field::Total, total, text, false, conflicts);
            self.put(out, "data", Field::Used, used, &pct_text, false, conflicts);
            self.put(
                out,
                "data",
                Field::Remaining,
                rem,
                &pct_text,
                false,
                conflicts,
            );
            if let Some(b) = out.buckets.iter_mut().find(|b| b.label == "data") {
                b.derived = true;
            }
            if let Some(v) = vals.get_mut(vk) {
                v.role = Some(Role {
                    kind: Kind::Total,
                    label: "",
                    scope: "",
                    cue: format!("{} {pct_text} of", self.text(cue.start, cue.end)),
                    how: "N% of Y (remaining and used derived)",
                });
                v.rejected = None;
            }
            self.note(
                format!(
                    "remaining {} derived from '{pct_text}' of {text}",
                    format_bytes(rem, self.base)
                ),
                0.05,
            );
        }
    }

    /// "Your data is depleted / verbraucht / 用完": the data pool has 0 left.
    fn depleted(
        &mut self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        vals: &[Val],
        out: &mut Reading,
        conflicts: &mut Vec<(String, Field)>,
    ) {
        for m in markers.iter().filter(|m| m.entry.kind == Kind::Depleted) {
            let s = lay.se(m.start);
            let in_s = |x: usize| lay.se(x) == s;
            // "before it runs out", "if exhausted": not a statement.
            let lead = self.gap(m.start.saturating_sub(24), m.start).to_lowercase();
            if [
                "before", "if ", "when", "once", "avoid", "antes", "bevor", "wenn", "falls",
                "если", "jika", "sebelum", "如果", "前",
            ]
            .iter()
            .any(|w| lead.contains(w))
            {
                continue;
            }
            let data = markers
                .iter()
                .filter(|d| d.entry.kind == Kind::DataNoun && in_s(d.start))
                .map(|d| d.start.abs_diff(m.start))
                .min();
            let voice = markers
                .iter()
                .filter(|d| d.entry.kind == Kind::VoiceNoun && in_s(d.start))
                .map(|d| d.start.abs_diff(m.start))
                .chain(toks.iter().filter_map(|t| match t.kind {
                    TokKind::Count { voice: true } if in_s(t.start) => {
                        Some(t.start.abs_diff(m.start))
                    }
                    _ => None,
                }))
                .min();
            let partial = toks.iter().any(|t| match &t.kind {
                TokKind::Percent { value } => {
                    in_s(t.start) && value.round_mul(1).is_none_or(|v| v != 100)
                }
                _ => false,
            });
            let stated = vals.iter().any(|v| {
                !v.money
                    && v.rejected.is_none()
                    && in_s(v.start)
                    && v.role.as_ref().is_some_and(|r| {
                        matches!(
                            r.kind,
                            Kind::Remaining | Kind::Balance | Kind::Have | Kind::Bonus
                        )
                    })
            });
            match (data, voice) {
                (Some(d), v) if v.is_none_or(|v| d < v) && !partial && !stated => {
                    let cue = self.text(m.start, m.end);
                    self.put(out, "data", Field::Remaining, 0, &cue, false, conflicts);
                    self.note(format!("'{cue}': the data is used up, remaining 0"), 0.0);
                }
                _ => {}
            }
        }
    }

    /// `可用0`, `remaining 0` in a sentence about data: zero needs no unit.
    fn zero_after_cue(
        &mut self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        out: &mut Reading,
        conflicts: &mut Vec<(String, Field)>,
    ) {
        for t in toks {
            let TokKind::Unitless {
                value: Some(value), ..
            } = &t.kind
            else {
                continue;
            };
            if !value.is_zero() {
                continue;
            }
            let cue = markers.iter().rev().find(|m| {
                matches!(m.entry.kind, Kind::Remaining | Kind::Used)
                    && m.end <= t.start
                    && self.label_gap(m.end, t.start)
            });
            let Some(cue) = cue else { continue };
            let s = lay.se(t.start);
            let about_data = markers
                .iter()
                .any(|d| d.entry.kind == Kind::DataNoun && lay.se(d.start) == s)
                || toks
                    .iter()
                    .any(|q| matches!(q.kind, TokKind::Quantity { .. }) && lay.se(q.start) == s);
            let money_here = toks
                .iter()
                .any(|q| matches!(q.kind, TokKind::Money { .. }) && lay.se(q.start) == s);
            if !about_data || money_here {
                continue;
            }
            let field = if cue.entry.kind == Kind::Used {
                Field::Used
            } else {
                Field::Remaining
            };
            let what = self.text(cue.start, t.end);
            self.put(out, "data", field, 0, &what, false, conflicts);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Dates

    fn dates(
        &mut self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        vals: &[Val],
        money_at: &[(usize, usize)],
        out: &mut Reading,
    ) {
        let mut first_expiry: Option<Date> = None;
        for t in toks {
            let (date, needs_marker) = match t.kind {
                TokKind::Date(DateTok::Day(d)) => (d, false),
                TokKind::Date(DateTok::NumericYearless(d)) => (d, true),
                _ => continue,
            };
            let c = lay.cl(t.start);
            let marker = markers
                .iter()
                .filter(|m| m.entry.kind.is_date_kind() && lay.cl(m.start) == c)
                .min_by_key(|m| {
                    if m.end <= t.start {
                        t.start - m.end
                    } else {
                        m.start.saturating_sub(t.end)
                    }
                });
            let kind = match marker.map(|m| m.entry.kind) {
                Some(k @ (Kind::Expiry | Kind::Reset)) => k,
                Some(_) => continue,
                None if needs_marker => continue,
                None => {
                    self.note(format!("date with unclear meaning: {date}"), 0.0);
                    continue;
                }
            };
            if kind == Kind::Reset {
                out.reset.get_or_insert(date);
                continue;
            }
            first_expiry.get_or_insert(date);
            // Whose validity: the values of its clause, else of its sentence.
            let s = lay.se(t.start);
            let owners: Vec<&Val> = {
                let owner = |v: &&Val| v.rejected.is_none() && (v.role.is_some() || v.money);
                let clause: Vec<&Val> = vals
                    .iter()
                    .filter(owner)
                    .filter(|v| lay.cl(v.start) == c)
                    .collect();
                if clause.is_empty() {
                    vals.iter()
                        .filter(owner)
                        .filter(|v| lay.se(v.start) == s)
                        .collect()
                } else {
                    clause
                }
            };
            let mut data_owner = false;
            for v in &owners {
                if v.money {
                    let idx = money_at
                        .iter()
                        .find(|(st, _)| *st == v.start)
                        .map(|(_, k)| *k);
                    if let Some(m) = idx.and_then(|k| out.money.get_mut(k)) {
                        if m.label != "price" && m.label != "renewal" {
                            m.expires.get_or_insert(date);
                        }
                    }
                    continue;
                }
                let label = if !v.scope.is_empty() {
                    v.scope
                } else if v.role.as_ref().is_some_and(|r| r.kind == Kind::Bonus) {
                    "bonus"
                } else {
                    "data"
                };
                if let Some(b) = out.buckets.iter_mut().find(|b| b.label == label) {
                    b.expires.get_or_insert(date);
                    data_owner = true;
                }
            }
            // A validity in a sentence about data, with no figure of its own.
            if !data_owner && owners.is_empty() {
                let about_data = markers
                    .iter()
                    .any(|d| d.entry.kind == Kind::DataNoun && lay.se(d.start) == s);
                let about_other = markers
                    .iter()
                    .any(|d| d.entry.kind == Kind::VoiceNoun && lay.se(d.start) == s)
                    || toks.iter().any(|q| {
                        matches!(
                            q.kind,
                            TokKind::Count { voice: true } | TokKind::Money { .. }
                        ) && lay.se(q.start) == s
                    });
                if about_data && !about_other {
                    let scope = markers
                        .iter()
                        .filter(|m| lay.se(m.start) == s && !m.entry.scope.is_empty())
                        .map(|m| m.entry.scope)
                        .next()
                        .unwrap_or("data");
                    if let Some(b) = self.bucket_mut(out, scope, false) {
                        b.expires.get_or_insert(date);
                    }
                }
            }
        }
        let reset = out.reset.take();
        let data_expiry = out.data_expiry();
        out.reset = reset;
        out.expiry = data_expiry.or(first_expiry);
    }

    // -----------------------------------------------------------------------------------------
    // Unlimited and throttling

    fn unlimited_and_throttle(
        &mut self,
        toks: &[Tok],
        markers: &[Marker],
        lay: &Layout,
        out: &mut Reading,
    ) {
        for m in markers.iter().filter(|m| m.entry.kind == Kind::Unlimited) {
            let c = lay.cl(m.start);
            let near = |k: Kind| {
                markers
                    .iter()
                    .filter(|d| d.entry.kind == k && lay.cl(d.start) == c)
                    .map(|d| d.start.abs_diff(m.start))
                    .min()
            };
            let data = near(Kind::DataNoun);
            let voice = near(Kind::VoiceNoun)
                .into_iter()
                .chain(toks.iter().filter_map(|t| match t.kind {
                    TokKind::Count { voice: true } if lay.cl(t.start) == c => {
                        Some(t.start.abs_diff(m.start))
                    }
                    _ => None,
                }))
                .min();
            let word = self.text(m.start, m.end);
            // With calls or another service in the clause, only "unlimited data" itself.
            let data_follows = markers.iter().any(|d| {
                d.entry.kind == Kind::DataNoun && d.start >= m.end && self.tight(m.end, d.start, 1)
            });
            match (data, voice) {
                (Some(_), v) if v.is_none() || data_follows => {
                    let scope = markers
                        .iter()
                        .filter(|s| lay.se(s.start) == lay.se(m.start) && !s.entry.scope.is_empty())
                        .min_by_key(|s| s.start.abs_diff(m.start))
                        .map_or("data", |s| s.entry.scope);
                    // Unlimited at night or in roaming is not unlimited data.
                    if matches!(scope, "data" | "domestic") {
                        out.unlimited = true;
                    } else {
                        self.note(format!("'{word}' only for the {scope} pool"), 0.0);
                    }
                    if let Some(b) = self.bucket_mut(out, scope, false) {
                        b.unlimited = true;
                    }
                }
                (_, Some(_)) => self.note(
                    format!("'{word}' is said of calls, messages or an app, not of data"),
                    0.0,
                ),
                _ => self.note(format!("'{word}' with no word saying it is the data"), 0.05),
            }
        }
        let not_throttled = markers.iter().any(|m| m.entry.kind == Kind::NotThrottled);
        if let Some(m) = markers.iter().find(|m| m.entry.kind == Kind::Throttled) {
            if !not_throttled {
                let speeds: Vec<(usize, u64)> = toks
                    .iter()
                    .filter_map(|t| match t.kind {
                        TokKind::Speed { kbps } => Some((t.start, kbps)),
                        _ => None,
                    })
                    .collect();
                let c = lay.cl(m.start);
                let speed = speeds
                    .iter()
                    .find(|(s, _)| lay.cl(*s) == c)
                    .or(if speeds.len() == 1 {
                        speeds.first()
                    } else {
                        None
                    })
                    .map(|(_, k)| *k);
                out.throttled = Some(Throttle { speed_kbps: speed });
            }
        }
    }

    // -----------------------------------------------------------------------------------------
    // Pools, money, summary

    pub(super) fn bucket_mut<'r>(
        &self,
        out: &'r mut Reading,
        label: &str,
        breakdown: bool,
    ) -> Option<&'r mut DataBucket> {
        if !out.buckets.iter().any(|b| b.label == label) {
            let mut b = DataBucket::new(label);
            b.breakdown = breakdown;
            out.buckets.push(b);
        }
        out.buckets.iter_mut().find(|b| b.label == label)
    }

    /// Sets one field of one pool; a different second value is a conflict (resolved later
    /// by leaving the field empty).
    #[allow(clippy::too_many_arguments)]
    fn put(
        &mut self,
        out: &mut Reading,
        label: &str,
        field: Field,
        bytes: u64,
        text: &str,
        breakdown: bool,
        conflicts: &mut Vec<(String, Field)>,
    ) {
        let base = self.base;
        let Some(b) = self.bucket_mut(out, label, breakdown) else {
            return;
        };
        if !breakdown {
            b.breakdown = false;
        }
        let slot = match field {
            Field::Remaining => &mut b.remaining_bytes,
            Field::Used => &mut b.used_bytes,
            Field::Total => &mut b.total_bytes,
        };
        match *slot {
            None => *slot = Some(bytes),
            Some(old) if old.abs_diff(bytes) <= old.max(bytes) / 200 => {}
            Some(old) => {
                let what = field.name();
                let old_s = format_bytes(old, base);
                self.note(
                    format!("two conflicting {what} quantities for '{label}': {old_s} and {text}; neither is reported"),
                    0.3,
                );
                conflicts.push((label.to_string(), field));
            }
        }
    }

    /// Carrier hints set fields directly (no conflicts: the first capture decides).
    pub(super) fn put_bucket(
        &mut self,
        out: &mut Reading,
        label: &str,
        field: u8,
        bytes: u64,
        text: &str,
        breakdown: bool,
    ) {
        let f = match field {
            0 => Field::Remaining,
            1 => Field::Used,
            _ => Field::Total,
        };
        let mut c = Vec::new();
        self.put(out, label, f, bytes, text, breakdown, &mut c);
    }

    fn resolve_conflicts(&mut self, out: &mut Reading, conflicts: &[(String, Field)]) {
        for (label, field) in conflicts {
            if let Some(b) = out.buckets.iter_mut().find(|b| &b.label == label) {
                match field {
                    Field::Remaining => b.remaining_bytes = None,
                    Field::Used => b.used_bytes = None,
                    Field::Total => b.total_bytes = None,
                }
                b.derived = false;
            }
        }
    }

    /// Remaining above the allowance, used above it, or the three not adding up: the reply
    /// was misread somewhere, so none of the pool's figures is reported.
    fn consistency(&mut self, out: &mut Reading) {
        let mut bad = Vec::new();
        for b in &mut out.buckets {
            let (r, u, t) = (b.remaining_bytes, b.used_bytes, b.total_bytes);
            let over = |x: Option<u64>| match (x, t) {
                (Some(x), Some(t)) => x as f64 > t as f64 * 1.005 + 1.0,
                _ => false,
            };
            let sum_off = match (r, u, t) {
                (Some(r), Some(u), Some(t)) => {
                    ((r + u) as f64 - t as f64).abs() > t as f64 * 0.02 + 1024.0
                }
                _ => false,
            };
            if over(r) || over(u) || sum_off {
                bad.push(b.label.clone());
                b.remaining_bytes = None;
                b.used_bytes = None;
                b.total_bytes = None;
                b.derived = false;
            }
        }
        for l in bad {
            self.note(
                format!("the figures of '{l}' do not add up (remaining + used vs total); none is reported"),
                0.3,
            );
        }
    }

    pub(super) fn money(
        &mut self,
        amount: Decimal,
        negative: bool,
        code: &'static str,
        label: &str,
    ) -> Option<Money> {
        let exp = exponent(code);
        let minor = if amount.scale <= exp {
            amount
                .mantissa
                .checked_mul(10u128.checked_pow(exp - amount.scale)?)?
        } else {
            let den = 10u128.checked_pow(amount.scale - exp)?;
            if !amount.mantissa.is_multiple_of(den) {
                self.note(
                    format!(
                        "{} {code} has more decimals than the currency; rounded",
                        amount.plain()
                    ),
                    0.0,
                );
            }
            amount.mantissa.checked_add(den / 2)? / den
        };
        let minor = i64::try_from(minor).ok()?;
        let sign = if negative && !amount.is_zero() {
            "-"
        } else {
            ""
        };
        Some(Money {
            label: label.to_string(),
            amount: format!("{sign}{}", amount.plain()),
            minor_units: if negative { -minor } else { minor },
            currency: code.to_string(),
            expires: None,
        })
    }

    /// Unlabelled repeats merge into the amount they repeat; two different main balances
    /// are ambiguous and neither stays the balance.
    fn finish_money(&mut self, out: &mut Reading) {
        let mut kept: Vec<Money> = Vec::with_capacity(out.money.len());
        for m in out.money.drain(..) {
            if let Some(k) = kept
                .iter_mut()
                .find(|k| k.currency == m.currency && k.minor_units == m.minor_units)
            {
                if m.label == "unlabelled" || m.label == k.label {
                    if k.expires.is_none() {
                        k.expires = m.expires;
                    }
                    continue;
                }
            }
            kept.push(m);
        }
        let balances: Vec<(i64, String)> = kept
            .iter()
            .filter(|m| m.label == "balance")
            .map(|m| (m.minor_units, m.currency.clone()))
            .collect();
        if balances.len() > 1 {
            let list: Vec<String> = kept
                .iter()
                .filter(|m| m.label == "balance")
                .map(|m| format!("{} {}", m.amount, m.currency))
                .collect();
            self.note(
                format!(
                    "several amounts are called the balance ({}); which is the main one is not said",
                    list.join(", ")
                ),
                0.2,
            );
            for m in kept.iter_mut().filter(|m| m.label == "balance") {
                m.label = "ambiguous".to_string();
            }
        }
        out.money = kept;
    }

    /// Summary: the sum over the pools the user can spend (not breakdowns, not roaming —
    /// roaming alone is summed when there is nothing else). Used and total only when every
    /// summed pool states them.
    pub(super) fn summarise(&self, out: &mut Reading) {
        let home: Vec<&DataBucket> = out
            .buckets
            .iter()
            .filter(|b| !b.breakdown && b.label != "roaming")
            .collect();
        let stated = |b: &&DataBucket| {
            b.remaining_bytes.is_some() || b.used_bytes.is_some() || b.total_bytes.is_some()
        };
        let pool: Vec<&DataBucket> = if home.iter().any(stated) {
            home
        } else {
            out.buckets.iter().filter(|b| !b.breakdown).collect()
        };
        let pool: Vec<&DataBucket> = pool.into_iter().filter(stated).collect();
        let with = |f: fn(&DataBucket) -> Option<u64>| -> Vec<usize> {
            (0..pool.len())
                .filter(|k| pool.get(*k).is_some_and(|b| f(b).is_some()))
                .collect()
        };
        let total_of = |ks: &[usize], f: fn(&DataBucket) -> Option<u64>| -> Option<u64> {
            ks.iter()
                .filter_map(|k| pool.get(*k).and_then(|b| f(b)))
                .try_fold(0u64, |a, v| a.checked_add(v))
        };
        // Used and total belong with the pools whose remaining is stated: summed over them
        // when every one states it; over all pools when none states a remaining.
        let r = with(|b| b.remaining_bytes);
        let over = |ks: Vec<usize>| -> Option<Vec<usize>> {
            if r.is_empty() {
                (!ks.is_empty()).then_some(ks)
            } else {
                r.iter().all(|k| ks.contains(k)).then(|| r.clone())
            }
        };
        let u = over(with(|b| b.used_bytes));
        let t = over(with(|b| b.total_bytes));
        let sum = |which: u8| -> Option<u64> {
            match which {
                0 if !r.is_empty() => total_of(&r, |b| b.remaining_bytes),
                1 => total_of(u.as_deref()?, |b| b.used_bytes),
                2 => total_of(t.as_deref()?, |b| b.total_bytes),
                _ => None,
            }
        };
        out.remaining_bytes = sum(0);
        out.used_bytes = sum(1);
        out.total_bytes = sum(2);
    }

    // -----------------------------------------------------------------------------------------
    // Candidates and the verdict

    fn candidates(&mut self, toks: &[Tok], markers: &[Marker], vals: &[Val], out: &mut Reading) {
        let mut notes = Vec::new();
        for t in toks {
            if let TokKind::Unitless { text, .. } = &t.kind {
                let cue = markers.iter().rev().find(|m| {
                    m.end <= t.start
                        && m.entry.kind.role_tier().is_some()
                        && self.label_gap(m.end, t.start)
                });
                if let Some(m) = cue {
                    let word = self.text(m.start, m.end);
                    notes.push(format!("number without a unit after '{word}': {text}"));
                }
            }
            let text = self.text(t.start, t.end);
            let (kind, role, cue, why): (&str, Option<String>, Option<String>, String) = match &t
                .kind
            {
                TokKind::Quantity { .. } | TokKind::Money { .. } => {
                    let Some(v) = vals.iter().find(|v| v.start == t.start) else {
                        continue;
                    };
                    let kind = if v.money { "money" } else { "size" };
                    match (&v.rejected, &v.role) {
                        (Some((why, cue)), _) => (kind, None, cue.clone(), why.clone()),
                        (None, Some(r)) => {
                            let name = role_name(r.kind, v.money);
                            let why = if r.how.is_empty() {
                                "the cue word next to it".to_string()
                            } else {
                                r.how.to_string()
                            };
                            (kind, Some(name.to_string()), Some(r.cue.clone()), why)
                        }
                        (None, None) => (
                            kind,
                            None,
                            None,
                            "no word gives it a role (remaining, used, total, balance)".to_string(),
                        ),
                    }
                }
                TokKind::Percent { .. } => (
                    "percent",
                    None,
                    None,
                    "a percentage is a figure only as 'N% of SIZE'".into(),
                ),
                TokKind::Speed { .. } => ("speed", None, None, "a speed, not a size".into()),
                TokKind::Count { voice } => (
                    "number",
                    None,
                    None,
                    if *voice {
                        "minutes, seconds or messages, not data".into()
                    } else {
                        "a count of days or hours".into()
                    },
                ),
                TokKind::Unitless { .. } => (
                    "number",
                    None,
                    None,
                    "a number without a unit or currency".into(),
                ),
                TokKind::Date(DateTok::Day(d)) | TokKind::Date(DateTok::NumericYearless(d)) => {
                    let role = if out.expiry == Some(*d) {
                        Some("expiry".to_string())
                    } else if out.reset == Some(*d) {
                        Some("reset".to_string())
                    } else {
                        None
                    };
                    let why = if role.is_some() {
                        "a validity or reset word in its clause".to_string()
                    } else {
                        "a date not given as the data's expiry or reset".to_string()
                    };
                    ("date", role, None, why)
                }
                TokKind::Date(DateTok::Ignore) => ("date", None, None, "a time".into()),
                TokKind::Code { why } => ("code", None, None, (*why).to_string()),
                TokKind::Ignore => continue,
            };
            if kind == "size" && role.is_none() {
                notes.push(format!("quantity with unclear role: {text} ({why})"));
            }
            out.candidates.push(Candidate {
                text,
                kind: kind.to_string(),
                start: t.start,
                role,
                cue,
                why,
            });
        }
        for n in notes {
            self.note(n, 0.0);
        }
    }

    /// Understood only with a figure; otherwise a specific note says why not.
    fn decide(&mut self, toks: &[Tok], markers: &[Marker], vals: &[Val], out: &mut Reading) {
        let has_data = out.buckets.iter().any(|b| {
            b.remaining_bytes.is_some()
                || b.used_bytes.is_some()
                || b.total_bytes.is_some()
                || b.unlimited
                || b.expires.is_some()
        });
        let has_money = out.money.iter().any(|m| m.label != "unlabelled");
        out.understood = has_data
            || has_money
            || out.throttled.is_some()
            || out.reset.is_some()
            || out.expiry.is_some();
        if out.understood {
            return;
        }
        let unavailable = markers.iter().find(|m| m.entry.kind == Kind::Unavailable);
        let menu_lines = self
            .chars
            .split(|c| *c == '\n')
            .filter(|l| {
                let s: String = l.iter().collect();
                let s = s.trim_start();
                let mut it = s.chars();
                it.next().is_some_and(|c| c.is_ascii_digit())
                    && matches!(it.next(), Some('.' | ')' | '-' | ':' | ' '))
            })
            .count();
        let offers = vals
            .iter()
            .filter(|v| {
                v.rejected.as_ref().is_some_and(|(w, _)| {
                    w.contains("offer") || w.contains("price") || w.contains("product")
                })
            })
            .count();
        let numbers = toks
            .iter()
            .filter(|t| !matches!(t.kind, TokKind::Ignore))
            .count();
        let why = if let Some(m) = unavailable {
            format!(
                "not understood: the carrier says the service cannot answer now ('{}')",
                self.text(m.start, m.end)
            )
        } else if menu_lines >= 2 {
            format!("not understood: a menu of {menu_lines} options, no figure of this account")
        } else if offers > 0 && offers * 2 >= vals.len() {
            format!("not understood: an offer or advertisement ({offers} numbers are prices, package sizes or offers)")
        } else if vals.iter().any(|v| {
            v.rejected
                .as_ref()
                .is_some_and(|(w, _)| w.starts_with("currency not known"))
        }) {
            "not understood: an amount's currency sign is ambiguous; give the carrier (--carrier) or its country (--country)".to_string()
        } else if numbers == 0 {
            "not understood: no number in the reply".to_string()
        } else {
            "no remaining data, balance or validity found in the reply: no number has a word giving it a role".to_string()
        };
        self.note(why, 0.0);
    }
}
