import Foundation
import Testing

/// The folders of the Study module depend in one direction, lowest first (ARCHITECTURE.md):
/// a file may name what its own folder and the folders below it declare, never what a
/// folder above declares. The compiler sees one module and would not notice a loop; this
/// reads the sources and does.
@Suite struct StudyLayers {
  static let order = ["StudyFile", "Results", "Cells", "Analysis", "Build", "Planning"]

  static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Sources")

  /// The Swift files of `folder` (relative to Sources), with their text.
  static func files(_ folder: String) throws -> [(name: String, text: String)] {
    let url = sources.appendingPathComponent(folder)
    return try FileManager.default.contentsOfDirectory(atPath: url.path).filter { $0.hasSuffix(".swift") }.sorted()
      .map { ("\(folder)/\($0)", try String(contentsOf: url.appendingPathComponent($0), encoding: .utf8)) }
  }

  @Test func everyFolderOfStudyIsALayer() throws {
    let folders = try FileManager.default.contentsOfDirectory(atPath: Self.sources.appendingPathComponent("Study").path)
    #expect(Set(folders) == Set(Self.order), "Study's folders are the layers, and only they")
  }

  @Test func noFileNamesWhatAHigherFolderDeclares() throws {
    var declared: [String: Int] = [:]  // name → its layer
    var members: [String: Int] = [:]  // a member that an extension of a higher layer adds
    let layers = try Self.order.map { try Self.files("Study/\($0)") }
    for (level, files) in layers.enumerated() {
      for file in files {
        for name in SwiftSource.topLevelDeclarations(file.text) { declared[name] = level }
      }
    }
    for (level, files) in layers.enumerated() {
      for file in files {
        for (type, member) in SwiftSource.extensionMembers(file.text) where (declared[type] ?? level) < level {
          members[member] = level
        }
      }
    }
    // A member name that a lower layer declares too (`name`, say) is that layer's own.
    var lowerMembers = Set<String>()
    var found: [String] = []
    for (level, files) in layers.enumerated() {
      for file in files { lowerMembers.formUnion(SwiftSource.memberDeclarations(file.text)) }
      for file in files {
        let code = SwiftSource.code(file.text)
        for word in SwiftSource.identifiers(code) {
          if let above = declared[word.name], above > level, !word.afterDot {
            found.append("\(file.name):\(word.line) names \(word.name), declared in \(Self.order[above])")
          }
          if let above = members[word.name], above > level, word.afterDot, !lowerMembers.contains(word.name) {
            found.append("\(file.name):\(word.line) uses .\(word.name), added in \(Self.order[above])")
          }
        }
      }
    }
    #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
  }

  /// The report phrases what Study computed: it makes no statistic and calls no analysis.
  /// It may read the values Study hands it (a `Spread`'s mean, a comparison's verdict) and
  /// name their types, but it constructs none (`Spread(…)`, `CompareFacts(…)`) and calls no
  /// function of Statistics or Analysis (`epochSpreads(…)`, `TestedModelFacts.confusions(…)`).
  @Test func theReportComputesNoStatistic() throws {
    var computing = Set<String>()
    for file in try Self.files("Statistics") { computing.formUnion(SwiftSource.topLevelDeclarations(file.text)) }
    for file in try Self.files("Study/Analysis") { computing.formUnion(SwiftSource.topLevelDeclarations(file.text)) }
    var found: [String] = []
    for file in try Self.files("Report") {
      let code = SwiftSource.code(file.text)
      for word in SwiftSource.identifiers(code) where computing.contains(word.name) && !word.afterDot && word.called {
        found.append("\(file.name):\(word.line) calls \(word.name)\(word.rest)")
      }
    }
    #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
  }
}

/// Just enough of Swift's lexical structure to find names: comments and string literals
/// left out, identifiers with their line.
enum SwiftSource {
  /// Names a file declares outside any braces: types, functions, constants, variables.
  static func topLevelDeclarations(_ text: String) -> Set<String> {
    var names = Set<String>()
    let pattern = try! NSRegularExpression(
      pattern:
        #"^(?:@\w+(?:\([^)]*\))?\s+)*(?:(?:public|internal|private|fileprivate|final|nonisolated)\s+)*(?:struct|enum|class|protocol|actor|typealias|func|let|var)\s+([A-Za-z_][A-Za-z0-9_]*)"#,
      options: [.anchorsMatchLines])
    let code = code(text)
    for match in pattern.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
      if let range = Range(match.range(at: 1), in: code) { names.insert(String(code[range])) }
    }
    return names
  }

  /// Names declared inside braces: members, cases, parameters' labels aside.
  static func memberDeclarations(_ text: String) -> Set<String> {
    var names = Set<String>()
    let pattern = try! NSRegularExpression(
      pattern: #"^\s+(?:[@\w()]+\s+)*?(?:func|var|let|case|subscript)\s+([A-Za-z_][A-Za-z0-9_]*)"#,
      options: [.anchorsMatchLines])
    let code = code(text)
    for match in pattern.matches(in: code, range: NSRange(code.startIndex..., in: code)) {
      if let range = Range(match.range(at: 1), in: code) { names.insert(String(code[range])) }
    }
    return names
  }

  /// (extended type, member) for each member an extension declares at its top level.
  static func extensionMembers(_ text: String) -> [(String, String)] {
    let code = code(text)
    var found: [(String, String)] = []
    var current: String?
    let member = try! NSRegularExpression(
      pattern:
        #"^  (?:@\w+\s+)*(?:(?:public|internal|private|fileprivate|static|mutating|nonisolated)\s+)*(?:func|var|let|subscript)\s+([A-Za-z_][A-Za-z0-9_]*)"#
    )
    for line in code.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
      if line.hasPrefix("extension ") {
        current = String(line.dropFirst("extension ".count).prefix { $0.isLetter || $0.isNumber || $0 == "_" })
      } else if line.hasPrefix("}") {
        current = nil
      } else if let type = current,
        let match = member.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
        let range = Range(match.range(at: 1), in: line)
      {
        // Private members are the extension's own business.
        if !line.contains("private ") { found.append((type, String(line[range]))) }
      }
    }
    return found
  }

  /// The text with comments and string literals blanked (newlines kept, so lines count).
  static func code(_ text: String) -> String {
    var out = ""
    let chars = Array(text)
    var i = 0
    func at(_ s: String) -> Bool {
      let pattern = Array(s)
      return i + pattern.count <= chars.count && Array(chars[i..<(i + pattern.count)]) == pattern
    }
    while i < chars.count {
      if at("//") {
        while i < chars.count && chars[i] != "\n" { i += 1 }
      } else if at("/*") {
        i += 2
        while i < chars.count && !at("*/") {
          if chars[i] == "\n" { out.append("\n") }
          i += 1
        }
        i += 2
      } else if at("\"\"\"") || at("#\"") || at("\"") {
        let raw = chars[i] == "#"
        let triple = at(raw ? "#\"\"\"" : "\"\"\"")
        let close = (triple ? "\"\"\"" : "\"") + (raw ? "#" : "")
        i += (raw ? 1 : 0) + (triple ? 3 : 1)
        while i < chars.count && !at(close) {
          if chars[i] == "\\" && !raw { i += 1 }
          if i < chars.count && chars[i] == "\n" { out.append("\n") }
          i += 1
        }
        i += close.count
        out.append("\"\"")
      } else {
        out.append(chars[i])
        i += 1
      }
    }
    return out
  }

  struct Word {
    let name: String
    let line: Int
    /// Whether a `.` comes just before it (a member, not a name in scope).
    let afterDot: Bool
    /// What follows it on its line.
    let rest: String

    /// Whether it is called or constructed: `Name(…)`, `Name.member(…)`, `Name.init`.
    var called: Bool {
      if rest.hasPrefix("(") || rest.hasPrefix(".init") { return true }
      guard rest.hasPrefix(".") else { return false }
      let member = rest.dropFirst().prefix { $0.isLetter || $0.isNumber || $0 == "_" }
      return rest.dropFirst(member.count + 1).hasPrefix("(")
    }
  }

  static func identifiers(_ code: String) -> [Word] {
    var words: [Word] = []
    for (index, line) in code.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let chars = Array(line)
      var i = 0
      while i < chars.count {
        guard chars[i].isLetter || chars[i] == "_" else {
          i += 1
          continue
        }
        let start = i
        while i < chars.count && (chars[i].isLetter || chars[i].isNumber || chars[i] == "_") { i += 1 }
        // Digits glued to a letter (`1e5`) belong to a number, not a name.
        if start > 0 && chars[start - 1].isNumber { continue }
        words.append(
          Word(
            name: String(chars[start..<i]), line: index + 1, afterDot: start > 0 && chars[start - 1] == ".",
            rest: String(chars[i...])))
      }
    }
    return words
  }
}
