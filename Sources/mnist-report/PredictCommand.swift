import ArgumentParser
import Data
import Foundation
import NN
import Study

struct PredictCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "predict",
    abstract: "Classify images with a model a build exported (reports/models/CELL.safetensors).",
    discussion: """
      Each INPUT is a PNG file (greyscale, of the model's size: 28 × 28 for MNIST, a white digit on black) or an IDX images file (.gz or not, as the dataset's). Images are normalized as the model was trained (its card, CELL.json beside the weights, says how). Prints each image's class and probability; --csv prints predictions.csv's columns (index,label,predicted,p0,…), with a first column file when there are several inputs; --json an array with every probability.
      """)

  @Option(
    help: ArgumentHelp("The model's weights (.safetensors); its card (.json) must be beside it.", valueName: "file"))
  var model: String

  @Argument(help: ArgumentHelp("PNG files or IDX image files to classify.", valueName: "input"))
  var inputs: [String]

  @Option(
    help: ArgumentHelp(
      "An IDX labels file for an IDX input: adds the label column and the accuracy.", valueName: "file"))
  var labels: String?

  @Flag(help: "Print CSV: index,label,predicted,p0,… as predictions.csv.")
  var csv = false

  @Flag(help: "Print JSON: one object per image, with every probability.")
  var json = false

  @Option(help: ArgumentHelp("Threads to compute with.", valueName: "n"))
  var threads = 1

  func validate() throws {
    if csv && json { throw ValidationError("use --csv or --json, not both") }
    if inputs.isEmpty { throw ValidationError("give at least one input: a PNG file or an IDX images file") }
    if labels != nil && inputs.count != 1 { throw ValidationError("--labels goes with a single IDX input") }
    guard (1...ThreadOptions.most).contains(threads) else {
      throw ValidationError("--threads must be from 1 to \(ThreadOptions.most), got \(threads)")
    }
  }

  /// The images of one input, as bytes, with their labels when known.
  struct Batch {
    let file: String
    let count: Int
    let bytes: [UInt8]
    let labels: [Int]?
  }

  func run() throws {
    let loaded: ExportedModel
    do {
      loaded = try ExportedModel(weights: model, threads: threads)
    } catch let error as SafetensorsError {
      throw CommandFailure(error.description)
    } catch let error as ModelError {
      throw CommandFailure(error.description)
    }
    let card = loaded.card
    let shape = card.architecture.inputShape
    var batches: [Batch] = []
    for input in inputs { batches.append(try read(input, rows: shape[0], columns: shape[1])) }

    let classes = card.architecture.classes
    for batch in batches {
      if let label = batch.labels?.first(where: { $0 >= classes }) {
        throw CommandFailure("\(labels ?? ""): label \(label), and the model has \(classes) classes")
      }
    }
    var lines: [String] = []
    var objects: [[String: Any]] = []
    var correct = 0
    var labelled = 0
    let several = batches.count > 1
    if csv {
      lines.append(
        (several ? "file," : "") + "index,label,predicted," + (0..<classes).map { "p\($0)" }.joined(separator: ","))
    }
    for batch in batches {
      let probabilities = loaded.probabilities(bytes: batch.bytes, count: batch.count)
      for i in 0..<batch.count {
        let row = Array(probabilities[(i * classes)..<((i + 1) * classes)])
        var best = 0
        for j in row.indices where row[j] > row[best] { best = j }
        let label = batch.labels?[i]
        if let label {
          labelled += 1
          if label == best { correct += 1 }
        }
        let name = card.classNames.indices.contains(best) ? card.classNames[best] : String(best)
        if csv {
          let fields = [String(i), label.map(String.init) ?? "", String(best)] + row.map { String($0) }
          lines.append((several ? csvField(batch.file) + "," : "") + fields.joined(separator: ","))
        } else if json {
          var object: [String: Any] = [
            "file": batch.file, "index": i, "predicted": best, "class": name, "probabilities": row.map { Double($0) },
          ]
          if let label { object["label"] = label }
          objects.append(object)
        } else {
          let place = batch.count == 1 && batch.labels == nil ? batch.file : "\(batch.file)#\(i)"
          let runnersUp = row.indices.filter { $0 != best }.sorted { row[$0] > row[$1] }.prefix(2).map {
            "\(card.classNames.indices.contains($0) ? card.classNames[$0] : String($0)) \(percent(row[$0]))"
          }
          var line = "\(place): \(name) (\(percent(row[best])); then \(runnersUp.joined(separator: ", ")))"
          if let label { line += label == best ? "" : "  ✗ label \(card.classNames[label])" }
          lines.append(line)
        }
      }
    }
    if json {
      print(jsonText(objects))
    } else {
      print(lines.joined(separator: "\n"))
      if !csv && labelled > 0 {
        print(
          String(
            format: "accuracy %.2f%% (%d of %d)", 100 * Double(correct) / Double(labelled), correct, labelled))
      }
    }
  }

  private func read(_ input: String, rows: Int, columns: Int) throws -> Batch {
    guard let head = FileHandle(forReadingAtPath: input)?.readData(ofLength: 8) else {
      throw CommandFailure("\(input): cannot read the file")
    }
    do {
      if head.starts(with: [0x89, 0x50, 0x4E, 0x47]) {
        let image = try GreyscaleImage(png: input)
        guard image.rows == rows && image.columns == columns else {
          throw CommandFailure(
            "\(input): \(image.columns) × \(image.rows) pixels; the model reads \(columns) × \(rows) images")
        }
        return Batch(file: input, count: 1, bytes: image.pixels, labels: nil)
      }
      let idx = try IDXFile.read(input, rank: 3, what: "images")
      guard idx.dimensions[1] == rows && idx.dimensions[2] == columns else {
        throw CommandFailure(
          "\(input): images of \(idx.dimensions[2]) × \(idx.dimensions[1]) pixels; the model reads \(columns) × \(rows)"
        )
      }
      var known: [Int]?
      if let labels {
        let file = try IDXFile.read(labels, rank: 1, what: "labels")
        guard file.count == idx.count else {
          throw CommandFailure("\(labels): \(file.count) labels for the \(idx.count) images of \(input)")
        }
        known = file.data.map(Int.init)
      }
      return Batch(file: input, count: idx.count, bytes: Array(idx.data), labels: known)
    } catch let error as DataError {
      throw CommandFailure(error.description)
    }
  }

  private func percent(_ p: Float) -> String { String(format: "%.2f%%", 100 * Double(p)) }

  private func csvField(_ text: String) -> String {
    text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
  }
}
