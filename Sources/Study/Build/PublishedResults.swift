import Foundation

/// A build's results read back from the folder it wrote (`results.json`, `predictions.csv`),
/// to render the report again without the cache and without training: after a change to a
/// caption, an explanation or a template, or in a fresh clone that holds only `reports/`
/// (as Quarto's `_freeze`).
///
/// A cell's result is used only when its key — everything it was computed from: the data
/// and its digests, the profile, the engine, its settings and the cells before it — is the
/// key the study gives the cell now; its title, explanation and the study's description
/// are the study file's, so that they can change.
public struct PublishedResults: Sendable {
  public let folder: String
  public let results: StudyResults

  /// Reads `folder/results.json`, or the results file `folder` names.
  public init(folder: String) throws {
    var isFolder: ObjCBool = false
    let isFile = FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) && !isFolder.boolValue
    self.folder = isFile ? (folder as NSString).deletingLastPathComponent : folder
    let file = isFile ? folder : (folder as NSString).appendingPathComponent("results.json")
    guard let bytes = FileManager.default.contents(atPath: file) else {
      throw RenderError(
        "\(file): no results there (render reads the folder a build wrote: results.json, predictions.csv)")
    }
    struct Format: Decodable {
      let formatVersion: Int?
    }
    let format: Int
    do {
      format = try ResultsJSON.decoder().decode(Format.self, from: bytes).formatVersion ?? 1  // format 1 had no number
    } catch {
      throw RenderError("\(file): not a results file (\(describeDecoding(error)))")
    }
    guard format == resultsFileFormat else {
      throw RenderError(
        "\(file): results of format \(format), and this mnist-report reads format \(resultsFileFormat) (schemas/results.schema.json); build the study again"
      )
    }
    do {
      results = try ResultsJSON.decode(StudyResults.self, from: bytes)
    } catch {
      throw RenderError(
        "\(file): not the results of this version of mnist-report (\(describeDecoding(error))); build the study again")
    }
  }

  /// For each of the study's cells, its result in these results, or nil when the results
  /// hold none under the key the cell has now.
  public func matches(_ study: Study) -> [CellResult?] {
    let keys = CacheKeys(study: study, files: results.files, profile: results.profile, kernels: results.kernels)
    var byKey: [String: CellResult] = [:]
    for cell in results.cells { byKey[cell.key] = cell }
    return zip(study.cells, keys.cellKeys(study)).map { cell, key in
      guard var result = byKey[key], result.kind == cell.kind else { return nil }
      result.name(as: cell)
      return result
    }
  }

  /// The study as built from these results: every cell must be there under its key.
  public func built(_ study: Study) throws -> BuiltStudy {
    guard results.engine == engineVersion else {
      throw RenderError(
        "\(folder)/results.json: computed by engine \(results.engine), and this mnist-report's engine is \(engineVersion): its numbers would differ; build the study again"
      )
    }
    let matched = matches(study)
    let missing = zip(study.cells, matched).filter { $0.1 == nil }.map(\.0)
    if !missing.isEmpty {
      let all = missing.count == study.cells.count
      throw RenderError(
        """
        \(folder)/results.json holds no result for \(all ? "any of the study's cells" : missing.map { "'\($0.id)'" }.joined(separator: ", ")) \
        as \(study.file) defines \(missing.count == 1 ? "it" : "them") now: \
        \(all ? "the study's data, seed or profile" : "their settings, or those of a cell they build on,") changed since that build \
        (captions, explanations and titles may change); build the study to compute \(missing.count == 1 ? "it" : "them")
        """)
    }
    var published = results
    published.title = study.title
    published.description = study.description
    published.cells = matched.map { $0! }
    var cells: [BuiltCell] = []
    for (cell, result) in zip(study.cells, published.cells) {
      cells.append(BuiltCell(cell: cell, result: result, earlier: cells))
    }
    var built = BuiltStudy(study: study, results: published, cells: cells)
    built.analyze()
    return built
  }

  /// Renders `study` from these results: writes results.json and the run CSVs again and
  /// copies the predictions into `staged`, and returns the study as built, for the report.
  public func render(_ study: Study, into staged: StagedOutput) throws -> BuiltStudy {
    let built = try built(study)
    try ResultsWriter(results: built.results, source: .folder(folder), exports: study.exportingCells).write(
      to: staged.path)
    return built
  }
}

/// Results that cannot be rendered: the message names the file or the cells, and what to do.
public struct RenderError: Error, CustomStringConvertible {
  public let description: String
  init(_ description: String) { self.description = description }
}
