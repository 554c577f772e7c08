import ArgumentParser
import Foundation
import Report

/// The report templates a command renders with (`build`, `render`).
struct TemplateOption: ParsableArguments {
  @Option(
    help: ArgumentHelp(
      "The report templates: report.md.mustache, report.html.mustache, style.css and partials (default: templates/ of the checkout).",
      valueName: "dir"))
  var templates: String?

  /// The template set given, or the checkout's.
  func load() throws -> TemplateSet { try loadTemplates(templates) }
}
