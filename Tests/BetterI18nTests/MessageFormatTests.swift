import BetterI18nCore
import Testing

/// ICU MessageFormat syntax checks (SPEC §6.2 `invalid_message_format` with the offset).
@Suite struct MessageFormatTests {
    @Test(arguments: [
        "Hello",
        "Hello, {name}!",
        "{count, number}",
        "{price, number, currency}",
        "{when, date, ::yyyyMMdd}",
        "{count, plural, one {# item} other {# items}}",
        "{count, plural, offset:1 =0 {nobody} =1 {just {name}} one {{name} and # other} other {{name} and # others}}",
        "{place, selectordinal, one {#st} two {#nd} few {#rd} other {#th}}",
        "{gender, select, female {She} male {He} other {They}} liked it",
        "{a, select, x {{b, plural, one {one} other {many}}} other {none}}",
        "It''s here",
        "Use '{' and '}' literally",
        "don't worry",
        "'{name}' is not an argument",
        "{count, plural, one {'#' is literal} other {#}}",
        "Smile :)",
    ])
    func validMessagesPass(message: String) throws {
        try MessageFormat.validate(message)
    }

    @Test(arguments: [
        ("Hello {name", "missing '}'", 6),
        ("Hello name}", "unmatched '}'", 10),
        ("{count, plural, one {# item}}", "missing the required 'other' case", 0),
        ("{g, select, male {He}}", "missing the required 'other' case", 0),
        ("{count, plural, lots {x} other {y}}", "is not a plural category", 16),
        ("{n, currency}", "unknown argument type 'currency'", 4),
        ("{}", "expected an argument name", 1),
        ("{count, plural, one {x} one {y} other {z}}", "duplicate case 'one'", 24),
        ("It is '{unterminated", "unterminated quoted text", 6),
        ("{count, plural, other x}", "expected '{' after the case 'other'", 22),
    ] as [(String, String, Int)])
    func invalidMessagesNameTheOffset(message: String, expected: String, offset: Int) {
        do {
            try MessageFormat.validate(message)
            Issue.record("'\(message)' should be refused")
        } catch let error as MessageFormat.SyntaxError {
            #expect(error.message.contains(expected), "\(error)")
            #expect(error.offset == offset, "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}
