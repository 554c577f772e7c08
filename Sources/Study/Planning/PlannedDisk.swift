import Foundation

/// What a build writes, estimated before it starts: the cache entries of the runs still to
/// train and of the cells, and the output folder (results, CSVs, figures, the report, the
/// exported models). What `plan` states, and what `build` checks against the free space of
/// the cache's and the output's file systems before anything is written.
///
/// The sizes follow what the cache and the output hold (measured on the default study's full
/// build: see issue 26's closing note): a run's record grows by about 200 bytes an epoch; a
/// run evaluated on the test set keeps about 60 bytes per test image (its per-image
/// correctness and probabilities) and its weights as Float32; each figure is written as PNG
/// and SVG and inlined in the HTML. Every file takes whole 4 KiB blocks.
public struct PlannedDisk: Sendable, Encodable {
  /// New cache entries (run records, timings, models, cell results), in bytes.
  public let cacheBytes: Double
  /// The output folder, in bytes; a build writes it beside the previous one and then
  /// replaces it, so the previous one's space is needed too until then.
  public let outputBytes: Double

  static let block = 4096.0

  static func blocks(_ bytes: Double) -> Double { (bytes / block).rounded(.up) * block }

  /// One run's cache entries: its record, its timing and, when tested, its model.
  static func runBytes(epochs: Int, tested: Bool, parameters: Int, testImages: Int) -> Double {
    let record = 700 + 200 * Double(epochs) + (tested ? 60 * Double(testImages) : 0)
    return blocks(record) + blocks(200) + (tested ? blocks(4 * Double(parameters) + 1024) : 0)
  }

  static func plan(_ plan: StudyPlan, study: Study, data: StudyData) -> PlannedDisk {
    let shape = data.dataset.shape
    let testImages = data.prepared.test.count
    var cache = 0.0
    var testedRuns = 0
    for stage in plan.stages {
      for run in stage.toTrain {
        let request = run.request
        cache += runBytes(
          epochs: request.epochs, tested: request.evaluatesTest, parameters: request.settings.parameterCount(shape),
          testImages: testImages)
        if request.evaluatesTest { testedRuns += 1 }
      }
      // Runs not known yet: as many as expected, each like its cell's own settings.
      if let estimate = stage.estimate {
        let cells = estimate.cells.compactMap { study.cell($0) }
        let each =
          cells.map {
            runBytes(
              epochs: $0.settings.epochs, tested: $0.body.behaviour.isTested,
              parameters: $0.settings.parameterCount(shape), testImages: testImages)
          }.max() ?? 0
        cache += each * estimate.expectedRuns.rounded(.up)
      }
    }
    // A cell's result holds its runs' records in brief, and its tested runs' evaluations.
    let trainingCells = study.cells.filter { $0.kind != .data && !plan.cachedCells.contains($0.id) }
    cache += Double(trainingCells.count) * blocks(60_000)
    cache += Double(testedRuns) * 60 * Double(testImages)

    let tested = study.cells.filter { $0.body.behaviour.isTested }
    let models = tested.reduce(0.0) { $0 + blocks(4 * Double($1.settings.parameterCount(shape)) + 1024) }
    // results.json and the CSVs; each cell's figures (PNG and SVG, and their copy inlined
    // in report.html); each tested cell's predictions.csv rows and per-image results.
    let output =
      100e3 + Double(study.cells.count) * 250e3 + models + Double(tested.count) * 150 * Double(testImages)
    // A quarter more for what this count does not see (the runs of stages not known yet
    // are estimated, and a cell's result grows with its findings).
    return PlannedDisk(cacheBytes: cache * 1.25, outputBytes: output * 1.25)
  }

  /// The bytes free to an unprivileged writer on the file system that holds `path` (or its
  /// nearest existing parent); nil when it cannot be read, or the file system holds no
  /// files (`/proc`) or is read-only, which the cache's write check names instead.
  public static func freeBytes(at path: String) -> Double? {
    let existing = nearestExisting(path)
    var info = statvfs()
    guard statvfs(existing, &info) == 0, info.f_blocks > 0, info.f_flag & UInt(ST_RDONLY) == 0 else { return nil }
    return Double(info.f_bavail) * Double(info.f_frsize)
  }

  /// The file system that holds `path` (or its nearest existing parent), to tell whether
  /// the cache and the output share one.
  static func device(of path: String) -> UInt64? {
    var info = stat()
    guard stat(nearestExisting(path), &info) == 0 else { return nil }
    return UInt64(info.st_dev)
  }

  /// `path`, or its nearest parent that exists (a build's folders may not be made yet).
  private static func nearestExisting(_ path: String) -> String {
    var url = URL(fileURLWithPath: path).standardizedFileURL
    while !FileManager.default.fileExists(atPath: url.path) && url.path != "/" {
      url.deleteLastPathComponent()
    }
    return url.path
  }
}
