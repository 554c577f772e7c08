import Data
import Foundation
import NN
import PropertyBased
import Statistics
import Tensor
import Testing

@testable import Report
@testable import Study

/// The claims a compare cell's finding makes, checked against the facts it was phrased from:
/// a variant is called better (worse, equivalent, indistinguishable) only when its verdict is;
/// a gap is "unchanged" only when its change is equivalent to none and its interval holds 0;
/// a tie is named as one, never as one winner; the repeats are the facts' count; and every
/// number the finding states appears, formatted the same, in the cell's table or its facts.
/// Over hand-built cells (sign changes, ties, untimed references, 1, 2, 3 and 5 repeats,
/// diverged runs, missing validation) and over random ones.
@Suite struct Claims {
  /// One variant as drawn: its accuracy level and each repeat's noise (in steps of 0.05 pt,
  /// coarse so that ties happen), the gap of its training sample, its time, and its faults.
  struct Draw: Sendable, CustomStringConvertible {
    var level = 0
    var noise: [Int] = Array(repeating: 0, count: 8)
    var gapLevel = 2
    var slowness = 0
    var diverged = false
    var untimed = false
    var readOff = false

    var description: String {
      "level \(level), noise \(noise), gap \(gapLevel), slowness \(slowness)"
        + (diverged ? ", diverged" : "") + (untimed ? ", untimed" : "") + (readOff ? ", read off" : "")
    }
  }

  /// What the variants change, which decides the finding's story.
  enum Kind: CaseIterable, Sendable {
    case optimizers, batchSizes, regularizers
  }

  static let cellID = "cell"

  /// The cell's settings: the reference network, unregularized for the regularizers.
  static func base(_ kind: Kind) -> RunSettings {
    var settings = RunSettings()
    settings.epochs = 2
    if kind == .regularizers {
      settings.dropout = .all(0)
      settings.weightDecay = 0
    }
    return settings
  }

  /// The settings of variant `index`: index 0 is the cell's own.
  static func settings(_ kind: Kind, _ index: Int) -> RunSettings {
    var settings = base(kind)
    guard index > 0 else { return settings }
    switch kind {
    case .optimizers: settings.optimizer = [.sgd, .rmsprop, .adamw, .nesterov, .momentum][(index - 1) % 5]
    case .batchSizes: settings.batchSize = [32, 64, 256, 512, 1024][(index - 1) % 5]
    case .regularizers:
      switch index % 3 {
      case 1: settings.dropout = .all(0.3)
      case 2: settings.batchNorm = true
      default: (settings.dropout, settings.batchNorm) = (.all(0.2), true)
      }
    }
    return settings
  }

  /// A run of `settings` whose best validation accuracy is `accuracy`, in its last epoch.
  static func record(
    _ settings: RunSettings, accuracy: Double, train: Double?, seconds: Double, status: RunRecord.Status,
    timedIn: String?, readOff: Bool, validation: Bool = true
  ) -> RunRecord {
    var history = History()
    history.epochs = [accuracy - 0.01, accuracy].enumerated().map { i, value in
      EpochRecord(
        epoch: i + 1, trainLoss: 0.1, trainAccuracy: 0.99, validationLoss: validation ? 0.08 - 0.01 * Double(i) : nil,
        validationAccuracy: validation ? value : nil, learningRate: 0.001, seconds: seconds)
    }
    var run = RunRecord(
      key: "k", settings: settings, data: .split, history: history, status: status, seconds: 2 * seconds,
      parameterCount: 10, validationLoss: validation ? (status == .diverged ? .nan : 0.07) : nil,
      validationAccuracy: validation ? accuracy : nil)
    run.trainEvaluation = train.map { Evaluation(loss: 0.05, accuracy: $0, images: 6_000) }
    (run.timedIn, run.readOff) = (timedIn, readOff ? true : nil)
    return run
  }

  /// A compare cell of `kind` whose variants are `draws` over `repeats` repeats, analysed
  /// with equivalence `margin`: its facts and its table.
  static func cell(_ kind: Kind, _ draws: [Draw], repeats: Int, margin: Double? = nil) -> (
    CompareFacts, TableView
  ) {
    let variants = draws.indices.map { CompareCell.Variant(name: "V\($0)", settings: settings(kind, $0)) }
    let body = CompareCell(variants: variants, sequential: true, replication: Replication(count: repeats))
    let runs = zip(variants, draws).enumerated().map { index, pair -> NamedRun in
      let (variant, draw) = pair
      let all = (0..<repeats).map { r -> RunRecord in
        let accuracy = 0.97 + 0.001 * Double(draw.level) + 0.0005 * Double(draw.noise[r % draw.noise.count])
        // Times vary by a percent or so between repeats, as on a shared machine.
        let jitter = 1 + 0.01 * Double(draw.noise[(r + 3) % draw.noise.count])
        let seconds =
          (kind == .batchSizes
            ? 4 / Double(variant.settings.batchSize).squareRoot() * (1 + 0.1 * Double(draw.slowness))
            : 1 + 0.1 * Double(draw.slowness)) * jitter
        return record(
          variant.settings, accuracy: accuracy, train: draw.readOff ? nil : accuracy + 0.002 * Double(draw.gapLevel),
          seconds: seconds, status: draw.diverged ? .diverged : .completed,
          timedIn: draw.untimed ? "elsewhere" : cellID, readOff: draw.readOff)
      }
      return NamedRun(name: variant.name, run: all[0], repeats: Array(all.dropFirst()))
    }
    let facts = CompareFacts(
      body, runs: runs, settings: base(kind), id: cellID, seed: SeedPath(11), margin: margin)
    let table = ComparePresenter.table(
      facts, variants: variants, settings: base(kind), shape: DataShape(rows: 28, columns: 28, classes: 10))
    return (facts, table)
  }

  // MARK: - The claims

  /// Checks every claim of `text`, the finding of `facts`, against them and `table`.
  static func check(
    _ text: String, _ facts: CompareFacts, _ table: TableView, sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let names = Set(facts.variants.map(\.name))
    func mentioned(_ clause: String) -> Set<String> {
      Set(matches(#"\bV\d+\b"#, in: clause)).intersection(names)
    }
    // Verdict words, clause by clause: a clause that calls its variants better names only
    // variants whose verdict is better; likewise worse, equivalent and indistinguishable.
    let plain = text.replacingOccurrences(of: "P(better)", with: "P(b)")
      .replacingOccurrences(of: "P(larger gap)", with: "P(g)")
    for clause in clauses(plain) {
      let words: [(String, Comparison.Verdict)] = [
        ("better", .better), ("worse", .worse), ("equivalent", .equivalent), ("indistinguishable", .indistinguishable),
      ]
      for (word, verdict) in words where clause.contains(word) {
        for name in mentioned(clause) {
          #expect(
            facts.comparison(of: name)?.verdict == verdict,
            "\"\(word)\" beside \(name), whose verdict is \(String(describing: facts.comparison(of: name)?.verdict)): \(clause)",
            sourceLocation: sourceLocation)
        }
      }
      if case .regularization(let r?) = facts.story {
        for other in r.others where mentioned(clause).contains(other.name) {
          let c = other.comparison
          if clause.contains("unchanged") {
            #expect(
              c?.verdict == .equivalent, "unchanged without equivalence: \(clause)", sourceLocation: sourceLocation)
            #expect(
              (c?.difference.low ?? 1) <= 0 && (c?.difference.high ?? -1) >= 0,
              "unchanged, though the change's interval excludes 0: \(clause)", sourceLocation: sourceLocation)
          }
          if clause.contains("reverses") {
            #expect(
              c?.verdict == .worse && (other.gap.high ?? other.gap.mean) < 0, "\(clause)",
              sourceLocation: sourceLocation)
          }
          if clause.contains("narrows") {
            #expect(c?.verdict == .worse, "\(clause)", sourceLocation: sourceLocation)
          }
          if clause.contains("widens") {
            #expect(c?.verdict == .better, "\(clause)", sourceLocation: sourceLocation)
          }
        }
      }
    }
    // A table row is bold exactly when its variant is better.
    for (row, variant) in zip(table.rows, facts.variants) {
      #expect(row.emphasis == (variant.comparison?.verdict == .better), sourceLocation: sourceLocation)
    }
    // The highest: every variant of the top mean, and no other, bold; a tie said to be one.
    let finished = facts.variants.filter { !$0.diverged }
    let top = Set(finished.filter { $0.meanBest == finished.map(\.meanBest).max() }.map(\.name))
    let bold = Set(matches(#"\*\*(V\d+)\*\*"#, in: text).map { $0.trimmingCharacters(in: ["*"]) })
    switch facts.story {
    case .ranking, .regularization:
      #expect(
        bold == (facts.repeats > 1 ? top : []), "bold \(bold), highest \(top): \(text)", sourceLocation: sourceLocation)
      #expect(
        text.contains("(tied)") == (facts.repeats > 1 && top.count > 1), "\(text)", sourceLocation: sourceLocation)
    case .batchSizes(let sizes?) where facts.repeats > 1:
      let sizesOf = { (names: Set<String>) in Set(names.compactMap { facts.variant($0)?.batchSize }) }
      let said = matches(#"comes with batches of [^(]*"#, in: text).first ?? ""
      #expect(
        Set(matches(#"\d+"#, in: said).compactMap(Int.init)) == sizesOf(top), "\(said) against \(top)",
        sourceLocation: sourceLocation)
      #expect(text.contains("(tied)") == (top.count > 1), "\(text)", sourceLocation: sourceLocation)
      if let drop = sizes.drop {
        #expect(text.contains("batches of \(facts.variant(sizes.largest)!.batchSize) are \(Words.verdict(drop))"))
      }
      for step in sizes.steps {
        #expect(facts.variant(step.small)?.secondsPerEpoch != nil && facts.variant(step.large)?.secondsPerEpoch != nil)
      }
    default:
      #expect(bold.isEmpty, "\(text)", sourceLocation: sourceLocation)
    }
    if facts.repeats < 2 {
      for word in ["better", "worse", "equivalent", "indistinguishable", "unchanged", "highest"] {
        #expect(!plain.contains(word), "\"\(word)\" with one run per variant: \(text)", sourceLocation: sourceLocation)
      }
    }
    // Repeats are the facts' count.
    for count in matches(#"(?:over|of) (\d+) repeats"#, in: text).flatMap({ matches(#"\d+"#, in: $0) }) {
      #expect(Int(count) == facts.repeats, "\(count) repeats in \(text)", sourceLocation: sourceLocation)
    }
    // Times only of variants this cell timed.
    for name in matches(#"s with V\d+"#, in: text).flatMap({ matches(#"V\d+"#, in: $0) }) {
      #expect(facts.variant(name)?.secondsPerEpoch != nil, "\(name) untimed: \(text)", sourceLocation: sourceLocation)
    }
    // Diverged variants are named as such, and only they.
    if !facts.diverged.isEmpty, facts.variants.contains(where: { !$0.diverged }) {
      #expect(text.contains("\(Format.list(facts.diverged)) diverged"), sourceLocation: sourceLocation)
    }
    // A decided difference smaller than the design's detectable one is said to be, and only
    // such a one, wherever the finding states the verdicts.
    let statesVerdicts = text.contains("Against ")
    let faint =
      !statesVerdicts
      ? []
      : Set(
        facts.variants.filter { v in
          guard let c = v.comparison, c.verdict == .better || c.verdict == .worse, let d = c.detectable else {
            return false
          }
          return abs(c.difference.value) < d
        }.map(\.name))
    let saidFaint = matches(#"Decided although smaller(?:[^.]|\.\d)*"#, in: text).first.map { Set(mentioned($0)) } ?? []
    #expect(saidFaint == faint, "faint \(faint), said \(saidFaint): \(text)", sourceLocation: sourceLocation)
    // Every number: in the table or the facts, formatted the same.
    let known = numbers(tableText(table)).union(factNumbers(facts))
    for number in numbers(text) where !known.contains(number) {
      Issue.record("\(number) is in neither the table nor the facts: \(text)", sourceLocation: sourceLocation)
    }
  }

  /// The clauses of a text: split after ".", ";" or ":" that a space follows (a decimal
  /// point is not).
  static func clauses(_ text: String) -> [String] {
    text.replacingOccurrences(of: #"([.;:]) "#, with: "$1\n", options: .regularExpression)
      .split(separator: "\n").map(String.init)
  }

  static func matches(_ pattern: String, in text: String) -> [String] {
    let regex = try! NSRegularExpression(pattern: pattern)
    return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).map {
      String(text[Range($0.range, in: text)!])
    }
  }

  /// The numbers of a text, each with its sign and decimals as printed.
  static func numbers(_ text: String) -> Set<String> {
    Set(matches(#"[+−-]?\d+(?:,\d{3})*(?:\.\d+)?"#, in: text))
  }

  static func tableText(_ table: TableView) -> String {
    ([table.caption] + table.columns.map(\.title) + table.rows.flatMap { $0.cells.map(\.text) })
      .joined(separator: "\n")
  }

  /// Every number of the facts as the report's formatters print it, and the named rules a
  /// finding states (the payoff ratio, the cost difference, the power, the smallest p printed).
  static func factNumbers(_ facts: CompareFacts) -> Set<String> {
    var values: [Double] = [
      CompareFacts.BatchSizes.payoffRatio, CompareFacts.Ranking.costDifference - 1, Comparison.power,
      0.001,  // "p < 0.001"
    ]
    // Every stored number, read by reflection (a JSON round trip could move a last digit).
    func walk(_ value: Any) {
      switch value {
      case let number as Double: values.append(number)
      case let number as Int: values.append(Double(number))
      default: Mirror(reflecting: value).children.forEach { walk($0.value) }
      }
    }
    walk(facts)
    var texts: [String] = []
    for value in values where value.isFinite {
      texts += [
        Format.percent(value), Format.percent(value, decimals: 1), Format.percent(value, decimals: 0),
        Format.points(value), Words.margin(value), Format.seconds(value), String(format: "%.2f", value),
        String(format: "%.1f", value), Format.fixed(value, decimals: 3, beside: Comparison.alpha),
        Format.fixed(value * 100, decimals: 2, beside: 0, signed: true),
        Format.fixed(value, decimals: 2, beside: CompareFacts.BatchSizes.payoffRatio),
      ]
      if value == value.rounded(), abs(value) < 1e9 { texts.append(Format.count(Int(value))) }
    }
    return numbers(texts.joined(separator: " "))
  }

  // MARK: - Hand-built cells

  static func draws(_ levels: [Int], _ change: (inout [Draw]) -> Void = { _ in }) -> [Draw] {
    var draws = levels.map { Draw(level: $0, noise: [0, 1, -1, 2, -2, 1, 0, -1]) }
    change(&draws)
    return draws
  }

  @Test(arguments: [1, 2, 3, 5])
  func everyStoryAtEveryRepeatCount(_ repeats: Int) {
    for kind in Kind.allCases {
      for margin in [nil, 0.004] {
        let (facts, table) = Self.cell(kind, Self.draws([0, 4, -6, 1]), repeats: repeats, margin: margin)
        Self.check(ComparePresenter.finding(facts), facts, table)
      }
    }
  }

  @Test func aTieIsNamedAsOne() {
    for kind in Kind.allCases {
      let (facts, table) = Self.cell(kind, Self.draws([0, 3, 3, -2]), repeats: 5)
      let text = ComparePresenter.finding(facts)
      #expect(text.contains("(tied)"), "\(kind): \(text)")
      Self.check(text, facts, table)
    }
  }

  @Test func aGapThatChangesSignIsReversedNotNarrowed() {
    let (facts, table) = Self.cell(
      .regularizers,
      Self.draws([0, 1, 1]) {
        $0[0].gapLevel = 5; $0[1].gapLevel = -3; $0[2].gapLevel = 5
      },
      repeats: 5, margin: 0.004)
    let text = ComparePresenter.finding(facts)
    #expect(text.contains("V1 reverses it"), "\(text)")
    #expect(text.contains("V2 leaves it unchanged"), "\(text)")
    Self.check(text, facts, table)
  }

  @Test func anUntimedReferenceIsSkippedAndSaidToBe() {
    let (facts, table) = Self.cell(.batchSizes, Self.draws([0, 1, -1, -3]) { $0[0].untimed = true }, repeats: 3)
    let text = ComparePresenter.finding(facts)
    #expect(text.contains("128 was not timed by this cell"), "\(text)")
    #expect(!text.contains("to 128") && !text.contains("from 128"), "\(text)")
    Self.check(text, facts, table)
  }

  /// A step whose ratio is near the payoff ratio, within its times' spread, is said to be
  /// undecided, and the rule says so rather than where batches stop paying.
  @Test func aPayoffTooCloseToCallIsSaidToBe() {
    // 64 → 128: 0.5 s → 0.39 s, ×1.29 per doubling, with times 2% apart between repeats.
    let (facts, table) = Self.cell(
      .batchSizes,
      Self.draws([0, 1, -1]) {
        $0[0].slowness = 1
        $0[0].noise = [0, 1, -1, -2, 2, 0, 0, 0]
        $0[2].noise = [0, 1, -1, 2, -2, 0, 0, 0]
      }, repeats: 3)
    let text = ComparePresenter.finding(facts)
    guard case .batchSizes(let sizes?) = facts.story else {
      Issue.record("expected the batch-size story")
      return
    }
    for (step, said) in zip(sizes.steps, Self.matches(#"from \d+ to \d+ [^(]*"#, in: text)) {
      switch step.pays {
      case .pays: #expect(said.hasSuffix("it does "), "\(said)")
      case .doesNotPay: #expect(said.hasSuffix("it does not "), "\(said)")
      case .undecided: #expect(said.hasSuffix("the repeats cannot tell "), "\(said)")
      }
    }
    #expect(sizes.steps.contains { $0.pays == .undecided }, "\(text)")
    Self.check(text, facts, table)
  }

  @Test func divergedAndReadOffVariants() {
    for kind in Kind.allCases {
      for repeats in [1, 3] {
        let (facts, table) = Self.cell(
          kind,
          Self.draws([0, 2, -1]) {
            $0[1].diverged = true; $0[2].readOff = true; $0[2].untimed = true
          },
          repeats: repeats)
        Self.check(ComparePresenter.finding(facts), facts, table)
      }
    }
  }

  @Test func runsWithoutValidationClaimNothing() {
    let settings = Self.base(.optimizers)
    var other = settings
    other.optimizer = .sgd
    let runs = [("V0", settings), ("V1", other)].map { name, settings in
      let all = (0..<3).map { _ in
        Self.record(
          settings, accuracy: 0.97, train: nil, seconds: 1, status: .completed, timedIn: Self.cellID, readOff: false,
          validation: false)
      }
      return NamedRun(name: name, run: all[0], repeats: Array(all.dropFirst()))
    }
    let variants = runs.map { CompareCell.Variant(name: $0.name, settings: $0.run.settings) }
    let facts = CompareFacts(
      CompareCell(variants: variants, sequential: true, replication: Replication(count: 3)), runs: runs,
      settings: settings, id: Self.cellID)
    let table = ComparePresenter.table(
      facts, variants: variants, settings: settings, shape: DataShape(rows: 28, columns: 28, classes: 10))
    let text = ComparePresenter.finding(facts)
    for word in ["better", "worse", "equivalent", "**"] { #expect(!text.contains(word), "\(text)") }
    Self.check(text, facts, table)
  }

  // MARK: - Random cells

  static var draw: Generator<Draw, some Sequence & SendableMetatype> {
    zip(
      Gen.int(in: -6...6), Gen.int(in: -2...2).array(of: 8), Gen.int(in: -4...8), Gen.int(in: 0...4),
      Gen.bool(0.08), Gen.bool(0.15), Gen.bool(0.08)
    ).map { level, noise, gap, slowness, diverged, untimed, readOff in
      Draw(
        level: level, noise: noise, gapLevel: gap, slowness: slowness, diverged: diverged, untimed: untimed,
        readOff: readOff)
    }
  }

  @Test func randomCellsClaimOnlyWhatTheirFactsHold() async {
    await propertyCheck(
      count: 200, input: Gen<Kind>.case, Self.draw.array(of: 2...5), Gen.element(of: [1, 2, 3, 5, 8]),
      Gen.bool(0.5)
    ) { kind, draws, repeats, equivalence in
      let (facts, table) = Self.cell(kind, draws, repeats: repeats!, margin: equivalence ? 0.004 : nil)
      Self.check(ComparePresenter.finding(facts), facts, table)
    }
  }
}
