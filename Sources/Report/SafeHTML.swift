/// The HTML of the study's Markdown (its description, the cells' explanations, the findings
/// that quote variant names) cut down to what Markdown itself writes: the report promises
/// no script, and a study file is text anyone may have written.
///
/// Tags on the list below are kept with only their safe attributes (`href` of a link to
/// http, https, mailto or an anchor; `src` and `alt` of an image from http, https or a
/// relative path; `align` of a table cell; `class` of a code block's language); every
/// other tag (`<script>`, `<iframe>`, `<svg>`, an `onerror=`…) is shown as text, escaped.
enum SafeHTML {
  static let tags: Set<String> = [
    "p", "em", "strong", "code", "pre", "a", "ul", "ol", "li", "blockquote", "hr", "br", "h1", "h2", "h3", "h4",
    "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "del", "s", "img", "sup", "sub",
  ]

  static func sanitize(_ html: String) -> String {
    var out = ""
    out.reserveCapacity(html.utf8.count)
    var rest = Substring(html)
    while let open = rest.firstIndex(of: "<") {
      out += rest[..<open]
      let tail = rest[open...]
      guard let close = tail.firstIndex(of: ">"), let tag = safeTag(tail[tail.index(after: open)..<close]) else {
        out += "&lt;"
        rest = tail.dropFirst()
        continue
      }
      out += tag
      rest = tail[tail.index(after: close)...]
    }
    out += rest
    return out
  }

  /// The tag rewritten with its safe attributes, or nil when it is not allowed.
  private static func safeTag(_ inside: Substring) -> String? {
    var body = inside
    let closing = body.hasPrefix("/")
    if closing { body = body.dropFirst() }
    let selfClosing = body.hasSuffix("/")
    if selfClosing { body = body.dropLast() }
    let name = body.prefix { $0.isLetter || $0.isNumber }.lowercased()
    guard tags.contains(name), !name.isEmpty else { return nil }
    if closing { return body.dropFirst(name.count).allSatisfy(\.isWhitespace) ? "</\(name)>" : nil }
    guard let attributes = parseAttributes(body.dropFirst(name.count)) else { return nil }
    var kept = ""
    for (key, value) in attributes {
      let allowed: Bool
      switch (name, key) {
      case ("a", "href"): allowed = isSafeLink(value, images: false)
      case ("img", "src"): allowed = isSafeLink(value, images: true)
      case ("img", "alt"), ("a", "title"), ("img", "title"), ("th", "align"), ("td", "align"): allowed = true
      case ("code", "class"): allowed = value.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" }
      default: allowed = false
      }
      if allowed { kept += " \(key)=\"\(escapeAttribute(value))\"" }
    }
    return "<\(name)\(kept)\(selfClosing ? " /" : "")>"
  }

  /// `key="value"` pairs (or single-quoted, or bare); nil when the text is not attributes.
  private static func parseAttributes(_ text: Substring) -> [(String, String)]? {
    var result: [(String, String)] = []
    var rest = text.drop { $0.isWhitespace }
    while !rest.isEmpty {
      let key = rest.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ":" }
      guard !key.isEmpty else { return nil }
      rest = rest.dropFirst(key.count).drop { $0.isWhitespace }
      var value = ""
      if rest.hasPrefix("=") {
        rest = rest.dropFirst().drop { $0.isWhitespace }
        if let quote = rest.first, quote == "\"" || quote == "'" {
          let after = rest.dropFirst()
          guard let end = after.firstIndex(of: quote) else { return nil }
          value = String(after[..<end])
          rest = after[after.index(after: end)...]
        } else {
          let bare = rest.prefix { !$0.isWhitespace }
          value = String(bare)
          rest = rest.dropFirst(bare.count)
        }
      }
      result.append((key.lowercased(), unescape(value)))
      rest = rest.drop { $0.isWhitespace }
    }
    return result
  }

  /// A link target that runs nothing: http(s), mailto (not for images), an anchor, or a
  /// relative path; never `javascript:`, `data:`, `vbscript:` or another scheme.
  static func isSafeLink(_ target: String, images: Bool) -> Bool {
    let trimmed = target.filter { !$0.isWhitespace && !$0.isASCIIControl }.lowercased()
    if trimmed.hasPrefix("http://") || trimmed.hasPrefix("https://") { return true }
    if !images && (trimmed.hasPrefix("mailto:") || trimmed.hasPrefix("#")) { return true }
    // A relative path has no scheme before its first '/', '?' or '#'.
    let head = trimmed.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    return !head.contains(":")
  }

  /// Text as HTML text: `&`, `<`, `>` and quotes escaped.
  static func escape(_ text: String) -> String { escapeAttribute(text) }

  private static func unescape(_ text: String) -> String {
    text.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
      .replacingOccurrences(of: "&amp;", with: "&")
  }

  private static func escapeAttribute(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
      .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
  }
}

extension Character {
  fileprivate var isASCIIControl: Bool { asciiValue.map { $0 < 0x20 || $0 == 0x7f } ?? false }
}
