internal import CXMLSec

/// libxml2 and xmlsec, initialised once for the process. Everything else in this module goes
/// through these helpers; nothing of the C API leaves it.
enum LibXML {
    /// Set up libxml2, xmlsec and its OpenSSL back end, once. `false` when the library found
    /// is not the one this module was built against (the server then refuses SAML logins).
    static let ready: Bool = {
        // XMLSEC_NO_SIZE_T (set in the shim, as pkg-config says) makes xmlSecSize 32 bits wide.
        guard cxmlsec_size_of_xmlsec_size() == 4 else { return false }
        xmlInitParser()
        guard xmlSecInit() >= 0, cxmlsec_check_version() == 1 else { return false }
        guard xmlSecOpenSSLAppInit(nil) >= 0, xmlSecOpenSSLInit() >= 0 else { return false }
        cxmlsec_silence()
        return true
    }()

    /// The longest document accepted, before any parsing (a SAML response is a few kilobytes).
    static let maximumDocumentBytes = 256 * 1024

    static let protocolNamespace = "urn:oasis:names:tc:SAML:2.0:protocol"
    static let assertionNamespace = "urn:oasis:names:tc:SAML:2.0:assertion"
    static let signatureNamespace = "http://www.w3.org/2000/09/xmldsig#"
    static let metadataNamespace = "urn:oasis:names:tc:SAML:2.0:metadata"
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
}

/// A parsed document, freed when dropped.
final class XMLDocument {
    let pointer: xmlDocPtr

    /// Parses without the network, without entity substitution and without loading a DTD, and
    /// refuses any document type declaration at all (internal or external subset).
    init(bytes: [UInt8]) throws(SAMLError) {
        guard LibXML.ready else { throw SAMLError("the XML security library could not be initialised") }
        guard !bytes.isEmpty else { throw SAMLError("the document is empty") }
        guard bytes.count <= LibXML.maximumDocumentBytes else {
            throw SAMLError("the document is larger than \(LibXML.maximumDocumentBytes / 1024) KiB")
        }
        if XMLDocument.mentionsDoctype(bytes) { throw SAMLError("the document has a DOCTYPE, which SAML never needs") }
        // No network, and no messages on standard error (the refusal says what was wrong).
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed: xmlDocPtr? = bytes.withUnsafeBufferPointer { buffer in
            guard let start = buffer.baseAddress else { return nil }
            return start.withMemoryRebound(to: CChar.self, capacity: buffer.count) { base in
                xmlReadMemory(base, Int32(buffer.count), "saml.xml", nil, options)
            }
        }
        guard let parsed else { throw SAMLError("the document is not well-formed XML") }
        pointer = parsed
        guard parsed.pointee.intSubset == nil, parsed.pointee.extSubset == nil else {
            throw SAMLError("the document has a DOCTYPE, which SAML never needs")
        }
    }

    deinit { xmlFreeDoc(pointer) }

    var root: XMLElement? {
        xmlDocGetRootElement(pointer).map { XMLElement(node: $0, document: self) }
    }

    /// `<!DOCTYPE` anywhere in the bytes (checked before parsing: a DTD is refused, not read).
    static func mentionsDoctype(_ bytes: [UInt8]) -> Bool {
        let needle = Array("<!DOCTYPE".utf8)
        guard bytes.count >= needle.count else { return false }
        for start in 0...(bytes.count - needle.count) where bytes[start] == needle[0] {
            if Array(bytes[start..<(start + needle.count)]) == needle { return true }
        }
        return false
    }

    /// Registers every `ID` attribute as an XML ID, so `#id` references resolve to it, and
    /// refuses a document where one value is used twice or where `xml:id` appears (libxml2 knows
    /// neither SAML's `ID` nor a duplicate; xmlsec would take the first).
    func registerIDs() throws(SAMLError) {
        guard let root else { throw SAMLError("the document has no root element") }
        var seen = Set<String>()
        try register(root, seen: &seen)
    }

    private func register(_ element: XMLElement, seen: inout Set<String>) throws(SAMLError) {
        var attribute = element.node.pointee.properties
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            if let namespace = current.pointee.ns, let href = namespace.pointee.href,
                String(cString: href) == LibXML.xmlNamespace, name == "id"
            {
                throw SAMLError("the document uses xml:id, which SAML does not")
            }
            if current.pointee.ns == nil, name == "ID" {
                guard let value = element.attribute("ID"), !value.isEmpty else {
                    throw SAMLError("an element has an empty ID")
                }
                guard seen.insert(value).inserted else { throw SAMLError("the ID \(value) appears twice") }
                let added = XMLString.with(value) { xmlAddID(nil, pointer, $0, current) }
                guard added != nil else { throw SAMLError("the ID \(value) could not be registered") }
            }
            attribute = current.pointee.next
        }
        for child in element.children { try register(child, seen: &seen) }
    }

    /// The element whose registered ID is `id`.
    func element(withID id: String) -> XMLElement? {
        let attribute = XMLString.with(id) { xmlGetID(pointer, $0) }
        guard let attribute, let parent = attribute.pointee.parent else { return nil }
        return XMLElement(node: parent, document: self)
    }
}

/// An element of a document (the document is kept alive while the element is used).
struct XMLElement {
    let node: xmlNodePtr
    let document: XMLDocument

    var name: String { String(cString: node.pointee.name) }

    var namespace: String? {
        guard let namespace = node.pointee.ns, let href = namespace.pointee.href else { return nil }
        return String(cString: href)
    }

    func isElement(_ name: String, in namespace: String) -> Bool {
        self.name == name && self.namespace == namespace
    }

    var parent: XMLElement? {
        guard let parent = node.pointee.parent, parent.pointee.type == XML_ELEMENT_NODE else { return nil }
        return XMLElement(node: parent, document: document)
    }

    /// The child elements, in order.
    var children: [XMLElement] {
        var result: [XMLElement] = []
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE { result.append(XMLElement(node: current, document: document)) }
            child = current.pointee.next
        }
        return result
    }

    func children(_ name: String, in namespace: String) -> [XMLElement] {
        children.filter { $0.isElement(name, in: namespace) }
    }

    /// The one child of that name, `nil` when there is none; two is an error.
    func child(_ name: String, in namespace: String) throws(SAMLError) -> XMLElement? {
        let found = children(name, in: namespace)
        guard found.count <= 1 else { throw SAMLError("<\(name)> appears \(found.count) times in <\(self.name)>") }
        return found.first
    }

    /// Every element of that name at any depth below this one.
    func descendants(_ name: String, in namespace: String) -> [XMLElement] {
        var result: [XMLElement] = []
        for child in children {
            if child.isElement(name, in: namespace) { result.append(child) }
            result.append(contentsOf: child.descendants(name, in: namespace))
        }
        return result
    }

    /// An attribute without a namespace.
    func attribute(_ name: String) -> String? {
        guard let value = XMLString.with(name, { xmlGetNoNsProp(node, $0) }) else { return nil }
        defer { cxmlsec_free(value) }
        return String(cString: value)
    }

    /// All the text below this element, every text node joined (a comment splits nothing).
    var text: String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { cxmlsec_free(content) }
        return String(cString: content)
    }

    /// The text, trimmed of surrounding XML whitespace.
    var trimmedText: String {
        let scalars = text.unicodeScalars
        let isSpace: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\n" || $0 == "\r" || $0 == "\t" }
        guard let start = scalars.firstIndex(where: { !isSpace($0) }),
            let end = scalars.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(scalars[start...end])
    }
}

/// Swift strings as libxml2's `xmlChar *`.
enum XMLString {
    static func with<T>(_ text: String, _ body: (UnsafePointer<xmlChar>) -> T) -> T {
        text.withCString { characters in
            characters.withMemoryRebound(to: xmlChar.self, capacity: text.utf8.count + 1, body)
        }
    }

    /// Escapes text for an XML attribute value or element content.
    static func escaped(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
