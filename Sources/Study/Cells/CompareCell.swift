/// A compare cell: variants of the cell's settings, each trained once. By default they
/// train one after another on every thread, so that their seconds per epoch compare.
public struct CompareCell: CellBehaviour {
  /// A variant: its name and its settings (the cell's, with the variant's keys applied).
  public struct Variant: Sendable {
    public let name: String
    public let settings: RunSettings
  }

  public let variants: [Variant]

  var otherSettings: [RunSettings] { variants.map(\.settings) }
  /// Whether the variants train one after another on every thread (the default), rather
  /// than side by side on one thread each.
  public let sequential: Bool
  public let replication: Replication
  /// The variant every other is compared with: the one `reference` names, else the first
  /// that changes nothing of the cell's settings, else the first.
  public let reference: Int

  static let keys = ["settings", "variants", "sequential", "repeats", "resample", "reference"]

  init(variants: [Variant], sequential: Bool, replication: Replication = Replication(), reference: Int = 0) {
    self.variants = variants
    self.sequential = sequential
    self.replication = replication
    self.reference = reference
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
      // Each variant's runs go to runs/CELL/NAME.csv, the name cut to letters, digits and
      // dashes: two names must not give one file, and a name must give one.
      let file = slug(name)
      guard !file.isEmpty, name.count <= 100 else {
        throw nameValue.error("a variant's name needs a letter or digit, and at most 100 characters, found '\(name)'")
      }
      if let other = variants.first(where: { slug($0.name) == file }) {
        throw nameValue.error(
          "variants '\(other.name)' and '\(name)' would both write runs/\(input.id)/\(file).csv: give names that differ in more than case and punctuation"
        )
      }
      var variant = input.settings
      try variant.apply(item.without("name"))
      variants.append(Variant(name: name, settings: try variant.validated(at: item)))
    }
    self.variants = variants
    replication = try input.cellReplication()
    if let named = input.fields["reference"] {
      let name = try named.string()
      guard let index = variants.firstIndex(where: { $0.name == name }) else {
        throw named.error(
          "no variant is named '\(name)' (variants: \(variants.map(\.name).joined(separator: ", ")))")
      }
      reference = index
    } else {
      reference = variants.firstIndex { input.settings.changedKeys(to: $0.settings).isEmpty } ?? 0
    }
  }

  /// Whether the reference is the cell's settings unchanged (not merely the first variant).
  public func referenceIsUnchanged(from settings: RunSettings) -> Bool {
    settings.changedKeys(to: variants[reference].settings).isEmpty
  }

  func runCount(settings: RunSettings) -> Int { variants.count * replication.count }

  func keyParts(earlier: [String]) -> CellKeyParts {
    CellKeyParts(
      variants: Dictionary(uniqueKeysWithValues: variants.map { ($0.name, $0.settings) }), replication: replication)
  }

  func run(_ context: CellContext) throws(CellStop) -> CellOutcome {
    let groups = variants.map { context.repeated($0.name, $0.settings, replication) }
    return .compare(try context.namedRuns(groups, sequential: sequential))
  }
}
