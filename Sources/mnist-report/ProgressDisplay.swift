import Foundation
import NN
import Study

/// Shows a build's progress on standard error: on a terminal, one live line per run in
/// progress (epoch, a batch bar, running metrics, an estimated time left), redrawn in place;
/// otherwise one plain line per epoch. `quiet` shows nothing but problems; `verbose` also
/// keeps every epoch's line on a terminal.
final class ProgressDisplay: BuildObserver, @unchecked Sendable {
  enum Level { case quiet, normal, verbose }

  private let level: Level
  private let live: Bool
  private let lock = NSLock()
  private var active: [String: Line] = [:]
  private var order: [String] = []
  private var drawnLines = 0
  private var lastDraw = 0.0

  private struct Line {
    var text: String
    var started: Double
  }

  init(level: Level) {
    self.level = level
    live = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["TERM"] != "dumb"
  }

  private func key(_ run: RunLabel) -> String { "\(run.cell)/\(run.name)" }

  func cellStarted(_ cell: Cell) {
    guard level != .quiet else { return }
    emit("▶ \(cell.id): \(cell.title)")
  }

  func runsQueued(cell: String, training: Int, cached: Int) {
    guard level != .quiet, cached > 0 || training > 1 else { return }
    var parts: [String] = []
    if training > 0 { parts.append("\(training) run\(training == 1 ? "" : "s") to train") }
    if cached > 0 { parts.append("\(cached) from the cache") }
    emit("  \(parts.joined(separator: ", "))")
  }

  func runStarted(_ run: RunLabel) {
    guard level != .quiet else { return }
    lock.withLock {
      active[key(run)] = Line(text: "  \(run.name): starting", started: monotonicSeconds())
      order.append(key(run))
      redraw(force: true)
    }
  }

  func training(_ run: RunLabel, _ event: TrainingEvent) {
    guard level != .quiet else { return }
    switch event {
    case .batch(let epoch, let batch, let batches, let loss, let accuracy):
      guard live else { return }
      lock.withLock {
        guard var line = active[key(run)] else { return }
        let done = Double(epoch - 1) + Double(batch) / Double(batches)
        let elapsed = monotonicSeconds() - line.started
        let left = done > 0 ? elapsed / done * (Double(run.epochs) - done) : 0
        line.text = String(
          format: "  %@  epoch %d/%d %@ loss %.4f acc %.2f%%  %@ left", run.name, epoch, run.epochs,
          bar(Double(batch) / Double(batches)), loss, 100 * accuracy, clock(left))
        active[key(run)] = line
        redraw(force: false)
      }
    case .epoch(let record):
      let text = String(
        format: "  %@  epoch %d/%d  loss %.4f acc %.2f%%  val_loss %@ val_acc %@  lr %.3g  %.2f s", run.name,
        record.epoch, run.epochs, record.trainLoss, 100 * record.trainAccuracy,
        record.validationLoss.map { String(format: "%.4f", $0) } ?? "-",
        record.validationAccuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-", record.learningRate,
        record.seconds)
      if !live || level == .verbose { emit(text) }
    }
  }

  func runFinished(_ run: RunLabel, _ record: RunRecord) {
    guard level != .quiet else { return }
    lock.withLock {
      active[key(run)] = nil
      order.removeAll { $0 == key(run) }
      redraw(force: true)
    }
    let outcome = record.validationAccuracy.map { String(format: "val_acc %.2f%%", 100 * $0) } ?? "diverged"
    emit(String(format: "  ✓ %@: %d epochs, %@, %.1f s", run.name, record.epochs, outcome, record.seconds))
  }

  func cellFinished(_ result: CellResult) {
    switch result.status {
    case .failed: emit("✗ \(result.id) failed: \(result.error ?? "")", always: true)
    case .skipped: if level == .verbose { emit("· \(result.id): not built (--only)") }
    case .cached: if level != .quiet { emit("✓ \(result.id): cached") }
    case .ran, .diverged:
      guard level != .quiet else { return }
      let diverged = result.status == .diverged ? ", a run diverged" : ""
      emit(
        String(
          format: "✓ %@: ran in %.1f s (%d epochs trained%@)", result.id, result.seconds, result.epochsTrainedNow,
          diverged))
    }
  }

  func note(_ message: String) { emit("! \(message)", always: true) }

  /// Prints a line above the live lines.
  private func emit(_ text: String, always: Bool = false) {
    guard always || level != .quiet else { return }
    lock.withLock {
      clearLive()
      FileHandle.standardError.write(Data((text + "\n").utf8))
      redraw(force: true)
    }
  }

  private func clearLive() {
    guard live, drawnLines > 0 else { return }
    FileHandle.standardError.write(Data(("\u{1B}[\(drawnLines)A" + "\u{1B}[J").utf8))
    drawnLines = 0
  }

  /// Redraws the live lines, at most about ten times a second.
  private func redraw(force: Bool) {
    guard live else { return }
    let now = monotonicSeconds()
    guard force || now - lastDraw > 0.1 else { return }
    lastDraw = now
    clearLive()
    let lines = order.compactMap { active[$0]?.text }
    guard !lines.isEmpty else { return }
    let width = terminalWidth()
    let text = lines.map { String($0.prefix(width - 1)) }.joined(separator: "\n") + "\n"
    FileHandle.standardError.write(Data(text.utf8))
    drawnLines = lines.count
  }

  private func bar(_ fraction: Double) -> String {
    let cells = 12
    let filled = Int((fraction * Double(cells)).rounded(.down))
    return "[" + String(repeating: "█", count: filled) + String(repeating: "·", count: cells - filled) + "]"
  }

  private func terminalWidth() -> Int {
    var size = winsize()
    return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 20 ? Int(size.ws_col) : 100
  }
}

/// Seconds as m:ss.
func clock(_ seconds: Double) -> String {
  guard seconds.isFinite, seconds >= 0 else { return "-:--" }
  let total = Int(seconds.rounded())
  return String(format: "%d:%02d", total / 60, total % 60)
}
