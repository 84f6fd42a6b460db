/// A JSON object whose member names are matched case-insensitively (RFC 7643 §2.1) and whose
/// members keep the order they were written in.
///
/// Equality ignores member order and the case of member names, so a resource read back with its
/// attributes in another order is the same resource (what PATCH "did anything change" relies on).
public struct JSONObject: Sendable, Sequence {
    /// One name/value pair.
    public struct Member: Sendable, Hashable {
        public var key: String
        public var value: JSONValue

        public init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
        }
    }

    /// The members in order.
    public private(set) var members: [Member]

    /// An empty object.
    public init() { self.members = [] }

    /// An object from members; a later member replaces an earlier one of the same name.
    public init(_ members: [Member]) {
        self.members = []
        self.members.reserveCapacity(members.count)
        for member in members { self[member.key] = member.value }
    }

    /// An object from members already known to have distinct names (the parser checks).
    init(uncheckedMembers members: [Member]) {
        self.members = members
    }

    /// An object from name/value pairs, in order.
    public init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.init(pairs.map { Member(key: $0.key, value: $0.value) })
    }

    /// The number of members.
    public var count: Int { members.count }

    /// Whether there are no members.
    public var isEmpty: Bool { members.isEmpty }

    /// The member names in order.
    public var keys: [String] { members.map(\.key) }

    /// The index of the member named `key`, ignoring case.
    public func index(of key: String) -> Int? {
        members.firstIndex { $0.key.equalsIgnoringASCIICase(key) }
    }

    /// The stored spelling of the member named `key`, ignoring case.
    public func storedKey(for key: String) -> String? {
        index(of: key).map { members[$0].key }
    }

    /// Reads, replaces, adds (at the end) or — with `nil` — removes the member named `key`.
    /// Replacing keeps the member's position and the new spelling of its name.
    public subscript(key: String) -> JSONValue? {
        get { index(of: key).map { members[$0].value } }
        set {
            if let index = index(of: key) {
                if let newValue {
                    members[index] = Member(key: key, value: newValue)
                } else {
                    members.remove(at: index)
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
            }
        }
    }

    /// Removes the member named `key` and returns its value.
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let index = index(of: key) else { return nil }
        return members.remove(at: index).value
    }

    /// Keeps only the members for which `predicate` is true.
    public mutating func removeAll(where predicate: (Member) throws -> Bool) rethrows {
        try members.removeAll(where: predicate)
    }

    public func makeIterator() -> IndexingIterator<[Member]> { members.makeIterator() }
}

extension JSONObject: Hashable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.members.count == rhs.members.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }

    public func hash(into hasher: inout Hasher) {
        // Order-insensitive: combine the members' own hashes commutatively.
        var sum = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key.lowercasedASCII())
            memberHasher.combine(member.value)
            sum &+= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(sum)
    }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init(elements.map { Member(key: $0.0, value: $0.1) })
    }
}

extension String {
    /// Compares two strings ignoring the case of ASCII letters, without allocating; attribute
    /// names and schema URNs are ASCII (RFC 7643 §2.1, ABNF `ATTRNAME`).
    public func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let left = utf8
        let right = other.utf8
        guard left.count == right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            guard foldASCII(a) == foldASCII(b) else { return false }
        }
        return true
    }

    /// Whether the string starts with `prefix`, ignoring the case of ASCII letters.
    public func hasPrefixIgnoringASCIICase(_ prefix: String) -> Bool {
        let left = utf8
        let right = prefix.utf8
        guard left.count >= right.count else { return false }
        for (a, b) in zip(left, right) where a != b {
            guard foldASCII(a) == foldASCII(b) else { return false }
        }
        return true
    }

    /// The string with ASCII letters lower-cased and everything else unchanged.
    public func lowercasedASCII() -> String {
        String(decoding: utf8.map(foldASCII), as: UTF8.self)
    }
}

@inline(__always)
private func foldASCII(_ byte: UInt8) -> UInt8 {
    byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
}
