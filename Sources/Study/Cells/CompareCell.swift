/// A compare cell: variants of the cell's settings, each trained once. By default they
/// train one after another on every thread, so that their seconds per epoch compare.
public struct CompareCell: CellBehaviour {
  /// A variant: its name and its settings (the cell's, with the variant's keys applied).
  public struct Variant: Sendable {
    public let name: String
    public let settings: RunSettings
  }

  public let variants: [Variant]
  /// Whether the variants train one after another on every thread (the default), rather
  /// than side by side on one thread each.
  public let sequential: Bool

  static let keys = ["settings", "variants", "sequential"]

  init(variants: [Variant], sequential: Bool) {
    self.variants = variants
    self.sequential = sequential
  }

  init(_ input: CellInput) throws(StudyError) {
    sequential = try input.fields["sequential"]?.bool() ?? true
    guard let list = input.fields["variants"] else { throw input.value.error("a compare cell needs variants (a list)") }
    let items = try list.list()
    guard !items.isEmpty else { throw list.error("expected at least one variant") }
    var variants: [Variant] = []
    for item in items {
      let entries = try item.mapping()
      guard let nameValue = entries.first(where: { $0.key == "name" })?.value else {
        throw item.error("a variant needs a name")
      }
      let name = try nameValue.string()
      if variants.contains(where: { $0.name == name }) { throw nameValue.error("two variants are named '\(name)'") }
      var variant = input.settings
      try variant.apply(item.without("name"))
      variants.append(Variant(name: name, settings: try variant.validated(at: item)))
    }
    self.variants = variants
  }

  func runCount(settings: RunSettings) -> Int { variants.count }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(variants: Dictionary(uniqueKeysWithValues: variants.map { ($0.name, $0.settings) }))
  }

  func run(_ context: CellContext) -> CellOutcome? {
    context.namedRuns(variants.map { context.request($0.name, $0.settings) }, sequential: sequential).map {
      .compare($0)
    }
  }
}
