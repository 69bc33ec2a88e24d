//! Words that say what a number means, per language, and language detection.
//!
//! Invariant: terms are stored folded (lower case, Latin diacritics removed — see
//! [`super::number::fold`]) and matched longest-first at each position, so a compound
//! (`Startguthaben`, `已使用流量总量`, `利用可能額`) wins over the word inside it. A term made of
//! Latin/Cyrillic letters must start and end at word boundaries; a trailing `*` in the table
//! lets it end inside a word (inflections: `баланс*` matches `балансе`). CJK terms need no
//! boundaries.
//!
//! Sources of the vocabulary: the reply samples and phrasing notes in
//! `shared/corpus/corpus.md` (sections A, B, C), plus the common words of each language.

use super::number::is_word_letter;
use std::collections::HashMap;
use std::sync::OnceLock;

/// What a marker word says about the values near it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// What is left (data) / balance (money).
    Remaining,
    /// What was used / spent.
    Used,
    /// Allowance / total.
    Total,
    /// Money on the account (for data: what is left).
    Balance,
    /// Bonus / promotional credit.
    Bonus,
    /// A spending or credit limit.
    Limit,
    /// A price (of a renewal, a package): not a balance.
    Price,
    /// "you have": weakly means remaining / balance.
    Have,
    /// The date that follows / precedes is an expiry ("valid until", まで).
    Expiry,
    /// The date is when the allowance renews (月结日).
    Reset,
    /// The date is the time stamp of the figures (截至): not an expiry.
    AsOf,
    /// Unlimited data.
    Unlimited,
    /// Speed is currently limited.
    Throttled,
    /// Explicitly not limited (規制なし).
    NotThrottled,
    /// "of which": what follows is a part of a figure already given.
    Breakdown,
    /// "of" between two sizes (`2 GB of 10 GB`): the second is the total.
    Of,
    /// Only names a data pool (domestic, roaming, night…): see the entry's scope.
    Scope,
    /// Only evidence of the language.
    Lang,
    /// An offer or an instruction ("buy", "dial … to", "购买", "ご購入"): the values after it in
    /// its sentence are offers, never a balance or what is left.
    Offer,
    /// A price preposition ("for", "at", "@", "por", "あたり"): the value right after it is a
    /// price.
    PricePrep,
    /// A movement of money or data ("recharged", "loaded", "deducted", "received"): what it
    /// names is not a balance.
    Transaction,
    /// A comparison ("or less", "below", "insufficient"): the value next to it is a threshold.
    Threshold,
    /// The data is used up ("depleted", "exhausted", "verbraucht", "用完"): remaining 0.
    Depleted,
    /// The carrier says the service cannot answer now (maintenance, try later).
    Unavailable,
    /// Names mobile data ("data", "internet", "流量", "datos"): the sentence is about data.
    DataNoun,
    /// Names calls, messages or an app ("minutes", "SMS", "on-net", "Viber"): the sentence is
    /// not about data.
    VoiceNoun,
    /// Names a product ("pack", "bundle", "plan", "套餐"): a size written into it is its name.
    Product,
    /// Links a subject to its value ("is", "es", "ni"): "remaining amount from X is Y".
    Copula,
}

impl Kind {
    /// Markers that give a value its role; higher tiers win over nearer lower ones.
    pub fn role_tier(self) -> Option<u8> {
        match self {
            Kind::Remaining
            | Kind::Used
            | Kind::Total
            | Kind::Bonus
            | Kind::Limit
            | Kind::Price
            | Kind::Transaction => Some(2),
            Kind::Balance => Some(1),
            Kind::Have => Some(0),
            _ => None,
        }
    }

    /// Markers that give a date its meaning.
    pub fn is_date_kind(self) -> bool {
        matches!(self, Kind::Expiry | Kind::Reset | Kind::AsOf)
    }
}

/// One lexicon entry.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Entry {
    /// Folded spelling (without the `*`).
    pub term: &'static str,
    /// Languages the word is evidence for.
    pub langs: &'static str,
    pub kind: Kind,
    /// Label for money / specific balances ("start", "gift", "promo", "renewal"); "" for none.
    pub label: &'static str,
    /// The data pool the word names ("domestic", "roaming", …); "" for none.
    pub scope: &'static str,
    /// May end inside a word.
    pub prefix: bool,
}

use Kind::*;

/// (term, languages, kind, label, scope). Terms are written folded; `*` = may end mid-word.
#[rustfmt::skip]
const TABLE: &[(&str, &str, Kind, &str, &str)] = &[
    // ---- Japanese
    ("残り", "ja", Remaining, "", ""),
    ("残量", "ja", Remaining, "", ""),
    ("データ残量", "ja", Remaining, "", ""),
    ("高速データ残量", "ja", Remaining, "", ""),
    ("国内データ残量", "ja", Remaining, "", "domestic"),
    ("残容量", "ja", Remaining, "", ""),
    ("残りデータ量", "ja", Remaining, "", ""),
    ("残りデータ通信量", "ja", Remaining, "", ""),
    ("クーポン残量", "ja", Remaining, "", ""),
    ("利用可能", "ja", Remaining, "", ""),
    ("ご利用可能", "ja", Remaining, "", ""),
    ("使用可能", "ja", Remaining, "", ""),
    ("残って", "ja", Remaining, "", ""),
    ("使用量", "ja", Used, "", ""),
    ("ご利用データ量", "ja", Used, "", ""),
    ("利用データ量", "ja", Used, "", ""),
    ("データ利用量", "ja", Used, "", ""),
    ("利用量", "ja", Used, "", ""),
    ("データ通信量", "ja", Used, "", ""),
    ("合計データ通信量", "ja", Used, "", ""),
    ("使用済み", "ja", Used, "", ""),
    ("使用済", "ja", Used, "", ""),
    ("総容量", "ja", Total, "", ""),
    ("合計", "ja zh-Hant", Total, "", ""),
    ("月間データ容量", "ja", Total, "", ""),
    ("基本データ容量", "ja", Total, "", ""),
    ("データ容量", "ja", Total, "", ""),
    ("容量", "ja", Total, "", ""),
    ("残高", "ja", Balance, "", ""),
    ("料金残高", "ja", Balance, "", ""),
    ("通話料金残高", "ja", Balance, "", ""),
    ("利用可能額", "ja", Balance, "", ""),
    ("ボーナス", "ja", Bonus, "bonus", "bonus"),
    ("ギフト", "ja", Scope, "", "gift"),
    ("まで", "ja", Expiry, "", ""),
    ("有効期限", "ja zh-Hant", Expiry, "", ""),
    ("利用期限", "ja", Expiry, "", ""),
    ("期限", "ja", Expiry, "", ""),
    ("有効期間", "ja", Expiry, "", ""),
    ("リセット", "ja", Reset, "", ""),
    ("時点", "ja", AsOf, "", ""),
    ("現在", "ja", AsOf, "", ""),
    ("無制限", "ja", Unlimited, "", ""),
    ("使い放題", "ja", Unlimited, "", ""),
    ("速度制限中", "ja", Throttled, "", ""),
    ("通信制限中", "ja", Throttled, "", ""),
    ("制限中", "ja", Throttled, "", ""),
    ("規制中", "ja", Throttled, "", ""),
    ("低速モード", "ja", Throttled, "", ""),
    ("規制なし", "ja", NotThrottled, "", ""),
    ("制限なし", "ja", NotThrottled, "", ""),
    ("国内", "ja zh-Hans", Scope, "", "domestic"),
    ("海外", "ja", Scope, "", "roaming"),
    ("ローミング", "ja", Scope, "", "roaming"),
    ("前月繰り越し", "ja", Scope, "", "carry-over"),
    ("繰り越し", "ja", Scope, "", "carry-over"),
    ("繰越", "ja", Scope, "", "carry-over"),
    ("くりこし", "ja", Scope, "", "carry-over"),
    ("夜間", "ja zh-Hant", Scope, "", "night"),
    ("昼間", "ja", Scope, "", "day"),
    ("日中", "ja", Scope, "", "day"),
    ("うち", "ja", Breakdown, "", ""),
    ("です", "ja", Lang, "", ""),
    // ---- Chinese (simplified / traditional)
    ("剩余", "zh-Hans", Remaining, "", ""),
    ("剩餘", "zh-Hant", Remaining, "", ""),
    ("可用", "zh-Hans zh-Hant", Remaining, "", ""),
    ("可使用", "zh-Hans zh-Hant", Remaining, "", ""),
    ("余量", "zh-Hans", Remaining, "", ""),
    ("餘量", "zh-Hant", Remaining, "", ""),
    ("还剩", "zh-Hans", Remaining, "", ""),
    ("還剩", "zh-Hant", Remaining, "", ""),
    ("剩下", "zh-Hans zh-Hant", Remaining, "", ""),
    ("未使用", "zh-Hans zh-Hant", Remaining, "", ""),
    ("结余", "zh-Hans", Remaining, "", ""),
    ("結餘", "zh-Hant", Remaining, "", ""),
    ("上月结余", "zh-Hans", Remaining, "", "carry-over"),
    ("已用", "zh-Hans zh-Hant", Used, "", ""),
    ("已使用", "zh-Hans zh-Hant", Used, "", ""),
    ("使用了", "zh-Hans zh-Hant", Used, "", ""),
    ("已经使用", "zh-Hans", Used, "", ""),
    ("已經使用", "zh-Hant", Used, "", ""),
    ("已使用流量总量", "zh-Hans", Used, "", ""),
    ("使用流量总量", "zh-Hans", Used, "", ""),
    ("已使用流量總量", "zh-Hant", Used, "", ""),
    ("总量", "zh-Hans", Total, "", ""),
    ("共", "zh-Hans zh-Hant", Total, "", ""),
    ("總量", "zh-Hant", Total, "", ""),
    ("总流量", "zh-Hans", Total, "", ""),
    ("總流量", "zh-Hant", Total, "", ""),
    ("套餐", "zh-Hans zh-Hant", Product, "", ""),
    ("合计", "zh-Hans", Total, "", ""),
    ("结转", "zh-Hans", Scope, "", "carry-over"),
    ("結轉", "zh-Hant", Scope, "", "carry-over"),
    ("余额", "zh-Hans", Balance, "", ""),
    ("餘額", "zh-Hant", Balance, "", ""),
    ("账户余额", "zh-Hans", Balance, "", ""),
    ("帳戶餘額", "zh-Hant", Balance, "", ""),
    ("可用余额", "zh-Hans", Balance, "", ""),
    ("话费", "zh-Hans", Balance, "", ""),
    ("話費", "zh-Hant", Balance, "", ""),
    ("话费余额", "zh-Hans", Balance, "", ""),
    ("预存费用余额", "zh-Hans", Balance, "prepaid", ""),
    ("赠送费用余额", "zh-Hans", Bonus, "gift", ""),
    ("儲值金", "zh-Hant", Balance, "", ""),
    ("赠送", "zh-Hans", Bonus, "bonus", "bonus"),
    ("贈送", "zh-Hant", Bonus, "bonus", "bonus"),
    ("有效期", "zh-Hans zh-Hant", Expiry, "", ""),
    ("有效期至", "zh-Hans zh-Hant", Expiry, "", ""),
    ("有效期限", "zh-Hans zh-Hant", Expiry, "", ""),
    ("到期", "zh-Hans zh-Hant", Expiry, "", ""),
    ("效期", "zh-Hant zh-Hans", Expiry, "", ""),
    ("届满", "zh-Hans", Expiry, "", ""),
    ("屆滿", "zh-Hant", Expiry, "", ""),
    ("失效", "zh-Hans zh-Hant", Expiry, "", ""),
    ("月结日", "zh-Hans", Reset, "", ""),
    ("月結日", "zh-Hant", Reset, "", ""),
    ("结算日", "zh-Hans", Reset, "", ""),
    ("結算日", "zh-Hant", Reset, "", ""),
    ("截至", "zh-Hans zh-Hant", AsOf, "", ""),
    ("截止", "zh-Hans zh-Hant", AsOf, "", ""),
    ("截止至", "zh-Hans zh-Hant", AsOf, "", ""),
    ("截止到", "zh-Hans zh-Hant", AsOf, "", ""),
    ("不限量", "zh-Hans zh-Hant", Unlimited, "", ""),
    ("无限量", "zh-Hans", Unlimited, "", ""),
    ("無限量", "zh-Hant", Unlimited, "", ""),
    ("不限流量", "zh-Hans zh-Hant", Unlimited, "", ""),
    ("无限流量", "zh-Hans", Unlimited, "", ""),
    ("無限流量", "zh-Hant", Unlimited, "", ""),
    ("吃到饱", "zh-Hans", Unlimited, "", ""),
    ("吃到飽", "zh-Hant", Unlimited, "", ""),
    ("限速中", "zh-Hans zh-Hant", Throttled, "", ""),
    ("已限速", "zh-Hans zh-Hant", Throttled, "", ""),
    ("已降速", "zh-Hans zh-Hant", Throttled, "", ""),
    ("国内通用", "zh-Hans", Scope, "", "domestic"),
    ("國內", "zh-Hant", Scope, "", "domestic"),
    ("省内", "zh-Hans", Scope, "", "provincial"),
    ("漫游", "zh-Hans", Scope, "", "roaming"),
    ("漫遊", "zh-Hant", Scope, "", "roaming"),
    ("闲时", "zh-Hans", Scope, "", "night"),
    ("閒時", "zh-Hant", Scope, "", "night"),
    ("夜间", "zh-Hans", Scope, "", "night"),
    ("日租", "zh-Hans zh-Hant", Scope, "", "day"),
    ("免费", "zh-Hans", Scope, "", "free"),
    ("免費", "zh-Hant", Scope, "", "free"),
    ("其中", "zh-Hans zh-Hant", Breakdown, "", ""),
    ("含", "zh-Hans zh-Hant", Breakdown, "", ""),
    ("包括", "zh-Hans zh-Hant", Breakdown, "", ""),
    ("包含", "zh-Hans zh-Hant", Breakdown, "", ""),
    ("流量", "zh-Hans zh-Hant", DataNoun, "", ""),
    ("您", "zh-Hans zh-Hant", Lang, "", ""),
    // ---- English
    ("remaining", "en", Remaining, "", ""),
    ("left", "en", Remaining, "", ""),
    ("available", "en", Remaining, "", ""),
    ("used", "en", Used, "", ""),
    ("consumed", "en", Used, "", ""),
    ("usage", "en", Used, "", ""),
    ("total", "en id", Total, "", ""),
    ("allowance", "en", Total, "", ""),
    ("balance", "en fr", Balance, "", ""),
    ("account balance", "en", Balance, "", ""),
    ("main balance", "en", Balance, "", ""),
    ("credit", "en fr", Balance, "", ""),
    ("airtime", "en", Balance, "", ""),
    ("bonus", "en de pl sv id cs hu ru uk", Bonus, "bonus", "bonus"),
    ("free airtime", "en", Bonus, "free", ""),
    ("limit", "en pl", Limit, "limit", ""),
    ("credit limit", "en", Limit, "limit", ""),
    ("renew for", "en", Price, "renewal", ""),
    ("price", "en", Price, "price", ""),
    ("cost*", "en", Price, "price", ""),
    ("you have", "en", Have, "", ""),
    ("u have", "en", Have, "", ""),
    ("valid until", "en", Expiry, "", ""),
    ("valid till", "en", Expiry, "", ""),
    ("valid up to", "en", Expiry, "", ""),
    ("valid to", "en", Expiry, "", ""),
    ("valid", "en", Expiry, "", ""),
    ("expire*", "en fr", Expiry, "", ""),
    ("expiry", "en", Expiry, "", ""),
    ("expiration", "en", Expiry, "", ""),
    ("exp", "en", Expiry, "", ""),
    ("active until", "en", Expiry, "", ""),
    ("until", "en", Expiry, "", ""),
    ("till", "en sv", Expiry, "", ""),
    ("renews on", "en", Reset, "", ""),
    ("renew on", "en", Reset, "", ""),
    ("resets on", "en", Reset, "", ""),
    ("reset*", "en", Reset, "", ""),
    ("as of", "en", AsOf, "", ""),
    ("unlimited", "en id", Unlimited, "", ""),
    ("throttled", "en", Throttled, "", ""),
    ("reduced speed", "en", Throttled, "", ""),
    ("speed reduced", "en", Throttled, "", ""),
    ("roaming", "en de pl sv id", Scope, "", "roaming"),
    ("domestic", "en", Scope, "", "domestic"),
    ("night", "en", Scope, "", "night"),
    ("carry-over", "en", Scope, "", "carry-over"),
    ("rollover", "en", Scope, "", "carry-over"),
    ("of which", "en", Breakdown, "", ""),
    ("of", "en", Of, "", ""),
    ("of your", "en", Of, "", ""),
    ("out of", "en", Of, "", ""),
    ("z", "pl cs", Of, "", ""),
    ("ze", "cs", Of, "", ""),
    ("из", "ru uk", Of, "", ""),
    ("von", "de", Of, "", ""),
    ("av", "sv", Of, "", ""),
    ("dari", "id", Of, "", ""),
    ("including", "en", Breakdown, "", ""),
    ("your", "en", Lang, "", ""),
    ("you", "en", Lang, "", ""),
    ("is", "en", Lang, "", ""),
    ("the", "en", Lang, "", ""),
    ("will", "en", Lang, "", ""),
    ("and", "en", Lang, "", ""),
    ("dear", "en", Lang, "", ""),
    ("customer", "en", Lang, "", ""),
    ("hello", "en", Lang, "", ""),

    // ---- Russian (Cyrillic and Latin transliteration)
    ("остаток", "ru", Remaining, "", ""),
    ("осталось", "ru", Remaining, "", ""),
    ("octatok", "ru", Remaining, "", ""),
    ("ostatok", "ru", Remaining, "", ""),
    ("доступно", "ru", Remaining, "", ""),
    ("использовано", "ru", Used, "", ""),
    ("израсходовано", "ru", Used, "", ""),
    ("потрачено", "ru", Used, "", ""),
    ("баланс*", "ru uk bg", Balance, "", ""),
    ("balans", "ru uk sv", Balance, "", ""),
    ("на счету", "ru", Balance, "", ""),
    ("na schetu", "ru", Balance, "", ""),
    ("бонус*", "ru uk", Bonus, "bonus", "bonus"),
    ("лимит*", "ru", Limit, "limit", ""),
    ("до", "ru uk bg", Expiry, "", ""),
    ("действует до", "ru", Expiry, "", ""),
    ("действителен до", "ru", Expiry, "", ""),
    ("безлимит*", "ru", Unlimited, "", ""),
    ("из них", "ru", Breakdown, "", ""),
    ("ваш", "ru uk", Lang, "", ""),
    ("вас", "ru", Lang, "", ""),
    ("для", "ru", Lang, "", ""),
    ("наберите", "ru", Lang, "", ""),
    ("vash", "ru", Lang, "", ""),
    ("dlya", "ru", Lang, "", ""),
    ("podkl", "ru", Lang, "", ""),
    ("besplatno", "ru", Lang, "", ""),
    ("nepravilnyi", "ru", Lang, "", ""),
    // ---- Ukrainian
    ("залишок", "uk", Remaining, "", ""),
    ("zalyshok", "uk", Remaining, "", ""),
    ("рахунку", "uk", Balance, "", ""),
    ("rahunku", "uk", Balance, "", ""),
    ("дійсний до", "uk", Expiry, "", ""),
    ("diysnyi do", "uk", Expiry, "", ""),
    ("vashomu", "uk", Lang, "", ""),
    ("taryf", "uk", Lang, "", ""),
    ("nomer", "uk ru", Lang, "", ""),
    // ---- German
    ("verbleibend*", "de", Remaining, "", ""),
    ("ubrig", "de", Remaining, "", ""),
    ("verfugbar*", "de", Remaining, "", ""),
    ("restguthaben", "de", Remaining, "", ""),
    ("restvolumen", "de", Remaining, "", ""),
    ("verbraucht", "de", Used, "", ""),
    ("genutzt", "de", Used, "", ""),
    ("verbindungsentgelte", "de", Used, "", ""),
    ("entgelte", "de", Used, "", ""),
    ("gesamt", "de", Total, "", ""),
    ("inklusive", "de", Total, "", ""),
    ("guthaben", "de", Balance, "", ""),
    ("kontostand", "de", Balance, "", ""),
    ("startguthaben", "de", Balance, "start", ""),
    ("kaufguthaben", "de", Balance, "purchased", ""),
    ("geschenkguthaben", "de", Bonus, "gift", ""),
    ("bonusguthaben", "de", Bonus, "bonus", ""),
    ("kostet", "de", Price, "price", ""),
    ("sie haben", "de", Have, "", ""),
    ("du hast", "de", Have, "", ""),
    ("gultig bis", "de", Expiry, "", ""),
    ("gultig", "de", Expiry, "", ""),
    ("bis", "de", Expiry, "", ""),
    ("lauft ab", "de", Expiry, "", ""),
    ("stand", "de", AsOf, "", ""),
    ("unbegrenzt", "de", Unlimited, "", ""),
    ("gedrosselt", "de", Throttled, "", ""),
    ("davon", "de", Breakdown, "", ""),
    ("ihr", "de", Lang, "", ""),
    ("ihre", "de", Lang, "", ""),
    ("dein", "de", Lang, "", ""),
    ("betragt", "de", Lang, "", ""),
    ("betraegt", "de", Lang, "", ""),
    ("betragen", "de", Lang, "", ""),
    ("bitte", "de", Lang, "", ""),
    ("und", "de", Lang, "", ""),
    ("lieber", "de", Lang, "", ""),
    ("kunde", "de", Lang, "", ""),
    ("fur", "de", Lang, "", ""),
    ("seit", "de", Lang, "", ""),
    ("aufladen", "de", Lang, "", ""),
    ("datenvolumen", "de", DataNoun, "", ""),
    ("nachricht", "de", Lang, "", ""),
    // ---- Polish
    ("pozostalo", "pl", Remaining, "", ""),
    ("zostalo", "pl", Remaining, "", ""),
    ("dostepne", "pl", Remaining, "", ""),
    ("wykorzystano", "pl", Used, "", ""),
    ("zuzyto", "pl", Used, "", ""),
    ("stan konta", "pl", Balance, "", ""),
    ("stan konta glownego", "pl", Balance, "", ""),
    ("saldo", "pl sv id cs", Balance, "", ""),
    ("srodkow promocyjnych", "pl", Bonus, "promo", ""),
    ("promocyjn*", "pl", Bonus, "promo", ""),
    ("masz", "pl", Have, "", ""),
    ("wazne do", "pl", Expiry, "", ""),
    ("wazne do dnia", "pl", Expiry, "", ""),
    ("wazny do", "pl", Expiry, "", ""),
    ("do", "pl cs uk", Expiry, "", ""),
    ("bez limitu", "pl", Unlimited, "", ""),
    ("nielimitowan*", "pl", Unlimited, "", ""),
    ("w tym", "pl", Breakdown, "", ""),
    ("dla", "pl", Lang, "", ""),
    ("numeru", "pl", Lang, "", ""),
    ("twoja", "pl", Lang, "", ""),
    ("oferta", "pl", Lang, "", ""),
    ("dodatkowo", "pl", Lang, "", ""),
    ("ramach", "pl", Lang, "", ""),
    ("wykorzystania", "pl", Lang, "", ""),
    ("doladuj", "pl", Lang, "", ""),
    ("aktualny", "pl", Lang, "", ""),
    ("bezterminowo", "pl", Lang, "", ""),
    ("srodki", "pl", Lang, "", ""),
    // ---- Swedish
    ("kvar", "sv", Remaining, "", ""),
    ("aterstar", "sv", Remaining, "", ""),
    ("anvant", "sv", Used, "", ""),
    ("forbrukat", "sv", Used, "", ""),
    ("totalt", "sv", Total, "", ""),
    ("du har", "sv", Have, "", ""),
    ("giltig till", "sv", Expiry, "", ""),
    ("giltigt till", "sv", Expiry, "", ""),
    ("galler till", "sv", Expiry, "", ""),
    ("obegransa*", "sv", Unlimited, "", ""),
    ("och", "sv", Lang, "", ""),
    ("ringer", "sv", Lang, "", ""),
    ("skickar", "sv", Lang, "", ""),
    ("kop", "sv", Lang, "", ""),
    ("surf", "sv", Lang, "", ""),
    // ---- Indonesian
    ("sisa", "id", Remaining, "", ""),
    ("tersisa", "id", Remaining, "", ""),
    ("tersedia", "id", Remaining, "", ""),
    ("terpakai", "id", Used, "", ""),
    ("digunakan", "id", Used, "", ""),
    ("pemakaian", "id", Used, "", ""),
    ("pulsa", "id", Balance, "", ""),
    ("sisa pulsa", "id", Balance, "", ""),
    ("aktif sd", "id", Expiry, "", ""),
    ("aktif s.d.", "id", Expiry, "", ""),
    ("aktif s/d", "id", Expiry, "", ""),
    ("aktif hingga", "id", Expiry, "", ""),
    ("aktif sampai", "id", Expiry, "", ""),
    ("s.d.", "id", Expiry, "", ""),
    ("s/d", "id", Expiry, "", ""),
    ("sd", "id", Expiry, "", ""),
    ("berlaku", "id", Expiry, "", ""),
    ("berlaku hingga", "id", Expiry, "", ""),
    ("berlaku sampai", "id", Expiry, "", ""),
    ("masa aktif", "id", Expiry, "", ""),
    ("tanpa batas", "id", Unlimited, "", ""),
    ("anda", "id", Lang, "", ""),
    ("maaf", "id", Lang, "", ""),
    ("silakan", "id", Lang, "", ""),
    ("untuk", "id", Lang, "", ""),
    ("kami", "id", Lang, "", ""),
    ("tidak", "id", Lang, "", ""),
    ("kuota", "id", DataNoun, "", ""),
    ("konten", "id", Lang, "", ""),
    ("lainnya", "id", Lang, "", ""),
    ("gagal", "id", Lang, "", ""),
    ("dan", "id", Lang, "", ""),
    // ---- Czech
    ("kredit*", "cs", Balance, "", ""),
    ("zustatek", "cs", Balance, "", ""),
    ("bonusov*", "cs", Bonus, "bonus", ""),
    ("zbyva", "cs", Remaining, "", ""),
    ("vycerpano", "cs", Used, "", ""),
    ("platnost", "cs", Expiry, "", ""),
    ("plati do", "cs", Expiry, "", ""),
    ("neomezen*", "cs", Unlimited, "", ""),
    ("z toho", "cs", Breakdown, "", ""),
    ("dobry den", "cs", Lang, "", ""),
    ("aktualni", "cs", Lang, "", ""),
    ("vaseho", "cs", Lang, "", ""),
    ("vase", "cs", Lang, "", ""),
    ("cisle", "cs", Lang, "", ""),
    ("je", "cs", Lang, "", ""),
    // ---- Hungarian
    ("egyenleg", "hu", Balance, "", ""),
    ("keret", "hu", Limit, "limit", ""),
    ("maradek*", "hu", Remaining, "", ""),
    ("felhasznalt", "hu", Used, "", ""),
    ("ervenyes*", "hu", Expiry, "", ""),
    ("lejar*", "hu", Expiry, "", ""),
    ("korlatlan", "hu", Unlimited, "", ""),
    ("ebbol", "hu", Breakdown, "", ""),
    ("havi", "hu", Lang, "", ""),
    ("feltoltott", "hu", Lang, "", ""),
    ("dijcsomag", "hu", Lang, "", ""),
    ("onkiszolgalo", "hu", Lang, "", ""),
    // ---- French
    ("solde", "fr", Balance, "", ""),
    ("restant", "fr", Remaining, "", ""),
    ("valable jusqu'au", "fr", Expiry, "", ""),
    ("jusqu'au", "fr", Expiry, "", ""),
    ("votre", "fr", Lang, "", ""),
    ("vous", "fr", Lang, "", ""),
    ("s'eleve", "fr", Lang, "", ""),
];

/// The lexicon as entries, indexed by first char.
pub(crate) struct Lexicon {
    entries: Vec<Entry>,
    by_first: HashMap<char, Vec<usize>>,
}

/// The role given to the second size of `2 GB of 10 GB`.
pub(crate) const OF_TOTAL: Entry = Entry {
    term: "of",
    langs: "",
    kind: Total,
    label: "",
    scope: "",
    prefix: false,
};

pub(crate) fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| {
        let mut entries: Vec<Entry> = Vec::with_capacity(TABLE.len());
        let mut by_first: HashMap<char, Vec<usize>> = HashMap::new();
        for (term, langs, kind, label, scope) in TABLE.iter().chain(super::words::WORLD) {
            let prefix = term.ends_with('*');
            let term = term.trim_end_matches('*');
            // The same word in several tables (`saldo` is pl, sv, id, cs… and es, pt, it):
            // one entry, evidence for all of its languages.
            if let Some(e) = entries
                .iter_mut()
                .find(|e| e.term == term && e.kind == *kind && e.prefix == prefix)
            {
                let merged: String = format!("{} {}", e.langs, langs);
                e.langs = Box::leak(merged.into_boxed_str());
                continue;
            }
            if let Some(c) = term.chars().next() {
                by_first.entry(c).or_default().push(entries.len());
            }
            entries.push(Entry {
                term,
                langs,
                kind: *kind,
                label,
                scope,
                prefix,
            });
        }
        Lexicon { entries, by_first }
    })
}

/// A lexicon word found in the text: chars `start..end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Marker {
    pub start: usize,
    pub end: usize,
    pub entry: Entry,
}

impl Lexicon {
    /// Longest-first, left-to-right matches over the folded text.
    pub fn scan(&self, folded: &[char]) -> Vec<Marker> {
        let mut out = Vec::new();
        let mut i = 0;
        while i < folded.len() {
            let best = self.longest_at(folded, i);
            match best {
                Some((len, e)) => {
                    out.push(Marker {
                        start: i,
                        end: i + len,
                        entry: e,
                    });
                    i += len;
                }
                None => i += 1,
            }
        }
        out
    }

    fn longest_at(&self, folded: &[char], i: usize) -> Option<(usize, Entry)> {
        let first = folded.get(i)?;
        let prev_letter = i > 0 && folded.get(i - 1).is_some_and(|c| is_word_letter(*c));
        let mut best: Option<(usize, Entry)> = None;
        for &k in self.by_first.get(first)? {
            let Some(e) = self.entries.get(k) else {
                continue;
            };
            let mut len = 0;
            let mut ok = true;
            for (off, c) in e.term.chars().enumerate() {
                // U+FFFD stands for a letter a decoder lost (`cr�dit`).
                let lost = off > 0 && folded.get(i + off) == Some(&'\u{FFFD}') && c.is_alphabetic();
                if folded.get(i + off) != Some(&c) && !lost {
                    ok = false;
                    break;
                }
                len = off + 1;
            }
            if !ok {
                continue;
            }
            let starts_letter = e.term.chars().next().is_some_and(is_word_letter);
            let ends_letter = e.term.chars().last().is_some_and(is_word_letter);
            if starts_letter && prev_letter {
                continue;
            }
            let next_letter = folded.get(i + len).is_some_and(|c| is_word_letter(*c));
            if ends_letter && next_letter && !e.prefix {
                continue;
            }
            let mut end = len;
            if e.prefix {
                while folded.get(i + end).is_some_and(|c| is_word_letter(*c)) {
                    end += 1;
                }
            }
            if best.is_none_or(|(l, _)| end > l) {
                best = Some((end, *e));
            }
        }
        best
    }
}

/// Script statistics used for language detection.
#[derive(Debug, Default, Clone, Copy)]
struct Scripts {
    kana: usize,
    han: usize,
    hangul: usize,
    cyrillic: usize,
    latin: usize,
    /// Arabic, Hebrew, Greek, Indic, Thai, Ethiopic, Georgian, Armenian… and which.
    other: usize,
    other_name: &'static str,
}

fn scripts(chars: &[char]) -> Scripts {
    let mut s = Scripts::default();
    let mut counts: HashMap<&'static str, usize> = HashMap::new();
    for &c in chars {
        let u = u32::from(c);
        let other = match u {
            0x3040..=0x30FF | 0xFF66..=0xFF9F => {
                s.kana += 1;
                None
            }
            0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => {
                s.han += 1;
                None
            }
            0xAC00..=0xD7AF | 0x1100..=0x11FF | 0x3130..=0x318F => {
                s.hangul += 1;
                None
            }
            0x0400..=0x04FF => {
                s.cyrillic += 1;
                None
            }
            _ if c.is_ascii_alphabetic() => {
                s.latin += 1;
                None
            }
            0x00C0..=0x024F | 0x1E00..=0x1EFF => {
                s.latin += 1;
                None
            }
            0x0370..=0x03FF | 0x1F00..=0x1FFF => Some("Greek"),
            0x0530..=0x058F => Some("Armenian"),
            0x0590..=0x05FF => Some("Hebrew"),
            0x0600..=0x06FF | 0x0750..=0x077F | 0xFB50..=0xFEFF => Some("Arabic"),
            0x0900..=0x097F => Some("Devanagari"),
            0x0980..=0x09FF => Some("Bengali"),
            0x0A00..=0x0DFF => Some("an Indic script"),
            0x0E00..=0x0E7F => Some("Thai"),
            0x0E80..=0x0FFF => Some("Lao or Tibetan"),
            0x1000..=0x109F => Some("Myanmar"),
            0x10A0..=0x10FF => Some("Georgian"),
            0x1200..=0x139F => Some("Ethiopic"),
            0x1780..=0x17FF => Some("Khmer"),
            _ => None,
        };
        if let Some(name) = other {
            s.other += 1;
            *counts.entry(name).or_default() += 1;
        }
    }
    s.other_name = counts
        .into_iter()
        .max_by_key(|(n, c)| (*c, *n))
        .map_or("", |(n, _)| n);
    s
}

/// Characters only simplified Chinese uses, and their traditional counterparts.
const HANS_ONLY: &str = "余数据额费号码时为门们个这国当务询请发会过间单帐话与将还网后开关电讯简点钟计划续态应项选统总结转赠闲约内";
const HANT_ONLY: &str = "餘數據額費號碼時為門們個這國當務詢請發會過間單帳話與將還網後開關電訊簡點鐘計劃續態應項選統總結轉贈閒約內";

/// Result of language detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Detected {
    /// A language with a lexicon.
    Lang(&'static str),
    /// Letters of a script with no lexicon (Georgian, Khmer, …), or no known word in it.
    UnsupportedScript(&'static str),
    /// Latin text with no known word.
    Unknown,
}

/// Every language with vocabulary here, in the order used to break ties.
pub(crate) const LANGUAGES: &[&str] = &[
    "ja", "zh-Hans", "zh-Hant", "ru", "uk", "bg", "sr", "en", "de", "fr", "es", "pt", "it", "nl",
    "pl", "cs", "sk", "hu", "ro", "hr", "sv", "da", "nb", "fi", "lt", "lv", "et", "tr", "id", "ms",
    "fil", "vi", "sw", "ar", "fa", "ur", "hi", "bn", "th", "ko", "el", "he", "am", "mg",
];

/// Detects the language from scripts, lexicon words and currency words (`currency_langs`: one
/// language per amount whose currency belongs to one language, e.g. `грн` → uk).
pub(crate) fn detect(
    chars: &[char],
    markers: &[Marker],
    currency_langs: &[&'static str],
) -> Detected {
    let s = scripts(chars);
    if s.kana > 0 {
        return Detected::Lang("ja");
    }
    let mut score: HashMap<&'static str, usize> = HashMap::new();
    for m in markers {
        for l in m.entry.langs.split(' ') {
            if let Some(p) = LANGUAGES.iter().find(|p| **p == l) {
                // A role word says more about the language than a function word.
                let w = if m.entry.kind == Kind::Lang { 1 } else { 2 };
                *score.entry(*p).or_default() += w;
            }
        }
    }
    for l in currency_langs {
        *score.entry(l).or_default() += 2;
    }
    let pick = |l: &str| score.get(l).copied().unwrap_or(0);
    if s.han > 0 && s.han >= s.latin / 4 {
        // Kanji-only Japanese (残高, 残容量, 円) is told apart by its words.
        if pick("ja") > pick("zh-Hans").max(pick("zh-Hant")) {
            return Detected::Lang("ja");
        }
        let hans = chars.iter().filter(|c| HANS_ONLY.contains(**c)).count();
        let hant = chars.iter().filter(|c| HANT_ONLY.contains(**c)).count();
        return Detected::Lang(if hant > hans { "zh-Hant" } else { "zh-Hans" });
    }
    let best_of = |langs: &[&'static str]| -> Option<&'static str> {
        let mut best: Option<(&'static str, usize)> = None;
        for l in LANGUAGES
            .iter()
            .filter(|l| langs.is_empty() || langs.contains(l))
        {
            let v = pick(l);
            if v > 0 && best.is_none_or(|(_, b)| v > b) {
                best = Some((l, v));
            }
        }
        best.map(|(l, _)| l)
    };
    if s.hangul > 0 && s.hangul >= s.latin {
        return best_of(&["ko"]).map_or(Detected::UnsupportedScript("Hangul"), Detected::Lang);
    }
    if s.other > s.latin + s.cyrillic {
        let langs: &[&'static str] = match s.other_name {
            "Arabic" => &["ar", "fa", "ur"],
            "Hebrew" => &["he"],
            "Greek" => &["el"],
            "Devanagari" => &["hi"],
            "Bengali" => &["bn"],
            "Thai" => &["th"],
            "Ethiopic" => &["am"],
            _ => &[],
        };
        let found = if langs.is_empty() {
            None
        } else {
            best_of(langs)
        };
        return found.map_or(
            Detected::UnsupportedScript(if s.other_name.is_empty() {
                "a script without a lexicon"
            } else {
                s.other_name
            }),
            Detected::Lang,
        );
    }
    if s.cyrillic > 0 && s.cyrillic * 2 >= s.latin {
        let uk_letters = chars
            .iter()
            .any(|c| matches!(c, 'і' | 'ї' | 'є' | 'ґ' | 'І' | 'Ї' | 'Є'));
        if uk_letters || pick("uk") > pick("ru") {
            return Detected::Lang("uk");
        }
        if pick("bg") > pick("ru") {
            return Detected::Lang("bg");
        }
        if pick("sr") > pick("ru") {
            return Detected::Lang("sr");
        }
        return Detected::Lang("ru");
    }
    match best_of(&[]) {
        Some(l) => Detected::Lang(l),
        None => Detected::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::balance::number::{fold, normalize};

    fn kinds(text: &str) -> Vec<(String, Kind)> {
        let f: Vec<char> = normalize(text).into_iter().map(fold).collect();
        lexicon()
            .scan(&f)
            .into_iter()
            .map(|m| (m.entry.term.to_string(), m.entry.kind))
            .collect()
    }

    #[test]
    fn longest_match_wins() {
        assert_eq!(kinds("利用可能額"), vec![("利用可能額".into(), Balance)]);
        assert_eq!(
            kinds("10,00 EUR Startguthaben"),
            vec![("startguthaben".into(), Balance)]
        );
        assert_eq!(
            kinds("已使用流量总量"),
            vec![("已使用流量总量".into(), Used)]
        );
    }

    #[test]
    fn word_boundaries_and_prefixes() {
        assert!(kinds("leftover").is_empty());
        assert_eq!(kinds("о балансе"), vec![("баланс".into(), Balance)]);
        assert_eq!(kinds("Pozostało"), vec![("pozostalo".into(), Remaining)]);
    }

    #[test]
    fn detection() {
        let d = |t: &str, cur: &[&'static str]| {
            let c = normalize(t);
            let f: Vec<char> = c.iter().copied().map(fold).collect();
            detect(&c, &lexicon().scan(&f), cur)
        };
        assert_eq!(d("残りデータ量", &[]), Detected::Lang("ja"));
        assert_eq!(d("剩餘流量", &[]), Detected::Lang("zh-Hant"));
        assert_eq!(d("剩余流量", &[]), Detected::Lang("zh-Hans"));
        assert_eq!(d("Balance:633,100r", &["ru"]), Detected::Lang("ru"));
        assert_eq!(
            d("Du har 0,00 kr och 0,99 GB surf kvar", &["sv"]),
            Detected::Lang("sv")
        );
        assert_eq!(d("데이터 잔여량 1.5GB", &[]), Detected::Lang("ko"));
        assert_eq!(
            d("ნაშთი 1.5GB", &[]),
            Detected::UnsupportedScript("Georgian")
        );
        assert_eq!(d("xyzzy 12", &[]), Detected::Unknown);
    }
}
