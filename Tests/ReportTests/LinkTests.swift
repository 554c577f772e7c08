import Foundation
import Testing

/// The report's links as its readers follow them: report.md rendered by cmark-gfm (GitHub's
/// Markdown, Debian's `cmark-gfm`), every `#anchor` a heading's anchor by GitHub's rule or an
/// explicit `<a id>`, every image and file beside the report; and in report.html, every
/// `href="#…"` an element's `id`. On a small report and on the published one.
@Suite struct Links {
  /// cmark-gfm's HTML of `markdown`, with GitHub's extensions and the raw HTML kept (GitHub
  /// keeps an `<a id>`).
  static func githubHTML(_ markdown: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["cmark-gfm", "--unsafe", "-e", "table", "-e", "strikethrough", "-e", "autolink"]
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    try process.run()
    let writer = Thread {
      input.fileHandleForWriting.write(Data(markdown.utf8))
      try? input.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
      throw LinkCheckError("cmark-gfm failed (is Debian's cmark-gfm installed? scripts/install-deps.sh installs it)")
    }
    return String(decoding: data, as: UTF8.self)
  }

  struct LinkCheckError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  /// GitHub's anchor of a heading's text: lower case; letters, numbers, `-` and `_` kept;
  /// spaces as `-`; anything else dropped; a repeat suffixed `-1`, `-2`, ….
  static func slug(_ text: String, seen: inout [String: Int]) -> String {
    var slug = ""
    for scalar in text.lowercased().unicodeScalars {
      if scalar == " " {
        slug += "-"
      } else if scalar == "-" || scalar == "_" || scalar.properties.isAlphabetic
        || scalar.properties.numericType != nil || scalar.properties.generalCategory == .nonspacingMark
      {
        slug.unicodeScalars.append(scalar)
      }
    }
    let count = seen[slug, default: 0]
    seen[slug] = count + 1
    return count == 0 ? slug : "\(slug)-\(count)"
  }

  /// Text without tags, entities decoded (the few cmark writes).
  static func text(_ html: String) -> String {
    html.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression)
      .replacingOccurrences(of: "&amp;", with: "&").replacingOccurrences(of: "&lt;", with: "<")
      .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&quot;", with: "\"")
  }

  static func matches(_ pattern: String, in text: String) -> [[String]] {
    let regex = try! NSRegularExpression(pattern: pattern, options: [.dotMatchesLineSeparators])
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map { match in
      (0..<match.numberOfRanges).map { Range(match.range(at: $0), in: text).map { String(text[$0]) } ?? "" }
    }
  }

  /// What is broken in the report at `folder` (report.md and report.html).
  static func problems(in folder: String) throws -> [String] {
    let markdown = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    let html = try githubHTML(markdown)
    var seen: [String: Int] = [:]
    var anchors = Set(matches("<h[1-6][^>]*>(.*?)</h[1-6]>", in: html).map { slug(text($0[1]), seen: &seen) })
    anchors.formUnion(matches("<a (?:id|name)=\"([^\"]+)\"", in: html).map { $0[1] })
    var problems: [String] = []
    for heading in matches("<h[1-6][^>]*>(.*?)</h[1-6]>", in: html).map({ text($0[1]) })
    where heading.first.map({ !$0.isLetter && !$0.isNumber }) ?? true {
      problems.append("report.md: the heading '\(heading)' starts with no letter or number")
    }
    var links = 0
    for link in matches("(?:href|src)=\"([^\"]*)\"", in: html).map({ $0[1] }) {
      links += 1
      if link.hasPrefix("#") {
        if !anchors.contains(String(link.dropFirst())) { problems.append("report.md: \(link) leads nowhere") }
      } else if link.range(of: "^[a-z][a-z0-9+.-]*:", options: .regularExpression) == nil {
        let file = String(link.split(separator: "#", omittingEmptySubsequences: false)[0])
        if !file.isEmpty && !FileManager.default.fileExists(atPath: folder + "/" + file) {
          problems.append("report.md: \(link) is no file beside the report")
        }
      }
    }
    if links == 0 { problems.append("report.md: no links at all") }
    let page = try String(contentsOfFile: folder + "/report.html", encoding: .utf8)
    let ids = Set(matches(" id=\"([^\"]+)\"", in: page).map { $0[1] })
    for link in Set(matches("href=\"#([^\"]*)\"", in: page).map({ $0[1] })) where !ids.contains(link) {
      problems.append("report.html: #\(link) leads nowhere")
    }
    return problems
  }

  @Test func everyLinkOfASmallReportLeadsSomewhere() throws {
    let out = TinyReport.shared.folder + "/report-links"
    _ = try TinyReport.shared.write(to: out)
    let problems = try Self.problems(in: out)
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }

  @Test func everyLinkOfThePublishedReportLeadsSomewhere() throws {
    let problems = try Self.problems(in: packageRoot + "/reports")
    #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
  }

  /// The check itself: a contents link of the report before its headings had their numbers
  /// (`## . The data`) is caught.
  @Test func aHeadingWithoutItsNumberIsCaught() throws {
    let folder = NSTemporaryDirectory() + "mnist-report-links-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "1. [The data](#1-the-data)\n\n## . The data\n\n![x](figures/missing.png)\n".write(
      toFile: folder + "/report.md", atomically: true, encoding: .utf8)
    try "<a href=\"#nowhere\">x</a>".write(toFile: folder + "/report.html", atomically: true, encoding: .utf8)
    let problems = try Self.problems(in: folder)
    #expect(problems.contains("report.md: #1-the-data leads nowhere"))
    #expect(problems.contains("report.md: the heading '. The data' starts with no letter or number"))
    #expect(problems.contains("report.md: figures/missing.png is no file beside the report"))
    #expect(problems.contains("report.html: #nowhere leads nowhere"))
  }
}
