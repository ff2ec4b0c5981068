/// CLDR plural categories per language, for integer counts, and the gettext `Plural-Forms`
/// that pick them (the formulas of the gettext manual and CLDR's own gettext rules): which
/// categories a language has decides which `msgstr[i]` holds which ICU case.
public enum PluralRules {
    /// ICU's plural keywords in CLDR order.
    public static let categories: [String] = ["zero", "one", "two", "few", "many", "other"]

    public struct Gettext: Sendable, Equatable {
        /// The ICU category each `msgstr[i]` holds, in index order.
        public let categories: [String]
        /// `plural=…` of the header.
        public let formula: String

        public var header: String { "nplurals=\(categories.count); plural=\(formula);" }
    }

    static let onlyOther = Gettext(categories: ["other"], formula: "0")
    static let oneOther = Gettext(categories: ["one", "other"], formula: "(n != 1)")
    static let oneForZeroAndOne = Gettext(categories: ["one", "other"], formula: "(n > 1)")
    static let eastSlavic = Gettext(
        categories: ["one", "few", "many"],
        formula: "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2)")
    static let westSlavic = Gettext(categories: ["one", "few", "other"], formula: "(n==1 ? 0 : (n>=2 && n<=4) ? 1 : 2)")
    static let polish = Gettext(
        categories: ["one", "few", "many"], formula: "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2)")
    static let southSlavic = Gettext(
        categories: ["one", "few", "other"],
        formula: "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<12 || n%100>14) ? 1 : 2)")
    static let arabic = Gettext(
        categories: ["zero", "one", "two", "few", "many", "other"],
        formula: "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)")
    static let hebrew = Gettext(categories: ["one", "two", "other"], formula: "(n==1 ? 0 : n==2 ? 1 : 2)")
    static let romanian = Gettext(
        categories: ["one", "few", "other"], formula: "(n==1 ? 0 : (n==0 || (n%100>0 && n%100<20)) ? 1 : 2)")
    static let lithuanian = Gettext(
        categories: ["one", "few", "other"], formula: "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && (n%100<10 || n%100>=20) ? 1 : 2)")
    static let latvian = Gettext(
        categories: ["zero", "one", "other"], formula: "(n%10==0 || (n%100>=11 && n%100<=19) ? 0 : n%10==1 && n%100!=11 ? 1 : 2)")
    static let slovenian = Gettext(
        categories: ["one", "two", "few", "other"], formula: "(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3)")
    static let irish = Gettext(
        categories: ["one", "two", "few", "many", "other"], formula: "(n==1 ? 0 : n==2 ? 1 : n<7 ? 2 : n<11 ? 3 : 4)")
    static let welsh = Gettext(
        categories: ["zero", "one", "two", "few", "many", "other"],
        formula: "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n==3 ? 3 : n==6 ? 4 : 5)")

    private static let byLanguage: [String: Gettext] = {
        var table: [String: Gettext] = [:]
        for code in ["ja", "zh", "ko", "vi", "th", "id", "ms", "lo", "my", "km", "yue"] { table[code] = onlyOther }
        for code in ["fr", "hi", "bn", "fa", "am", "zu", "ln", "pa", "gu", "kn", "mr"] { table[code] = oneForZeroAndOne }
        table["pt-br"] = oneForZeroAndOne
        for code in ["ru", "uk", "be"] { table[code] = eastSlavic }
        for code in ["cs", "sk"] { table[code] = westSlavic }
        table["pl"] = polish
        for code in ["hr", "sr", "bs"] { table[code] = southSlavic }
        table["ar"] = arabic
        for code in ["he", "iw"] { table[code] = hebrew }
        for code in ["ro", "mo"] { table[code] = romanian }
        table["lt"] = lithuanian
        table["lv"] = latvian
        table["sl"] = slovenian
        table["ga"] = irish
        table["cy"] = welsh
        return table
    }()

    /// The gettext rules of a BCP 47 code: the full code first (`pt-br`), then its language;
    /// languages not in the table count like English (`one`, `other`).
    public static func gettext(for language: String) -> Gettext {
        let code = language.lowercased()
        if let rules = byLanguage[code] { return rules }
        let base = String(code.split(separator: "-").first ?? "")
        return byLanguage[base] ?? oneOther
    }
}
