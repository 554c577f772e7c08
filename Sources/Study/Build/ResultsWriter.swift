import Data
import Foundation
import NN

/// Writes a build's results under the output folder: `results.json` (every cell's settings,
/// status, time and metrics, with epoch histories), one CSV per training run
/// (`runs/CELL/RUN.csv`), and `predictions.csv` for a final cell's model on the test set.
/// The build moves them into the output folder with the report (``StagedOutput``).
struct ResultsWriter {
  /// Where the test predictions and the exported models come from.
  enum Source {
    /// This build: the final cells' probabilities on its test part (the order of
    /// predictions.csv), the models in its cache.
    case build(StudyData, ResultCache)
    /// The files of an earlier build's results folder, copied as they are (`render`).
    case folder(String)
  }

  let results: StudyResults
  let source: Source
  /// The cells whose trained model is exported (``Cell/exportsModel``).
  let exports: Set<String>

  /// Writes into `folder`, a ``StagedOutput``'s (which checked that the output can be written).
  func write(to folder: String) throws {
    // Always there, empty when nothing is exported, so that the models of an earlier build
    // go with its folder rather than stay beside results they do not belong to.
    do {
      try FileManager.default.createDirectory(atPath: "\(folder)/models", withIntermediateDirectories: true)
    } catch {
      throw OutputError(path: "\(folder)/models", message: "cannot create (\(error.localizedDescription))")
    }
    for cell in results.cells where cell.status != .skipped && cell.status != .failed {
      for run in cell.runs {
        try atomically(csv(run.run.history), to: "\(folder)/runs/\(cell.id)/\(slug(run.name)).csv")
      }
    }
    let finals = results.cells.filter { $0.kind == .final && $0.runs.first?.run.test != nil }
    for cell in finals {
      let name = Self.predictionsFile(of: cell, among: finals.count)
      switch source {
      case .build(let data, _):
        try atomically(Self.predictions(cell.runs[0].run.test!, data: data.prepared), to: "\(folder)/\(name)")
      case .folder(let source):
        try copy("\(source)/\(name)", to: "\(folder)/\(name)", for: cell)
      }
    }
    for cell in results.cells where exports.contains(cell.id) && cell.status != .failed && cell.status != .skipped {
      switch source {
      case .build(let data, let cache):
        try ModelExport.write(cell, results: results, data: data, cache: cache, to: folder)
      case .folder(let source):
        try ModelExport.copy(cell, from: source, to: folder)
      }
    }
    // The test probabilities are predictions.csv's; results.json stays readable without them.
    var published = results
    for c in published.cells.indices { published.cells[c].updateRuns { $0.test?.probabilities = nil } }
    try atomically(try ResultsJSON.encode(published) + Data("\n".utf8), to: "\(folder)/results.json")
  }

  /// One line per epoch: epoch, train and validation loss and accuracy, learning rate, seconds.
  func csv(_ history: History) -> String {
    var lines = ["epoch,train_loss,train_accuracy,val_loss,val_accuracy,learning_rate,seconds"]
    for e in history.epochs {
      let fields = [
        String(e.epoch), number(e.trainLoss), number(e.trainAccuracy), e.validationLoss.map(number) ?? "",
        e.validationAccuracy.map(number) ?? "", String(format: "%.6g", e.learningRate),
        String(format: "%.3f", e.seconds),
      ]
      lines.append(fields.joined(separator: ","))
    }
    return lines.joined(separator: "\n") + "\n"
  }

  /// The name of a final cell's predictions: `predictions.csv` when the study has one final
  /// cell with a test evaluation, else one file per cell.
  static func predictionsFile(of cell: CellResult, among finals: Int) -> String {
    finals == 1 ? "predictions.csv" : "predictions-\(cell.id).csv"
  }

  /// An earlier build's predictions of `cell`, checked to be a predictions file first.
  private func copy(_ source: String, to path: String, for cell: CellResult) throws {
    guard let bytes = FileManager.default.contents(atPath: source) else {
      throw OutputError(path: source, message: "missing: it holds the test predictions of cell '\(cell.id)'")
    }
    guard bytes.starts(with: Data("index,label,predicted,".utf8)) else {
      throw OutputError(path: source, message: "not a predictions file (expected a header index,label,predicted,p0,…)")
    }
    try atomically(bytes, to: path)
  }

  /// `index,label,predicted,p0,…,p9`: the test set in order, each probability as the shortest
  /// decimal that reads back as the same Float32.
  static func predictions(_ test: TestEvaluation, data: PreparedData) -> String {
    let probabilities = test.decodedProbabilities()
    let labels = data.test.labels
    let positions = data.testIndices
    let classes = probabilities.count / max(labels.count, 1)
    var lines = ["index,label,predicted," + (0..<classes).map { "p\($0)" }.joined(separator: ",")]
    lines.reserveCapacity(labels.count + 1)
    for (i, label) in labels.enumerated() {
      let row = probabilities[(i * classes)..<((i + 1) * classes)]
      var best = row.startIndex
      for j in row.indices where row[j] > row[best] { best = j }
      let values = row.map { String($0) }.joined(separator: ",")
      lines.append("\(positions[i]),\(label),\(best - row.startIndex),\(values)")
    }
    return lines.joined(separator: "\n") + "\n"
  }

  private func number(_ value: Double) -> String { value.isFinite ? String(format: "%.6f", value) : "nan" }
}
