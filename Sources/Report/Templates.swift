import Foundation
import Mustache

/// A template that cannot be used: the file, and the line and column where the parser gives
/// them.
public struct TemplateError: Error, CustomStringConvertible, Sendable {
  public let file: String
  public let line: Int?
  public let column: Int?
  public let message: String

  public var description: String {
    var place = file
    if let line { place += ":\(line)" }
    if let column { place += ":\(column)" }
    return "\(place): \(message)"
  }
}

/// The templates of a report, read from a folder: `report.md.mustache`,
/// `report.html.mustache`, `style.css` (inlined into the HTML) and any number of partials
/// (`partials/NAME.mustache`, used as `{{> partials/NAME}}`).
///
/// Every template is parsed, and every partial it names is checked to exist, when the set
/// is loaded, so that a broken template stops a build before it trains anything.
public struct TemplateSet: Sendable {
  public let directory: String
  let library: MustacheLibrary
  let stylesheet: String
  /// Each template's text, by name, for `TemplateBounds`.
  let texts: [String: String]

  /// The templates a report needs, by name (file name without `.mustache`).
  public static let required = ["report.md", "report.html"]

  public init(directory: String) throws(TemplateError) {
    self.directory = directory
    MarkdownText.register()
    let files = Self.templateFiles(in: directory)
    var templates: [String: MustacheTemplate] = [:]
    var texts: [String: String] = [:]
    for file in files {
      let name = String(file.dropLast(".mustache".count))
      let path = (directory as NSString).appendingPathComponent(file)
      guard let data = FileManager.default.contents(atPath: path) else {
        throw TemplateError(file: path, line: nil, column: nil, message: "cannot be read")
      }
      guard data.count <= Self.largestTemplate else {
        throw TemplateError(
          file: path, line: nil, column: nil,
          message: "is \(data.count / 1_048_576) MB; a template has at most \(Self.largestTemplate / 1_048_576) MB")
      }
      guard let text = String(data: data, encoding: .utf8) else {
        throw TemplateError(file: path, line: nil, column: nil, message: "is not UTF-8 text")
      }
      try Self.checkNesting(of: text, file: path)
      do {
        templates[name] = try MustacheTemplate(string: text)
      } catch let error as MustacheTemplate.ParserError {
        throw TemplateError(
          file: path, line: error.context.lineNumber, column: error.context.columnNumber,
          message: Self.describe(error.error) + " (in: \(error.context.line.trimmingCharacters(in: .whitespaces)))")
      } catch {
        throw TemplateError(file: path, line: nil, column: nil, message: "\(error)")
      }
      texts[name] = text
    }
    for name in Self.required where templates[name] == nil {
      throw TemplateError(
        file: (directory as NSString).appendingPathComponent(name + ".mustache"), line: nil, column: nil,
        message: "missing: a report needs \(Self.required.map { $0 + ".mustache" }.joined(separator: " and "))")
    }
    var includes: [String: [String]] = [:]
    for (name, text) in texts.sorted(by: { $0.key < $1.key }) {
      includes[name] = try Self.checkPartials(
        of: text, file: (directory as NSString).appendingPathComponent(name + ".mustache"),
        known: Set(templates.keys))
    }
    try Self.checkCycles(includes, directory: directory)
    let stylePath = (directory as NSString).appendingPathComponent("style.css")
    guard let style = FileManager.default.contents(atPath: stylePath) else {
      throw TemplateError(
        file: stylePath, line: nil, column: nil, message: "missing: the stylesheet the HTML report inlines")
    }
    stylesheet = String(decoding: style, as: UTF8.self)
    library = MustacheLibrary(templates: templates)
    self.texts = texts
  }

  /// Renders the template `name` with `view`, within `TemplateBounds`: a template whose
  /// sections would render too often is refused before it renders, and one whose output is
  /// too large after.
  func render(_ view: Any, template name: String, bounds: TemplateBounds) throws(TemplateError) -> String {
    try bounds.check(name, in: self)
    let output = library.render(view, withTemplate: name) ?? ""
    guard output.utf8.count <= TemplateBounds.largestOutput else {
      throw TemplateError(
        file: (directory as NSString).appendingPathComponent(name + ".mustache"), line: nil, column: nil,
        message:
          "renders \(output.utf8.count >> 20) MB; a report has at most \(TemplateBounds.largestOutput >> 20) MB")
    }
    return output
  }

  /// Paths of the `.mustache` files under `directory`, relative to it, sorted.
  private static func templateFiles(in directory: String) -> [String] {
    guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
    var files: [String] = []
    for case let path as String in enumerator where path.hasSuffix(".mustache") { files.append(path) }
    return files.sorted()
  }

  /// The largest template file read.
  static let largestTemplate = 1 << 20
  /// The deepest nesting of sections in a template.
  static let deepestSections = 64

  /// Fails on sections nested deeper than `deepestSections`: the renderer recurses on them.
  private static func checkNesting(of text: String, file: String) throws(TemplateError) {
    var depth = 0
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var rest = Substring(line)
      while let open = rest.range(of: "{{") {
        rest = rest[open.upperBound...]
        if rest.hasPrefix("#") || rest.hasPrefix("^") {
          depth += 1
        } else if rest.hasPrefix("/") {
          depth = max(0, depth - 1)
        }
        if depth > deepestSections {
          throw TemplateError(
            file: file, line: number + 1, column: nil,
            message: "sections are nested more than \(deepestSections) deep")
        }
      }
    }
  }

  /// Fails on partials that include themselves, directly or through others: rendering would
  /// never end.
  private static func checkCycles(_ includes: [String: [String]], directory: String) throws(TemplateError) {
    var finished: Set<String> = []
    func visit(_ name: String, _ path: [String]) throws(TemplateError) {
      if let start = path.firstIndex(of: name) {
        let chain = (path[start...] + [name]).joined(separator: " → ")
        throw TemplateError(
          file: (directory as NSString).appendingPathComponent(path.last! + ".mustache"), line: nil, column: nil,
          message: "partials include each other without end: \(chain)")
      }
      guard !finished.contains(name) else { return }
      for child in includes[name] ?? [] { try visit(child, path + [name]) }
      finished.insert(name)
    }
    for name in includes.keys.sorted() { try visit(name, []) }
  }

  /// Fails on a `{{> name}}` whose template does not exist: swift-mustache would render it
  /// as nothing, and a report would silently lose a part. The names it includes.
  private static func checkPartials(of text: String, file: String, known: Set<String>) throws(TemplateError)
    -> [String]
  {
    var names: [String] = []
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var rest = Substring(line)
      while let open = rest.range(of: "{{>") {
        rest = rest[open.upperBound...]
        guard let close = rest.range(of: "}}") else { break }
        let name = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
        rest = rest[close.upperBound...]
        if name.hasPrefix("*") { continue }  // a dynamic name, known only when rendering
        names.append(name)
        if !known.contains(name) {
          let column = line.distance(from: line.startIndex, to: open.lowerBound) + 1
          throw TemplateError(
            file: file, line: number + 1, column: column,
            message:
              "no template named '\(name)' for this partial (templates: \(known.sorted().joined(separator: ", ")))"
          )
        }
      }
    }
    return names
  }

  private static func describe(_ error: Error) -> String {
    guard let error = error as? MustacheTemplate.Error else { return "\(error)" }
    switch error {
    case .sectionCloseNameIncorrect: return "this closing tag does not match the section it closes"
    case .unfinishedName: return "a tag is not closed (expected }})"
    case .expectedSectionEnd: return "a section is never closed (expected {{/name}})"
    case .invalidSetDelimiter: return "invalid delimiter change"
    case .transformAppliedToInheritanceSection: return "a transform cannot apply to an inheritance section"
    case .illegalTokenInsideInheritSection: return "only block definitions may appear inside an inheritance section"
    case .textInsideInheritSection: return "only block definitions may appear inside an inheritance section"
    case .invalidConfigVariableSyntax: return "invalid pragma syntax (expected {{% NAME: value}})"
    case .unrecognisedConfigVariable: return "unknown pragma"
    @unknown default: return "\(error)"
    }
  }
}

/// The `MARKDOWN` content type (`{{% CONTENT_TYPE: MARKDOWN}}`): `{{value}}` escapes what
/// would break a Markdown table or turn into HTML; `{{{value}}}` inserts Markdown as is.
struct MarkdownText: MustacheContentType {
  func escapeText(_ text: String) -> String {
    var escaped = ""
    escaped.reserveCapacity(text.count)
    for character in text {
      switch character {
      case "|": escaped += "\\|"
      case "<": escaped += "&lt;"
      case ">": escaped += "&gt;"
      case "\n": escaped += " "
      default: escaped.append(character)
      }
    }
    return escaped
  }

  private static let registration: Void = { MustacheContentTypes.register(MarkdownText(), named: "MARKDOWN") }()
  static func register() { _ = registration }
}
