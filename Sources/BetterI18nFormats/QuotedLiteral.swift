/// A double-quoted literal with C escapes (`\"`, `\\`, `\n`, `\t`, `\r`): how both Apple
/// `.strings` files and gettext `.po` files write their strings.
enum QuotedLiteral {
    static func quote(_ text: String) -> String {
        var output = "\""
        for character in text.unicodeScalars {
            switch character {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\t": output += "\\t"
            case "\r": output += "\\r"
            default: output.unicodeScalars.append(character)
            }
        }
        return output + "\""
    }
}
