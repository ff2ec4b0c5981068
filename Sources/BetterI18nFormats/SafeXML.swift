import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An XML document read with Foundation's `XMLParser` into a small tree with line numbers.
///
/// Safe with untrusted files: external entities are never resolved (`shouldResolveExternalEntities`
/// off, and any resolution asked for is refused), and a document that declares entities at all —
/// how entity-expansion bombs ("billion laughs") and external-entity reads start — is refused
/// before anything is expanded. A `DOCTYPE` that only names a DTD (as property lists do) is fine.
final class XMLNode {
    let name: String
    let attributes: [String: String]
    let line: Int
    var children: [XMLNode] = []
    /// Character data directly inside this element, in order.
    var text = ""

    init(name: String, attributes: [String: String], line: Int) {
        self.name = name
        self.attributes = attributes
        self.line = line
    }

    func elements(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    func first(_ name: String) -> XMLNode? { children.first { $0.name == name } }

    /// Local name, without a namespace prefix.
    var localName: String { name.split(separator: ":").last.map(String.init) ?? name }

    static func parse(_ text: String) throws -> XMLNode {
        try refuseInternalSubset(text)
        let reader = Reader()
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        let finished = parser.parse()
        if let refusal = reader.refusal { throw refusal }
        guard finished, parser.parserError == nil, let root = reader.root else {
            let line = parser.lineNumber > 0 ? parser.lineNumber : nil
            let reason = (parser.parserError as NSError?).map { " (\($0.code))" } ?? ""
            throw FormatFailure.at(line, "invalid_xml", "the file is not well-formed XML\(reason)")
        }
        return root
    }

    /// Refuses a `DOCTYPE` with an internal subset (`[…]`), where entities are declared.
    /// Foundation's `XMLParser` on Linux neither reports entity declarations to its delegate
    /// nor lets one turn substitution off, so the prolog is read first, markup by markup (quoted
    /// literals, comments and processing instructions skipped as XML defines them), up to the
    /// root element.
    static func refuseInternalSubset(_ text: String) throws {
        let bytes = Array(text.utf8)
        var index = 0
        var line = 1
        func starts(_ literal: String) -> Bool { bytes[index...].starts(with: literal.utf8) }
        func skip(past terminator: String) {
            while index < bytes.count, !starts(terminator) {
                if bytes[index] == 10 { line += 1 }
                index += 1
            }
            index += terminator.utf8.count
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 10 { line += 1; index += 1; continue }
            if byte == 0x20 || byte == 0x09 || byte == 0x0D { index += 1; continue }
            if starts("<?") { skip(past: "?>"); continue }
            if starts("<!--") { skip(past: "-->"); continue }
            guard starts("<!DOCTYPE") else { return }   // the root element: the prolog is over
            let doctypeLine = line
            index += 9
            var quote: UInt8?
            while index < bytes.count {
                let current = bytes[index]
                if current == 10 { line += 1 }
                if let open = quote {
                    if current == open { quote = nil }
                } else if current == UInt8(ascii: "\"") || current == UInt8(ascii: "'") {
                    quote = current
                } else if current == UInt8(ascii: "[") {
                    // The line of the first declaration inside, for the message.
                    var probe = index
                    var probeLine = line
                    while probe < bytes.count, !bytes[probe...].starts(with: "<!ENTITY".utf8), bytes[probe] != UInt8(ascii: "]") {
                        if bytes[probe] == 10 { probeLine += 1 }
                        probe += 1
                    }
                    let found = probe < bytes.count && bytes[probe] != UInt8(ascii: "]")
                    throw FormatFailure.at(found ? probeLine : doctypeLine, "xml_entity",
                                           "the file declares entities (a DOCTYPE with an internal subset); entity declarations are not accepted and external entities are never read")
                } else if current == UInt8(ascii: ">") {
                    index += 1
                    break
                }
                index += 1
            }
        }
    }

    private final class Reader: NSObject, XMLParserDelegate {
        var stack: [XMLNode] = []
        var root: XMLNode?
        var refusal: FormatFailure?

        func refuse(_ parser: XMLParser, _ code: String, _ message: String) {
            if refusal == nil { refusal = FormatFailure.at(parser.lineNumber, code, message) }
            parser.abortParsing()
        }

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            guard refusal == nil else { return }
            let node = XMLNode(name: elementName, attributes: attributes, line: parser.lineNumber)
            if let parent = stack.last { parent.children.append(node) } else { root = node }
            stack.append(node)
            if stack.count > 32 { refuse(parser, "invalid_xml", "elements are nested too deeply") }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            _ = stack.popLast()
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            stack.last?.text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            stack.last?.text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, foundInternalEntityDeclarationWithName name: String, value: String?) {
            refuse(parser, "xml_entity", "the file declares the entity '\(name)'; entity declarations are not accepted")
        }

        func parser(_ parser: XMLParser, foundExternalEntityDeclarationWithName name: String, publicID: String?, systemID: String?) {
            refuse(parser, "xml_entity", "the file declares the external entity '\(name)'; external entities are never read")
        }

        func parser(_ parser: XMLParser, foundUnparsedEntityDeclarationWithName name: String, publicID: String?, systemID: String?,
                    notationName: String?) {
            refuse(parser, "xml_entity", "the file declares the entity '\(name)'; entity declarations are not accepted")
        }

        func parser(_ parser: XMLParser, resolveExternalEntityName name: String, systemID: String?) -> Data? {
            refuse(parser, "xml_entity", "the file refers to the external entity '\(name)'; external entities are never read")
            return nil
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {}
    }
}

/// XML text written by hand, escaped for element content or attributes.
enum XMLText {
    static func escape(_ text: String, attribute: Bool = false) -> String {
        let plain = !text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\r")
                || (attribute && (byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\t")))
        }
        if plain { return text }
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": output += "&amp;"
            case "<": output += "&lt;"
            case ">": output += "&gt;"
            case "\"" where attribute: output += "&quot;"
            case "\n" where attribute: output += "&#10;"
            case "\t" where attribute: output += "&#9;"
            case "\r": output += "&#13;"
            default:
                // Characters XML 1.0 cannot hold at all are dropped by no one: callers note them.
                output.unicodeScalars.append(scalar)
            }
        }
        return output
    }

    /// Whether XML 1.0 can hold the text (no control characters but tab, newline, return).
    static func isRepresentable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" || $0 == "\t" || $0 == "\r" }
    }
}
