import Statistics
import Tensor

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
  var dataUse: DataUse { DataUse(replication) }
  /// The variant every other is compared with: the one `reference` names, else the first
  /// that changes nothing of the cell's settings, else the first.
  public let reference: Int

  static let keys = ["settings", "variants", "sequential", "repeats", "resample", "reference", "equivalence"]

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
    replication = try input.cellReplication(adaptive: true)
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
    guard let design = replication.sequential else {
      let groups = variants.map { context.repeated($0.name, $0.settings, replication) }
      return .compare(try context.namedRuns(groups, sequential: sequential))
    }
    // Adaptive repeats: a stage per look, each bringing the variants still undecided (and
    // the reference they are compared with) to the look's repeats.
    var records: [[RunRecord]] = variants.map { _ in [] }
    var open = Set(variants.indices).subtracting([reference])
    for (look, n) in design.looks.enumerated() {
      let needed = variants.indices.filter { (open.contains($0) || $0 == reference) && records[$0].count < n }
      let asked = needed.map { v in requests(v, from: records[v].count, to: n, context) }
      let fetched = try context.execute(asked.flatMap { $0 }, sequential: sequential)
      var start = 0
      for (v, group) in zip(needed, asked) {
        records[v] += fetched[start..<(start + group.count)]
        start += group.count
      }
      let decided = Self.look(
        look, of: design, reference: reference, open: open, runs: records, settings: variants.map(\.settings),
        margin: replication.equivalence)
      open.subtract(decided.keys)
      if open.isEmpty { break }
    }
    return .compare(
      zip(variants, records).map { variant, runs in
        NamedRun(name: variant.name, run: runs[0], repeats: Array(runs.dropFirst()))
      })
  }

  /// Variant `v`'s repeats `from..<to`.
  private func requests(_ v: Int, from: Int, to: Int, _ context: CellContext) -> [RunRequest] {
    (from..<to).map { r in
      var run = context.request(
        variants[v].name, variants[v].settings, replication.data(repeat: r), repeatIndex: r)
      run.repeatCount = replication.count
      return run
    }
  }

  /// The comparisons of the `open` variants with the reference at look `look`, each on the
  /// first `looks[look]` best validation accuracies of both (paired by repeat when they draw
  /// the same random numbers), tested together by `SequentialTesting`: those that stop, by
  /// index, with their comparison. A variant with fewer than two scores stops untested. The
  /// analysis replays the same looks from the runs.
  static func look(
    _ look: Int, of plan: SequentialDesign, reference: Int, open: Set<Int>, runs: [[RunRecord]],
    settings: [RunSettings], margin: Double? = nil
  ) -> [Int: Comparison?] {
    let n = plan.looks[look]
    let scores = runs.map { $0.prefix(n).map(\.bestValidationAccuracy) }
    var generator = Xoshiro256(seed: 0)
    var stopped: [Int: Comparison?] = [:]
    let candidates: [Comparison?] = runs.indices.map { v -> Comparison? in
      guard open.contains(v) else { return nil }
      let (a, b) = (scores[v], scores[reference])
      guard a.count == n, b.count == n, a.allSatisfy(\.isFinite), b.allSatisfy(\.isFinite) else {
        stopped[v] = .some(nil)
        return nil
      }
      return Comparison(
        a, b, design: design(settings[v], settings[reference], counts: (n, n)), margin: margin, generator: &generator,
        interim: true)
    }
    for (v, tested) in SequentialTesting.look(look, of: plan, open: candidates).enumerated() {
      if let tested, SequentialTesting.stops(tested, look: look, of: plan) { stopped[v] = tested }
    }
    return stopped
  }

  func stageCount(profile: Profile, settings: RunSettings) -> Int { replication.sequential?.looks.count ?? 1 }

  /// The runs of the looks from `stage` on, before the comparisons that choose them are
  /// known: at most every variant's repeats up to each look.
  func possibleRuns(_ context: CellContext, from stage: Int) -> [PossibleRuns] {
    guard let design = replication.sequential else { return [] }
    let first = stage - context.firstStage
    guard first >= 0, first < design.looks.count else { return [] }
    return (first..<design.looks.count).map { look in
      let from = look == 0 ? 0 : design.looks[look - 1]
      return PossibleRuns(
        stage: context.firstStage + look,
        requests: variants.indices.flatMap { requests($0, from: from, to: design.looks[look], context) }, share: 1)
    }
  }
}
