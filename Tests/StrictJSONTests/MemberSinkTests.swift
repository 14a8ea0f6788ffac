import Testing
@testable import StrictJSON

/// The two `JSONMemberSink`s of StrictJSON agree: the text written member by member is the
/// encoding of the tree built from the same members.
@Suite struct MemberSinkTests {
    private func describe<Sink: JSONMemberSink>(into sink: inout Sink) {
        sink.beginObject(memberCount: 5)
        sink.key("name")
        sink.string("a \"quoted\"\nline")
        sink.key("count")
        sink.integer(-42)
        sink.key("missing")
        sink.string(nil as String?)
        sink.key("nested")
        sink.beginObject()
        sink.key("flag")
        sink.bool(false)
        sink.key("empty")
        sink.beginObject()
        sink.endObject()
        sink.endObject()
        sink.key("whole")
        sink.value(["list": [1, "two", .null]])
        sink.endObject()
    }

    @Test func theTreeHoldsEveryMemberInOrder() throws {
        var tree = JSONTreeBuilder()
        describe(into: &tree)
        let expected: JSONValue = [
            "name": "a \"quoted\"\nline", "count": -42, "missing": .null,
            "nested": ["flag": false, "empty": [:]], "whole": ["list": [1, "two", .null]],
        ]
        #expect(tree.value == expected)
        #expect(tree.value?.objectValue?.keys.map { $0 } == ["name", "count", "missing", "nested", "whole"])
    }

    @Test func theStreamedTextIsTheTreesEncoding() throws {
        var tree = JSONTreeBuilder()
        describe(into: &tree)
        var text = JSONStreamWriter()
        describe(into: &text)
        #expect(String(decoding: text.bytes, as: UTF8.self) == tree.value?.encoded())
    }

    @Test func aTopLevelScalarIsTheValue() {
        var tree = JSONTreeBuilder()
        tree.string("alone")
        #expect(tree.value == "alone")
    }
}
