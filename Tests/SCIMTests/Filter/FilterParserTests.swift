import SCIM
import Testing

/// RFC 7644 §3.4.2.2: filter text → tree. Rows are (filter, expected tree in prefix notation).
@Suite("Filter parsing (RFC 7644 §3.4.2.2)")
struct FilterParserTests {
    static let valid: [(String, String)] = [
        // The RFC's own examples (Figure 2 and the case-insensitivity note).
        (#"userName Eq "john""#, #"eq(userName,"john")"#),
        (#"Username eq "john""#, #"eq(Username,"john")"#),
        (#"userName eq "bjensen""#, #"eq(userName,"bjensen")"#),
        (#"name.familyName co "O'Malley""#, #"co(name.familyName,"O'Malley")"#),
        (#"userName sw "J""#, #"sw(userName,"J")"#),
        (
            #"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
            #"sw(urn:ietf:params:scim:schemas:core:2.0:User:userName,"J")"#
        ),
        ("title pr", "pr(title)"),
        (#"meta.lastModified gt "2011-05-13T04:42:34Z""#, #"gt(meta.lastModified,"2011-05-13T04:42:34Z")"#),
        (#"meta.lastModified ge "2011-05-13T04:42:34Z""#, #"ge(meta.lastModified,"2011-05-13T04:42:34Z")"#),
        (#"meta.lastModified lt "2011-05-13T04:42:34Z""#, #"lt(meta.lastModified,"2011-05-13T04:42:34Z")"#),
        (#"meta.lastModified le "2011-05-13T04:42:34Z""#, #"le(meta.lastModified,"2011-05-13T04:42:34Z")"#),
        (#"title pr and userType eq "Employee""#, #"and(pr(title),eq(userType,"Employee"))"#),
        (#"title pr or userType eq "Intern""#, #"or(pr(title),eq(userType,"Intern"))"#),
        (
            #"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
            #"eq(schemas,"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")"#
        ),
        (
            #"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
            #"and(eq(userType,"Employee"),or(co(emails,"example.com"),co(emails.value,"example.org")))"#
        ),
        (
            #"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
            #"and(ne(userType,"Employee"),not(or(co(emails,"example.com"),co(emails.value,"example.org"))))"#
        ),
        (
            #"userType eq "Employee" and (emails.type eq "work")"#,
            #"and(eq(userType,"Employee"),eq(emails.type,"work"))"#
        ),
        (
            #"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
            #"and(eq(userType,"Employee"),emails[and(eq(type,"work"),co(value,"@example.com"))])"#
        ),
        (
            #"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
            #"or(emails[and(eq(type,"work"),co(value,"@example.com"))],ims[and(eq(type,"xmpp"),co(value,"@foo.com"))])"#
        ),
        // Every operator.
        (#"userName eq "a""#, #"eq(userName,"a")"#),
        (#"userName ne "a""#, #"ne(userName,"a")"#),
        (#"userName co "a""#, #"co(userName,"a")"#),
        (#"userName sw "a""#, #"sw(userName,"a")"#),
        (#"userName ew "a""#, #"ew(userName,"a")"#),
        (#"userName gt "a""#, #"gt(userName,"a")"#),
        (#"userName lt "a""#, #"lt(userName,"a")"#),
        (#"userName ge "a""#, #"ge(userName,"a")"#),
        (#"userName le "a""#, #"le(userName,"a")"#),
        ("userName pr", "pr(userName)"),
        // Keywords and operators in any case.
        (#"userName EQ "a""#, #"eq(userName,"a")"#),
        (#"userName eQ "a""#, #"eq(userName,"a")"#),
        ("title PR", "pr(title)"),
        ("title Pr", "pr(title)"),
        ("title pr AND userType pr", "and(pr(title),pr(userType))"),
        ("title pr Or userType pr", "or(pr(title),pr(userType))"),
        ("NOT (title pr)", "not(pr(title))"),
        ("Not (title pr)", "not(pr(title))"),
        ("active eq TRUE", "eq(active,true)"),
        ("active eq False", "eq(active,false)"),
        ("title eq NULL", "eq(title,null)"),
        // Literals.
        ("active eq true", "eq(active,true)"),
        ("active eq false", "eq(active,false)"),
        ("title eq null", "eq(title,null)"),
        ("x eq 42", "eq(x,42)"),
        ("x eq -1", "eq(x,-1)"),
        ("x eq 0", "eq(x,0)"),
        ("x eq 1.5", "eq(x,1.5)"),
        ("x eq 1e3", "eq(x,1e3)"),
        ("x eq -2.5E-3", "eq(x,-2.5E-3)"),
        (#"userName eq "say \"hi\"""#, #"eq(userName,"say \"hi\"")"#),
        (#"userName eq "back\\slash""#, #"eq(userName,"back\\slash")"#),
        (#"userName eq "caf\u00e9""#, #"eq(userName,"café")"#),
        (#"userName eq "a\/b""#, #"eq(userName,"a/b")"#),
        (#"userName eq "tab\there""#, #"eq(userName,"tab\there")"#),
        (#"userName eq """#, #"eq(userName,"")"#),
        (#"userName eq "ünïcödé""#, #"eq(userName,"ünïcödé")"#),
        (#"userName eq "\ud83d\ude00""#, #"eq(userName,"😀")"#),
        (#"userName eq "a and b or c""#, #"eq(userName,"a and b or c")"#),
        (#"userName eq "[x]""#, #"eq(userName,"[x]")"#),
        // Paths.
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
            #"eq(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber,"701984")"#
        ),
        (
            #"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "26118915""#,
            #"eq(urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value,"26118915")"#
        ),
        (#"members.value eq "2819c223""#, #"eq(members.value,"2819c223")"#),
        (#"members.$ref pr"#, "pr(members.$ref)"),
        (#"name.givenName eq "Barbara""#, #"eq(name.givenName,"Barbara")"#),
        (#"x509Certificates.value pr"#, "pr(x509Certificates.value)"),
        (#"user-name_2 eq "a""#, #"eq(user-name_2,"a")"#),
        // Whitespace.
        (#"  userName   eq   "a"  "#, #"eq(userName,"a")"#),
        ("title pr\tand\tuserType pr", "and(pr(title),pr(userType))"),
        ("not(title pr)", "not(pr(title))"),
        ("(title pr)", "pr(title)"),
        ("((title pr))", "pr(title)"),
        ("( title pr )", "pr(title)"),
        // Value paths.
        (#"emails[type eq "work"]"#, #"emails[eq(type,"work")]"#),
        (#"emails[not (type eq "work")]"#, #"emails[not(eq(type,"work"))]"#),
        (#"emails[type eq "work" or primary eq true]"#, #"emails[or(eq(type,"work"),eq(primary,true))]"#),
        (#"emails[value pr]"#, "emails[pr(value)]"),
        (#"emails[ type eq "work" ]"#, #"emails[eq(type,"work")]"#),
        (#"members[value eq "a" or value eq "b"]"#, #"members[or(eq(value,"a"),eq(value,"b"))]"#),
        (#"addresses[type eq "work"] and title pr"#, #"and(addresses[eq(type,"work")],pr(title))"#),
        (#"not (emails[type eq "work"])"#, #"not(emails[eq(type,"work")])"#),
        // Entra's matching filter: a value path, a sub-attribute, a comparison
        // (docs/idp-behaviour.md §5.3).
        (
            #"emails[type eq "work"].value eq "a@contoso.test""#,
            #"emails[and(eq(type,"work"),eq(value,"a@contoso.test"))]"#
        ),
        (#"emails[type eq "work"].value pr"#, #"emails[and(eq(type,"work"),pr(value))]"#),
        (
            #"emails[type eq "work"].value eq "a" and userName pr"#,
            #"and(emails[and(eq(type,"work"),eq(value,"a"))],pr(userName))"#
        ),
    ]

    @Test("valid filters parse to the expected tree", arguments: valid)
    func parsesValidFilter(text: String, expected: String) throws {
        let filter = try FilterParser().parse(text)
        #expect(tree(filter) == expected)
    }

    /// Precedence: grouping and `not` bind tightest, then `and`, then `or`; both left-associative.
    static let precedence: [(String, String)] = [
        ("a pr or b pr and c pr", "or(pr(a),and(pr(b),pr(c)))"),
        ("a pr and b pr or c pr", "or(and(pr(a),pr(b)),pr(c))"),
        ("a pr and b pr and c pr", "and(and(pr(a),pr(b)),pr(c))"),
        ("a pr or b pr or c pr", "or(or(pr(a),pr(b)),pr(c))"),
        ("a pr or b pr and c pr or d pr", "or(or(pr(a),and(pr(b),pr(c))),pr(d))"),
        ("a pr and b pr or c pr and d pr", "or(and(pr(a),pr(b)),and(pr(c),pr(d)))"),
        ("(a pr or b pr) and c pr", "and(or(pr(a),pr(b)),pr(c))"),
        ("a pr and (b pr or c pr)", "and(pr(a),or(pr(b),pr(c)))"),
        ("a pr and (b pr and c pr)", "and(pr(a),and(pr(b),pr(c)))"),
        ("a pr or (b pr or c pr)", "or(pr(a),or(pr(b),pr(c)))"),
        ("not (a pr) and b pr", "and(not(pr(a)),pr(b))"),
        ("not (a pr) or b pr", "or(not(pr(a)),pr(b))"),
        ("a pr and not (b pr or c pr)", "and(pr(a),not(or(pr(b),pr(c))))"),
        ("not (a pr and b pr) or c pr", "or(not(and(pr(a),pr(b))),pr(c))"),
        ("not (not (a pr))", "not(not(pr(a)))"),
        ("(a pr or b pr) and (c pr or d pr)", "and(or(pr(a),pr(b)),or(pr(c),pr(d)))"),
        ("((a pr or b pr) and c pr) or d pr", "or(and(or(pr(a),pr(b)),pr(c)),pr(d))"),
        ("x[a pr or b pr and c pr]", "x[or(pr(a),and(pr(b),pr(c)))]"),
        ("x[a pr] or y[b pr] and z pr", "or(x[pr(a)],and(y[pr(b)],pr(z)))"),
        ("a pr AND b pr OR c pr", "or(and(pr(a),pr(b)),pr(c))"),
    ]

    @Test("precedence and associativity", arguments: precedence)
    func bindsByPrecedence(text: String, expected: String) throws {
        #expect(tree(try FilterParser().parse(text)) == expected)
    }

    /// Invalid filters: (text, column of the error, a fragment of the message).
    static let invalid: [(String, Int, String)] = [
        ("", 1, "empty"),
        ("   ", 1, "empty"),
        ("userName", 9, "comparison operator"),
        (#"userName eqq "x""#, 10, "'eqq'"),
        ("userName eq", 12, "expected a value"),
        ("userName eq john", 13, "strings need double quotes"),
        (#"userName eq "john"#, 13, "not closed"),
        (#"(userName eq "x""#, 17, "expected ')'"),
        (#"userName eq "x")"#, 16, "end of the filter"),
        (#"userName eq "x" and"#, 20, "expected an attribute name"),
        (#"userName eq "x" or or"#, 22, "comparison operator"),
        (#"and userName eq "x""#, 5, "comparison operator"),
        (#"emails[type eq "work""#, 22, "expected ']'"),
        (#"emails[type eq "work"]]"#, 23, "end of the filter"),
        (#"not userName eq "x""#, 5, "comparison operator"),
        (#"userName eq "\q""#, 14, "not a JSON escape"),
        ("userName eq 1.", 13, "not a valid number"),
        ("userName eq --1", 13, "not a valid number"),
        ("userName eq 01", 13, "not a valid number"),
        (#"userName ~ "x""#, 10, "unexpected character '~'"),
        (#"userName eq "x" && title pr"#, 17, "unexpected character '&'"),
        (#"1abc eq "x""#, 1, "expected an attribute name"),
        (#"name. eq "x""#, 1, "not an attribute path"),
        (#"name.givenName.x eq "y""#, 1, "not an attribute path"),
        (#"emails[type eq "work"].value"#, 29, "comparison operator"),
        (#"emails[type eq "work"].9x eq "y""#, 23, "is not a sub-attribute"),
        (#"userName eq "x" title pr"#, 17, "end of the filter"),
        ("()", 2, "expected an attribute name"),
        ("not ()", 6, "expected an attribute name"),
        (#"[type eq "work"]"#, 1, "expected an attribute name"),
        ("userName eq 'x'", 13, "unexpected character"),
        (#"userName eq "\u12""#, 14, "four hexadecimal digits"),
        ("title pr pr", 10, "end of the filter"),
        (#"userName eq "a" "b""#, 17, "end of the filter"),
        (#"name.givenName[value eq "x"]"#, 1, "not a sub-attribute"),
        (#"emails[]"#, 8, "expected an attribute name"),
        (#"userName eq ("x")"#, 13, "expected a value"),
        ("userName eq tru", 13, "strings need double quotes"),
        (#"userName eq "x" and (title pr"#, 30, "expected ')'"),
        (#"userName eq "x" not (title pr)"#, 17, "end of the filter"),
        ("userName eq [", 13, "expected a value"),
        (#"userName eq "x"]"#, 16, "end of the filter"),
        ("userName eq 1e", 13, "not a valid number"),
        ("a pr or (b pr or (c pr)", 24, "expected ')'"),
        (#"userName eq "line"#, 13, "not closed"),
        (#"😀 eq "x""#, 1, "unexpected character"),
    ]

    @Test("invalid filters report the column and what was expected", arguments: invalid)
    func reportsError(text: String, column: Int, fragment: String) {
        #expect {
            _ = try FilterParser().parse(text)
        } throws: { error in
            guard let error = error as? FilterParseError else { return false }
            #expect(error.column == column, "\(error)")
            #expect(error.message.contains(fragment) || error.description.contains(fragment), "\(error)")
            return true
        }
    }

    @Test("errors are drawn with a caret under the failing column")
    func caret() throws {
        let error = try #require(throws: FilterParseError.self) { try FilterParser().parse(#"userName eqq "x""#) }
        #expect(
            error.description == """
                expected a comparison operator (eq, ne, co, sw, ew, gt, lt, ge, le, pr) after 'userName' but found 'eqq' at column 10
                  userName eqq "x"
                           ^
                """)
        #expect(error.scimError.status == 400)
        #expect(error.scimError.scimType == .invalidFilter)
    }

    @Test("limits: length, nesting depth, number of comparisons")
    func enforcesLimits() throws {
        let limits = FilterLimits(maximumLength: 100, maximumDepth: 3, maximumComparisons: 4)
        let parser = FilterParser(limits: limits)
        let long = #"userName eq ""# + String(repeating: "a", count: 100) + #"""#
        let lengthError = try #require(throws: FilterParseError.self) { try parser.parse(long) }
        #expect(lengthError.message.contains("limit is 100"))
        #expect(!lengthError.description.contains("^"), "no caret under text that is not shown")
        _ = try parser.parse("(((a pr)))")
        let depthError = try #require(throws: FilterParseError.self) { try parser.parse("((((a pr))))") }
        #expect(depthError.message.contains("deeper than 3"))
        _ = try parser.parse("a pr and b pr and c pr and d pr")
        let countError = try #require(throws: FilterParseError.self) {
            try parser.parse("a pr and b pr and c pr and d pr and e pr")
        }
        #expect(countError.message.contains("more than 4 comparisons"))
        #expect(countError.column == 37)
    }

    @Test("the default limits stop hostile nesting without exhausting the stack")
    func hostileNesting() {
        let deep = String(repeating: "(", count: 100_000) + "a pr" + String(repeating: ")", count: 100_000)
        #expect(throws: FilterParseError.self) { try FilterParser().parse(deep) }
        let notChain = String(repeating: "not (", count: 5000) + "a pr" + String(repeating: ")", count: 5000)
        #expect(throws: FilterParseError.self) { try FilterParser().parse(notChain) }
    }

    @Test("every RFC 7644 §3.4.2.2 example filter in the fixture file parses and round-trips")
    func rfcExampleFile() throws {
        let lines = try Fixtures.text("rfc7644-3.4.2.2-filters.txt").split(separator: "\n").map(String.init)
        #expect(lines.count == 19)
        for line in lines {
            let filter = try FilterParser().parse(line)
            #expect(try FilterParser().parse(filter.description) == filter, "\(line)")
        }
    }
}
