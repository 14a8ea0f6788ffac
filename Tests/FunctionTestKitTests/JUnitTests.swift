import Foundation
import FunctionTestKit
import Testing

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `--junit FILE`: well-formed XML with the right counts.
@Suite struct JUnitTests {
    /// The elements of a document with their attributes and text, or the parser's error.
    final class Elements: NSObject, XMLParserDelegate {
        struct Element {
            var name: String
            var attributes: [String: String]
            var text = ""
        }
        var all: [Element] = []
        private var open: [Int] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?,
                    qualifiedName: String?, attributes: [String: String] = [:]) {
            all.append(Element(name: name, attributes: attributes))
            open.append(all.count - 1)
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if let index = open.last { all[index].text += string }
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            open.removeLast()
        }

        static func parse(_ xml: String) throws -> Elements {
            let elements = Elements()
            let parser = XMLParser(data: Data(xml.utf8))
            parser.delegate = elements
            guard parser.parse() else {
                throw parser.parserError ?? CocoaError(.fileReadCorruptFile)
            }
            return elements
        }

        func named(_ name: String) -> [Element] { all.filter { $0.name == name } }
    }

    @Test func theReportIsWellFormedWithOneSuitePerFileAndTheRightCounts() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                describe("a", function()
                  it("passes", function() end)
                  it("fails", function() assert.is_nil(1) end)
                end)
                """,
            "b_test.lua": "local = 1",
            "tests/c_test.lua": #"it("passes too", function() end)"#,
        ])
        let report = await folder.run()
        let xml = try Elements.parse(report.junitXML())
        let root = try #require(xml.named("testsuites").first)
        #expect(root.attributes["tests"] == "4")
        #expect(root.attributes["failures"] == "2")
        let suites = xml.named("testsuite")
        #expect(suites.map { $0.attributes["name"] } == [
            folder.name("a_test.lua"), folder.name("b_test.lua"), folder.name("tests/c_test.lua"),
        ])
        #expect(suites.map { $0.attributes["tests"] } == ["2", "1", "1"])
        #expect(suites.map { $0.attributes["failures"] } == ["1", "1", "0"])
        #expect(xml.named("testcase").count == 4)
        let failures = xml.named("failure")
        #expect(failures.count == 2)
        #expect(failures.first?.text == folder.name("a_test.lua") + ":3: expected nil, got 1")
        let failing = xml.named("testcase").first { $0.attributes["name"] == "a fails" }
        #expect(failing?.attributes["line"] == "3")
    }

    @Test func whatAFilesTopLevelPrintedIsItsSuitesSystemOut() async throws {
        let folder = try TestFolder([
            "a_test.lua": """
                print("top level")
                it("passes", function() print("in the test") end)
                """,
        ])
        let xml = try Elements.parse(await folder.run().junitXML())
        #expect(xml.named("system-out").map(\.text) == ["in the test", "top level"])
    }

    @Test func namesAndMessagesAreEscaped() async throws {
        let folder = try TestFolder([
            "a_test.lua": #"""
                it([[<&> "quotes" 'and' ]] .. "\1control", function()
                  error("<fail> & \"more\"\n\tsecond line \2", 0)
                end)
                """#,
        ])
        let report = await folder.run()
        let xml = try Elements.parse(report.junitXML())
        let test = try #require(xml.named("testcase").first)
        #expect(test.attributes["name"] == #"<&> "quotes" 'and' "# + "\u{FFFD}control")
        let failure = try #require(xml.named("failure").first)
        #expect(failure.text.hasSuffix("<fail> & \"more\"\n\tsecond line \u{FFFD}"))
        #expect(failure.attributes["message"] == #"<fail> & "more""#)
    }

    @Test func aFolderThatDoesNotCompileIsOneFailedCase() async throws {
        let folder = try TestFolder(["10-broken.lua": "return function(", "a_test.lua": "it('x', function() end)"])
        let report = await folder.run()
        let xml = try Elements.parse(report.junitXML())
        #expect(xml.named("testsuites").first?.attributes["failures"] == "1")
        #expect(xml.named("failure").first?.text.contains(folder.name("10-broken.lua") + ":1:") == true)
    }
}
