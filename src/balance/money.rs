//! Currencies: ISO 4217 codes and their minor units, the signs and words carriers write, and
//! how an ambiguous sign (`$`, `Rs`, `P`, `kr`, `K`, `F CFA`, `ريال`) becomes a code.
//!
//! Invariant: a sign becomes a code only when it has one meaning, or when the caller's currency
//! (carrier profile) or country (profile or the SIM's MCC) picks one of its meanings, or when
//! the reply's language does (`¥` in Chinese is CNY, `kr` in Swedish SEK). Otherwise the amount
//! is a rejected candidate: "never assumed" (issue 9). Sources: ISO 4217 (SIX Group list of
//! 2024-06) for codes and exponents; ISO 3166-1 for countries and their legal tender.

/// Active ISO 4217 alphabetic codes with their minor-unit exponent, sorted by code.
#[rustfmt::skip]
pub(crate) const ISO_4217: &[(&str, u8)] = &[
    ("AED",2),("AFN",2),("ALL",2),("AMD",2),("ANG",2),("AOA",2),("ARS",2),("AUD",2),("AWG",2),
    ("AZN",2),("BAM",2),("BBD",2),("BDT",2),("BGN",2),("BHD",3),("BIF",0),("BMD",2),("BND",2),
    ("BOB",2),("BRL",2),("BSD",2),("BTN",2),("BWP",2),("BYN",2),("BZD",2),("CAD",2),("CDF",2),
    ("CHF",2),("CLP",0),("CNY",2),("COP",2),("CRC",2),("CUC",2),("CUP",2),("CVE",2),("CZK",2),
    ("DJF",0),("DKK",2),("DOP",2),("DZD",2),("EGP",2),("ERN",2),("ETB",2),("EUR",2),("FJD",2),
    ("FKP",2),("GBP",2),("GEL",2),("GHS",2),("GIP",2),("GMD",2),("GNF",0),("GTQ",2),("GYD",2),
    ("HKD",2),("HNL",2),("HTG",2),("HUF",2),("IDR",2),("ILS",2),("INR",2),("IQD",3),("IRR",2),
    ("ISK",0),("JMD",2),("JOD",3),("JPY",0),("KES",2),("KGS",2),("KHR",2),("KMF",0),("KPW",2),
    ("KRW",0),("KWD",3),("KYD",2),("KZT",2),("LAK",2),("LBP",2),("LKR",2),("LRD",2),("LSL",2),
    ("LYD",3),("MAD",2),("MDL",2),("MGA",2),("MKD",2),("MMK",2),("MNT",2),("MOP",2),("MRU",2),
    ("MUR",2),("MVR",2),("MWK",2),("MXN",2),("MYR",2),("MZN",2),("NAD",2),("NGN",2),("NIO",2),
    ("NOK",2),("NPR",2),("NZD",2),("OMR",3),("PAB",2),("PEN",2),("PGK",2),("PHP",2),("PKR",2),
    ("PLN",2),("PYG",0),("QAR",2),("RON",2),("RSD",2),("RUB",2),("RWF",0),("SAR",2),("SBD",2),
    ("SCR",2),("SDG",2),("SEK",2),("SGD",2),("SHP",2),("SLE",2),("SLL",2),("SOS",2),("SRD",2),
    ("SSP",2),("STN",2),("SVC",2),("SYP",2),("SZL",2),("THB",2),("TJS",2),("TMT",2),("TND",3),
    ("TOP",2),("TRY",2),("TTD",2),("TWD",2),("TZS",2),("UAH",2),("UGX",0),("USD",2),("UYU",2),
    ("UZS",2),("VED",2),("VES",2),("VND",0),("VUV",0),("WST",2),("XAF",0),("XCD",2),("XCG",2),
    ("XOF",0),("XPF",0),("YER",2),("ZAR",2),("ZMW",2),("ZWG",2),("ZWL",2),
];

/// The minor-unit exponent of an ISO 4217 code (2 when the code is not listed).
pub(crate) fn exponent(code: &str) -> u32 {
    ISO_4217
        .binary_search_by(|(c, _)| (*c).cmp(code))
        .ok()
        .and_then(|i| ISO_4217.get(i))
        .map_or(2, |(_, e)| u32::from(*e))
}

/// An active ISO 4217 code, as the static string.
pub(crate) fn iso_code(s: &str) -> Option<&'static str> {
    ISO_4217
        .binary_search_by(|(c, _)| (*c).cmp(s))
        .ok()
        .and_then(|i| ISO_4217.get(i))
        .map(|(c, _)| *c)
}

/// The legal tender of each country (ISO 3166-1 alpha-2 → ISO 4217), for resolving signs.
#[rustfmt::skip]
const COUNTRY_CURRENCY: &[(&str, &str)] = &[
    ("AD","EUR"),("AE","AED"),("AF","AFN"),("AG","XCD"),("AI","XCD"),("AL","ALL"),("AM","AMD"),
    ("AO","AOA"),("AR","ARS"),("AS","USD"),("AT","EUR"),("AU","AUD"),("AW","AWG"),("AZ","AZN"),
    ("BA","BAM"),("BB","BBD"),("BD","BDT"),("BE","EUR"),("BF","XOF"),("BG","BGN"),("BH","BHD"),
    ("BI","BIF"),("BJ","XOF"),("BM","BMD"),("BN","BND"),("BO","BOB"),("BQ","USD"),("BR","BRL"),
    ("BS","BSD"),("BT","BTN"),("BW","BWP"),("BY","BYN"),("BZ","BZD"),("CA","CAD"),("CD","CDF"),
    ("CF","XAF"),("CG","XAF"),("CH","CHF"),("CI","XOF"),("CK","NZD"),("CL","CLP"),("CM","XAF"),
    ("CN","CNY"),("CO","COP"),("CR","CRC"),("CU","CUP"),("CV","CVE"),("CW","XCG"),("CY","EUR"),
    ("CZ","CZK"),("DE","EUR"),("DJ","DJF"),("DK","DKK"),("DM","XCD"),("DO","DOP"),("DZ","DZD"),
    ("EC","USD"),("EE","EUR"),("EG","EGP"),("ER","ERN"),("ES","EUR"),("ET","ETB"),("FI","EUR"),
    ("FJ","FJD"),("FK","FKP"),("FM","USD"),("FO","DKK"),("FR","EUR"),("GA","XAF"),("GB","GBP"),
    ("GD","XCD"),("GE","GEL"),("GF","EUR"),("GG","GBP"),("GH","GHS"),("GI","GIP"),("GL","DKK"),
    ("GM","GMD"),("GN","GNF"),("GP","EUR"),("GQ","XAF"),("GR","EUR"),("GT","GTQ"),("GU","USD"),
    ("GW","XOF"),("GY","GYD"),("HK","HKD"),("HN","HNL"),("HR","EUR"),("HT","HTG"),("HU","HUF"),
    ("ID","IDR"),("IE","EUR"),("IL","ILS"),("IM","GBP"),("IN","INR"),("IQ","IQD"),("IR","IRR"),
    ("IS","ISK"),("IT","EUR"),("JE","GBP"),("JM","JMD"),("JO","JOD"),("JP","JPY"),("KE","KES"),
    ("KG","KGS"),("KH","KHR"),("KI","AUD"),("KM","KMF"),("KN","XCD"),("KP","KPW"),("KR","KRW"),
    ("KW","KWD"),("KY","KYD"),("KZ","KZT"),("LA","LAK"),("LB","LBP"),("LC","XCD"),("LI","CHF"),
    ("LK","LKR"),("LR","LRD"),("LS","LSL"),("LT","EUR"),("LU","EUR"),("LV","EUR"),("LY","LYD"),
    ("MA","MAD"),("MC","EUR"),("MD","MDL"),("ME","EUR"),("MG","MGA"),("MH","USD"),("MK","MKD"),
    ("ML","XOF"),("MM","MMK"),("MN","MNT"),("MO","MOP"),("MP","USD"),("MQ","EUR"),("MR","MRU"),
    ("MS","XCD"),("MT","EUR"),("MU","MUR"),("MV","MVR"),("MW","MWK"),("MX","MXN"),("MY","MYR"),
    ("MZ","MZN"),("NA","NAD"),("NC","XPF"),("NE","XOF"),("NG","NGN"),("NI","NIO"),("NL","EUR"),
    ("NO","NOK"),("NP","NPR"),("NR","AUD"),("NZ","NZD"),("OM","OMR"),("PA","PAB"),("PE","PEN"),
    ("PF","XPF"),("PG","PGK"),("PH","PHP"),("PK","PKR"),("PL","PLN"),("PR","USD"),("PS","ILS"),
    ("PT","EUR"),("PW","USD"),("PY","PYG"),("QA","QAR"),("RE","EUR"),("RO","RON"),("RS","RSD"),
    ("RU","RUB"),("RW","RWF"),("SA","SAR"),("SB","SBD"),("SC","SCR"),("SD","SDG"),("SE","SEK"),
    ("SG","SGD"),("SH","SHP"),("SI","EUR"),("SK","EUR"),("SL","SLE"),("SM","EUR"),("SN","XOF"),
    ("SO","SOS"),("SR","SRD"),("SS","SSP"),("ST","STN"),("SV","USD"),("SX","XCG"),("SY","SYP"),
    ("SZ","SZL"),("TC","USD"),("TD","XAF"),("TG","XOF"),("TH","THB"),("TJ","TJS"),("TL","USD"),
    ("TM","TMT"),("TN","TND"),("TO","TOP"),("TR","TRY"),("TT","TTD"),("TV","AUD"),("TW","TWD"),
    ("TZ","TZS"),("UA","UAH"),("UG","UGX"),("US","USD"),("UY","UYU"),("UZ","UZS"),("VA","EUR"),
    ("VC","XCD"),("VE","VES"),("VG","USD"),("VI","USD"),("VN","VND"),("VU","VUV"),("WS","WST"),
    ("XK","EUR"),("YE","YER"),("YT","EUR"),("ZA","ZAR"),("ZM","ZMW"),("ZW","ZWG"),
];

/// The currency of a country (alpha-2, any case).
pub(crate) fn country_currency(cc: &str) -> Option<&'static str> {
    let cc = cc.trim().to_ascii_uppercase();
    COUNTRY_CURRENCY
        .iter()
        .find(|(c, _)| *c == cc)
        .map(|(_, cur)| *cur)
}

/// Where a sign may stand relative to the amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pos {
    Before,
    After,
    Both,
}

/// A currency sign or word: its folded spelling, where it stands, what it can mean (space
/// separated ISO codes, the most common first), and whether it must be written exactly as
/// given (single capital letters such as `R`, `P`, `K`: only before a digit, only as capitals).
pub(crate) struct Sign {
    pub spelling: &'static str,
    pub pos: Pos,
    pub codes: &'static str,
    pub exact: bool,
}

const fn s(spelling: &'static str, pos: Pos, codes: &'static str) -> Sign {
    Sign {
        spelling,
        pos,
        codes,
        exact: false,
    }
}

const fn x(spelling: &'static str, codes: &'static str) -> Sign {
    Sign {
        spelling,
        pos: Pos::Before,
        codes,
        exact: true,
    }
}

use Pos::{After as A, Before as B, Both as T};

/// The dollar-sign currencies (and the pesos that write `$`).
const DOLLARS: &str =
    "USD CAD AUD NZD HKD TWD SGD MXN ARS CLP COP CUP UYU DOP BSD BBD BZD BMD BND \
                       FJD GYD JMD KYD LRD NAD SBD SRD TTD XCD TOP WST NIO MOP CUC";
const RUPEES: &str = "INR PKR NPR LKR MUR SCR";
const PESOS: &str = "PHP MXN COP CLP ARS CUP DOP UYU";
const FRANCS: &str = "XOF XAF CHF CDF BIF RWF GNF DJF KMF XPF";
const DINARS: &str = "KWD BHD JOD IQD DZD TND LYD RSD MKD";
const RIALS: &str = "SAR OMR QAR YER IRR";

/// Signs and words (folded: lower case, Latin diacritics removed). Longest match wins.
#[rustfmt::skip]
pub(crate) const SIGNS: &[Sign] = &[
    // Dollars and pesos.
    s("$", T, DOLLARS), s("us$", B, "USD"), s("u$s", B, "USD"), s("usd", T, "USD"),
    s("a$", B, "AUD"), s("au$", B, "AUD"), s("c$", B, "CAD NIO"), s("ca$", B, "CAD"),
    s("nz$", B, "NZD"), s("hk$", B, "HKD"), s("nt$", B, "TWD"), s("s$", B, "SGD"),
    s("mx$", B, "MXN"), s("rd$", B, "DOP"), s("n$", B, "NAD"), s("j$", B, "JMD"),
    s("tt$", B, "TTD"), s("ec$", B, "XCD"), s("r$", B, "BRL"), s("b/.", B, "PAB"),
    s("dollars", A, DOLLARS), s("dollar", A, DOLLARS), s("dolares", A, DOLLARS),
    s("dolar", A, DOLLARS), s("pesos", A, PESOS), s("peso", A, PESOS), s("₱", B, "PHP"),
    s("php", T, "PHP"), x("P", "PHP BWP"), s("pula", A, "BWP"), s("cuc", T, "CUC"),
    s("cup", T, "CUP"), s("reais", A, "BRL"), s("real", A, "BRL"), s("brl", T, "BRL"),
    s("s/.", B, "PEN"), s("s/", B, "PEN"), s("soles", A, "PEN"), s("pen", T, "PEN"),
    s("bs.", T, "VES BOB"), s("bs", T, "VES BOB"), s("bolivianos", A, "BOB"),
    s("bolivares", A, "VES"), s("quetzales", A, "GTQ"), s("quetzal", A, "GTQ"), x("Q", "GTQ"),
    s("lempiras", A, "HNL"), s("cordobas", A, "NIO"), s("₡", B, "CRC"), s("colones", A, "CRC"),
    s("₲", T, "PYG"), s("gs", T, "PYG"), s("guaranies", A, "PYG"), s("mxn", T, "MXN"),
    s("cop", T, "COP"), s("clp", T, "CLP"), s("ars", T, "ARS"), s("cad", T, "CAD"),
    s("aud", T, "AUD"), s("nzd", T, "NZD"), s("hkd", T, "HKD"), s("twd", T, "TWD"),
    s("sgd", T, "SGD"), s("uyu", T, "UYU"), s("dop", T, "DOP"),
    // Europe.
    s("€", T, "EUR"), s("eur", T, "EUR"), s("euro", A, "EUR"), s("euros", A, "EUR"),
    s("евро", A, "EUR"), s("£", B, "!GBP GIP FKP SHP"), s("gbp", T, "GBP"),
    s("pounds", A, "GBP EGP SDG SSP LBP SYP"), s("chf", T, "CHF"), s("sfr", T, "CHF"),
    s("zl", A, "PLN"), s("zlotych", A, "PLN"), s("pln", T, "PLN"), s("kc", A, "CZK"),
    s("czk", T, "CZK"), s("ft", A, "HUF"), s("huf", T, "HUF"), s("kr", T, "SEK NOK DKK ISK"),
    s("kr.", T, "SEK NOK DKK ISK"), s("sek", T, "SEK"), s("nok", T, "NOK"), s("dkk", T, "DKK"),
    s("isk", T, "ISK"), s("lei", A, "RON MDL"), s("ron", T, "RON"), s("mdl", T, "MDL"),
    s("лв.", A, "BGN"), s("лв", A, "BGN"), s("lv", A, "BGN"), s("leva", A, "BGN"),
    s("лева", A, "BGN"), s("bgn", T, "BGN"), s("din", A, "RSD"), s("дин.", A, "RSD"),
    s("дин", A, "RSD"), s("rsd", T, "RSD"), s("ден", A, "MKD"), s("mkd", T, "MKD"),
    s("km", A, "BAM"), s("bam", T, "BAM"), s("all", T, "ALL"), s("lek", A, "ALL"),
    s("₺", T, "TRY"), s("tl", A, "TRY"), s("try", T, "TRY"), s("lira", A, "TRY"),
    // Former Soviet Union.
    s("₽", T, "RUB"), s("рублей", A, "RUB BYN"), s("рубля", A, "RUB BYN"), s("рубль", A, "RUB BYN"),
    s("руб.", A, "RUB BYN"), s("руб", A, "RUB BYN"), s("pуб.", A, "RUB"), s("pуб", A, "RUB"),
    s("р.", A, "RUB BYN"), s("р", A, "RUB BYN"), s("rub", T, "RUB"), s("rubl", A, "RUB"),
    s("r.", A, "RUB"), s("r", A, "RUB"), s("p.", A, "RUB"), s("p", A, "RUB"), s("byn", T, "BYN"), s("₴", T, "UAH"), s("грн.", A, "UAH"),
    s("грн", A, "UAH"), s("grn.", A, "UAH"), s("grn", A, "UAH"), s("hrn.", A, "UAH"),
    s("hrn", A, "UAH"), s("uah", T, "UAH"), s("₸", T, "KZT"), s("тг", A, "KZT"),
    s("тенге", A, "KZT"), s("tenge", A, "KZT"), s("kzt", T, "KZT"), s("сум", A, "UZS"),
    s("so'm", A, "UZS"), s("som", A, "UZS KGS"), s("uzs", T, "UZS"), s("сом", A, "KGS"),
    s("kgs", T, "KGS"), s("сомони", A, "TJS"), s("tjs", T, "TJS"), s("֏", T, "AMD"),
    s("драм", A, "AMD"), s("dram", A, "AMD"), s("amd", T, "AMD"), s("₼", T, "AZN"),
    s("manat", A, "AZN TMT"), s("ман", A, "AZN"), s("azn", T, "AZN"), s("tmt", T, "TMT"),
    s("₾", T, "GEL"), s("лари", A, "GEL"), s("lari", A, "GEL"), s("gel", T, "GEL"),
    // Asia.
    s("円", A, "JPY"), s("¥", T, "JPY CNY"), s("jpy", T, "JPY"), s("元", A, "CNY TWD HKD MOP"),
    s("块", A, "CNY"), s("块钱", A, "CNY"), s("cny", T, "CNY"), s("rmb", T, "CNY"),
    s("₩", T, "KRW"), s("원", A, "KRW"), s("krw", T, "KRW"), s("₹", T, "INR"), s("inr", T, "INR"),
    s("rs.", T, RUPEES), s("rs", T, RUPEES), s("₨", T, RUPEES), s("rupees", A, RUPEES),
    s("rupee", A, RUPEES), s("npr", T, "NPR"), s("pkr", T, "PKR"), s("lkr", T, "LKR"),
    s("tk.", T, "BDT"), s("tk", T, "BDT"), s("৳", T, "BDT"), s("taka", A, "BDT"),
    s("টাকা", A, "BDT"), s("bdt", T, "BDT"), s("rp.", B, "IDR"), s("rp", B, "IDR"),
    s("rupiah", A, "IDR"), s("idr", T, "IDR"), s("rm", B, "MYR"), s("ringgit", A, "MYR"),
    s("myr", T, "MYR"), s("฿", T, "THB"), s("บาท", A, "THB"), s("baht", A, "THB"),
    s("thb", T, "THB"), s("₫", T, "VND"), s("vnd", T, "VND"), s("vnđ", T, "VND"),
    s("đ", A, "VND"), s("dong", A, "VND"), s("đong", A, "VND"), s("₮", T, "MNT"),
    s("mnt", T, "MNT"), s("៛", T, "KHR"), s("riel", A, "KHR"), s("khr", T, "KHR"),
    s("₭", T, "LAK"), s("kip", A, "LAK"), s("lak", T, "LAK"), s("kyat", A, "MMK"),
    s("ks", A, "MMK"), s("mmk", T, "MMK"), s("nu.", B, "BTN"), s("rf", B, "MVR"),
    s("mvr", T, "MVR"), s("mop", T, "MOP"), s("afs", A, "AFN"), s("؋", T, "AFN"),
    s("افغانی", A, "AFN"), s("afn", T, "AFN"), s("hk$", B, "HKD"),
    // Middle East.
    s("₪", T, "ILS"), s("ש\"ח", A, "ILS"), s("nis", T, "ILS"), s("ils", T, "ILS"),
    s("shekels", A, "ILS"), s("ريال", T, RIALS), s("﷼", T, RIALS), s("rials", A, RIALS),
    s("rial", A, RIALS), s("riyals", A, "SAR QAR"), s("riyal", A, "SAR QAR"),
    s("ر.س", T, "SAR"), s("sar", T, "SAR"), s("sr", T, "SAR"), s("ر.ق", T, "QAR"),
    s("qr", T, "QAR"), s("qar", T, "QAR"), s("ر.ع", T, "OMR"), s("omr", T, "OMR"),
    s("ر.ي", T, "YER"), s("yer", T, "YER"), s("ریال", T, "IRR"), s("irr", T, "IRR"),
    s("درهم", T, "AED MAD"), s("د.إ", T, "AED"), s("aed", T, "AED"), s("dhs", T, "AED MAD"),
    s("dh", T, "MAD AED"), s("dirhams", A, "AED MAD"), s("dirham", A, "AED MAD"),
    s("د.م.", T, "MAD"), s("mad", T, "MAD"), s("دينار", T, DINARS), s("dinars", A, DINARS),
    s("dinar", A, DINARS), s("د.ك", T, "KWD"), s("kd", T, "KWD"), s("kwd", T, "KWD"),
    s("د.ب", T, "BHD"), s("bd", T, "BHD"), s("bhd", T, "BHD"), s("jod", T, "JOD"),
    s("jd", T, "JOD"), s("د.ع", T, "IQD"), s("iqd", T, "IQD"), s("د.ج", T, "DZD"),
    s("da", A, "DZD"), s("dzd", T, "DZD"), s("د.ت", T, "TND"), s("tnd", T, "TND"),
    s("د.ل", T, "LYD"), s("lyd", T, "LYD"), s("جنيه", T, "EGP SDG SSP"), s("ج.م", T, "EGP"),
    s("egp", T, "EGP"), s("le", T, "EGP SLE"), s("l.e.", T, "EGP"), s("l.e", T, "EGP"),
    s("ل.ل", T, "LBP"), s("lbp", T, "LBP"), s("ل.س", T, "SYP"), s("syp", T, "SYP"),
    s("sdg", T, "SDG"),
    // Africa.
    s("₦", T, "NGN"), s("naira", A, "NGN"), s("ngn", T, "NGN"), x("N", "NGN"),
    s("ghc", T, "GHS"), s("gh¢", T, "GHS"), s("gh₵", T, "GHS"), s("₵", T, "GHS"),
    s("cedis", A, "GHS"), s("cedi", A, "GHS"), s("ghana cedi(s)", A, "GHS"),
    s("ghana cedis", A, "GHS"), s("ghana cedi", A, "GHS"), s("ghs", T, "GHS"), s("ksh", T, "KES"),
    s("kshs", T, "KES"), s("ksh.", T, "KES"), s("kes", T, "KES"), s("tsh", T, "TZS"),
    s("tshs", T, "TZS"), s("tzs", T, "TZS"), s("ush", T, "UGX"), s("ushs", T, "UGX"),
    s("ugx", T, "UGX"), s("shs", T, "KES TZS UGX SOS"), s("sh", T, "KES TZS UGX SOS"),
    s("shillings", A, "KES TZS UGX SOS"), s("shilingi", A, "TZS KES"), s("sos", T, "SOS"),
    s("birr", A, "ETB"), s("ብር", A, "ETB"), s("br", T, "ETB BYN"), s("etb", T, "ETB"),
    s("kwacha", A, "ZMW MWK"), s("zmw", T, "ZMW"), s("mk", T, "MWK"), s("mwk", T, "MWK"),
    x("K", "ZMW PGK MMK"), s("pgk", T, "PGK"), s("fcfa", T, "XOF XAF"), s("f cfa", T, "XOF XAF"),
    s("f.cfa", T, "XOF XAF"), s("cfa", T, "XOF XAF"), s("xof", T, "XOF"), s("xaf", T, "XAF"),
    s("francs", A, FRANCS), s("franc", A, FRANCS), s("fc", A, "CDF"), s("cdf", T, "CDF"),
    s("fbu", T, "BIF"), s("bif", T, "BIF"), s("frw", T, "RWF"), s("rwf", T, "RWF"),
    s("fdj", T, "DJF"), s("djf", T, "DJF"), s("gnf", T, "GNF"), s("fg", A, "GNF"),
    s("xpf", T, "XPF"), s("kmf", T, "KMF"), x("R", "ZAR"), s("rand", A, "ZAR"),
    s("zar", T, "ZAR"), s("kz", T, "AOA"), s("kwanzas", A, "AOA"), s("aoa", T, "AOA"),
    s("meticais", A, "MZN"), s("mzn", T, "MZN"), s("ariary", A, "MGA"), s("mga", T, "MGA"),
    s("dalasi", A, "GMD"), s("gmd", T, "GMD"), s("leones", A, "SLE"), s("sle", T, "SLE"),
    s("sll", T, "SLL"), s("ouguiya", A, "MRU"), s("mru", T, "MRU"), s("lilangeni", A, "SZL"),
    s("emalangeni", A, "SZL"), s("szl", T, "SZL"), s("maloti", A, "LSL"), s("loti", A, "LSL"),
    s("lsl", T, "LSL"), s("bwp", T, "BWP"), s("nad", T, "NAD"), s("mur", T, "MUR"),
    s("scr", T, "SCR"), s("lrd", T, "LRD"), s("ern", T, "ERN"), s("nakfa", A, "ERN"),
    s("dzd", T, "DZD"), s("cve", T, "CVE"), s("stn", T, "STN"), s("dobras", A, "STN"),
    s("zwg", T, "ZWG"), s("zwl", T, "ZWL"), s("ssp", T, "SSP"),
    // Oceania and the rest of the codes people type.
    s("fjd", T, "FJD"), s("pgk", T, "PGK"), s("sbd", T, "SBD"), s("top", T, "TOP"),
    s("wst", T, "WST"), s("vuv", T, "VUV"), s("vatu", A, "VUV"), s("kina", A, "PGK"),
    s("pa'anga", A, "TOP"), s("tala", A, "WST"),
];

/// How the sign at hand was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Resolved {
    /// One code, and what decided it (`""` when the sign has one meaning).
    Code(&'static str, &'static str),
    /// Several meanings and nothing to choose between them.
    Ambiguous(Vec<&'static str>),
    /// The sign has no meaning that fits the country (e.g. `P` in a Nigerian reply).
    Mismatch(Vec<&'static str>),
}

/// Resolves a sign's meanings with the caller's currency, the country and the language.
pub(crate) fn resolve_sign(
    sign: &Sign,
    currency: Option<&str>,
    country: Option<&str>,
    lang: Option<&str>,
) -> Resolved {
    // `!GBP …`: the first meaning stands unless the country or currency picks another
    // (`£` is GBP but for Gibraltar, the Falklands and St Helena, whose pounds are at par).
    let (default, list) = match sign.codes.strip_prefix('!') {
        Some(rest) => (rest.split(' ').next(), rest),
        None => (None, sign.codes),
    };
    let codes: Vec<&'static str> = list.split(' ').collect();
    let from_country = country.and_then(country_currency);
    if let [one] = codes.as_slice() {
        // An exact single-letter sign (`R`, `N`, `Q`) is only taken where it is that
        // country's money, or with no country at all when it has one meaning and no
        // other reading of the letter (`R` rand).
        if sign.exact {
            if let Some(c) = from_country {
                if c != *one {
                    return Resolved::Mismatch(codes);
                }
            } else if sign.spelling != "R" {
                return Resolved::Ambiguous(codes);
            }
        }
        // A local sign (`₦`, `naira`, `грн`) in a reply from a country with other money is
        // not read; codes and the world's reserve currencies are.
        let global = matches!(*one, "USD" | "EUR" | "GBP" | "CHF" | "JPY" | "CNY");
        let is_code =
            sign.spelling.len() == 3 && iso_code(&sign.spelling.to_ascii_uppercase()) == Some(*one);
        if let Some(c) = from_country {
            if c != *one && !global && !is_code {
                return Resolved::Mismatch(codes);
            }
        }
        return Resolved::Code(one, "");
    }
    if let Some(c) = currency.and_then(|c| codes.iter().find(|k| k.eq_ignore_ascii_case(c))) {
        return Resolved::Code(c, "the carrier's currency");
    }
    if let Some(c) = from_country.and_then(|c| codes.iter().find(|k| **k == c)) {
        return Resolved::Code(c, "the country");
    }
    let by_lang = match (lang.unwrap_or(""), sign.codes) {
        ("ja", c) if c.contains("JPY") => Some("JPY"),
        ("zh-Hans", c) if c.contains("CNY") => Some("CNY"),
        ("ru", c) if c.contains("RUB") => Some("RUB"),
        ("sv", c) if c.contains("SEK") => Some("SEK"),
        ("nb", c) if c.contains("NOK") => Some("NOK"),
        ("da", c) if c.contains("DKK") => Some("DKK"),
        ("bg", c) if c.contains("BGN") => Some("BGN"),
        ("ro", c) if c.contains("RON") => Some("RON"),
        ("fa", c) if c.contains("IRR") => Some("IRR"),
        ("bn", c) if c.contains("BDT") => Some("BDT"),
        _ => default,
    };
    if let Some(c) = by_lang.and_then(|l| codes.iter().find(|k| **k == l)) {
        return Resolved::Code(c, "the language");
    }
    if from_country.is_some() && sign.exact {
        return Resolved::Mismatch(codes);
    }
    Resolved::Ambiguous(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        assert!(ISO_4217.windows(2).all(|w| w[0].0 < w[1].0), "sorted");
        for (cc, cur) in COUNTRY_CURRENCY {
            assert!(iso_code(cur).is_some(), "{cc} → {cur}");
        }
        for sg in SIGNS {
            for c in sg.codes.trim_start_matches('!').split(' ') {
                assert!(iso_code(c).is_some(), "{} → {c}", sg.spelling);
            }
        }
        assert_eq!(exponent("JPY"), 0);
        assert_eq!(exponent("KWD"), 3);
        assert_eq!(exponent("NGN"), 2);
    }

    #[test]
    fn dollar_needs_a_country_or_currency() {
        let dollar = SIGNS.iter().find(|s| s.spelling == "$").expect("$");
        assert!(matches!(
            resolve_sign(dollar, None, None, Some("en")),
            Resolved::Ambiguous(_)
        ));
        assert_eq!(
            resolve_sign(dollar, None, Some("CA"), None),
            Resolved::Code("CAD", "the country")
        );
        assert_eq!(
            resolve_sign(dollar, Some("CUP"), Some("CU"), None),
            Resolved::Code("CUP", "the carrier's currency")
        );
        assert_eq!(
            resolve_sign(dollar, None, Some("EC"), None),
            Resolved::Code("USD", "the country")
        );
        let p = SIGNS.iter().find(|s| s.spelling == "P").expect("P");
        assert!(matches!(
            resolve_sign(p, None, Some("NG"), None),
            Resolved::Mismatch(_)
        ));
        assert_eq!(
            resolve_sign(p, None, Some("BW"), None),
            Resolved::Code("BWP", "the country")
        );
    }
}
