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
        let reader = Reader()
        let parser = XMLParser(data: Data(text.utf8))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        parser.delegate = reader
        let finished = parser.parse()
        if let refusal = reader.refusal { throw refusal }
        guard finished, let root = reader.root else {
            let line = parser.lineNumber > 0 ? parser.lineNumber : nil
            let reason = (parser.parserError as NSError?).map { " (\($0.code))" } ?? ""
            throw FormatFailure.at(line, "invalid_xml", "the file is not well-formed XML\(reason)")
        }
        return root
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
