import Foundation

/// How much rendering a template set may do: sections nested over lists multiply (eight
/// nested `{{#cells}}` over eleven cells render 11⁸ ≈ 2 × 10⁸ times), so before a template
/// renders, the times each of its sections would render are counted from the report's lists,
/// and a template past `mostSectionRenders` is refused, naming the template and the section;
/// after it renders, a report past `largestOutput` is refused too.
///
/// The count is an upper bound: a section `{{#name}}` is taken to render as many times as the
/// longest list called `name` anywhere in the report's view (once when no list has that
/// name), times the renders of the sections around it; a partial's sections count as often
/// as the partial is included. Tags are read with the default `{{ }}` delimiters.
struct TemplateBounds {
  /// The most times a template's sections may render in all, by this count: the default
  /// templates count about 122,000 for the published study (report.md; the bound is loose);
  /// a million renders in about 9 s in a debug build.
  static let mostSectionRenders = 1e6
  /// The largest report a template may write.
  static let largestOutput = 64 << 20

  /// The longest list of each name in `view`.
  let listLengths: [String: Int]

  init(view: Any) {
    var lengths: [String: Int] = [:]
    func visit(_ value: Any, depth: Int) {
      guard depth < 32 else { return }
      let mirror = Mirror(reflecting: value)
      for child in mirror.children {
        let inner = Mirror(reflecting: child.value)
        if let label = child.label, inner.displayStyle == .collection {
          lengths[label] = max(lengths[label] ?? 0, inner.children.count)
        }
        if inner.displayStyle == .optional, let wrapped = inner.children.first?.value {
          if let label = child.label, Mirror(reflecting: wrapped).displayStyle == .collection {
            lengths[label] = max(lengths[label] ?? 0, Mirror(reflecting: wrapped).children.count)
          }
          visit(wrapped, depth: depth + 1)
        } else if [.struct, .class, .collection, .tuple].contains(inner.displayStyle) {
          visit(child.value, depth: depth + 1)
        }
      }
    }
    visit(view, depth: 0)
    listLengths = lengths
  }

  /// Fails on a template of `templates` whose sections would render more than
  /// `mostSectionRenders` times with this view.
  func check(_ name: String, in templates: TemplateSet) throws(TemplateError) {
    var memo: [String: Double] = [:]
    let (count, worst) = renders(of: name, templates.texts, &memo)
    guard count <= Self.mostSectionRenders else {
      throw TemplateError(
        file: (templates.directory as NSString).appendingPathComponent((worst?.template ?? name) + ".mustache"),
        line: worst?.line, column: nil,
        message: String(
          format:
            "its sections would render about %.1e times (sections nested over the report's lists multiply: %@), more than the %@ a report may take; nest fewer sections over lists",
          count, worst?.path ?? name, Int(Self.mostSectionRenders).formatted()))
    }
  }

  /// The section renders of template `name`, and the costliest section: where it is, and
  /// its nesting as `cells ×11 › cells ×11`.
  private func renders(of name: String, _ texts: [String: String], _ memo: inout [String: Double]) -> (
    Double, (template: String, line: Int, path: String)?
  ) {
    guard let text = texts[name] else { return (0, nil) }
    var total = 0.0
    var stack: [(name: String, times: Double)] = []
    var worst: (template: String, line: Int, path: String, times: Double)?
    for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      var rest = Substring(line)
      while let open = rest.range(of: "{{") {
        rest = rest[open.upperBound...]
        guard let close = rest.range(of: "}}") else { break }
        let tag = rest[..<close.lowerBound]
        rest = rest[close.upperBound...]
        let multiplier = stack.reduce(1.0) { $0 * $1.times }
        guard let sigil = tag.first else { continue }
        let key = tag.dropFirst().trimmingCharacters(in: .whitespaces)
        switch sigil {
        case "#", "^":
          let length = sigil == "#" ? listLengths[String(key.split(separator: ".").last ?? "")] ?? 1 : 1
          let times = multiplier * Double(max(1, length))
          stack.append((key, Double(max(1, length))))
          total += times
          if times > (worst?.times ?? 0) {
            let path = stack.map { $0.times > 1 ? "\($0.name) ×\(Int($0.times))" : $0.name }.joined(separator: " › ")
            worst = (name, number + 1, path, times)
          }
        case "/":
          if !stack.isEmpty { stack.removeLast() }
        case ">":
          guard !key.hasPrefix("*") else { continue }
          if memo[key] == nil {
            memo[key] = 0  // a partial being counted (the set has no cycles)
            memo[key] = renders(of: key, texts, &memo).0
          }
          total += multiplier * (memo[key] ?? 0)
        default: continue
        }
      }
    }
    return (total, worst.map { ($0.template, $0.line, $0.path) })
  }
}
