import Data
import Foundation
import TestFixtures
import Testing

/// The trained model a build exports, used by `predict`: it gives predictions.csv bit for
/// bit, and a bad model file or image is a clear error.
@Suite struct ModelExport {
  @Test func theExportedModelReproducesPredictionsCSVAndBadInputIsNamed() throws {
    let scratch = try Scratch()
    defer { scratch.remove() }
    let built = try buildQuick(renderedStudy, in: scratch)
    #expect(built.status == 0, "\(built.stderr)")
    let model = scratch.path("out/models/tuned.safetensors")
    let card =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: URL(fileURLWithPath: scratch.path("out/models/tuned.json")))) as! [String: Any]
    #expect(card["format"] as? String == "mnist-report model 1")
    let architecture = card["architecture"] as! [String: Any]
    #expect(architecture["input_shape"] as? [Int] == [28, 28] && architecture["classes"] as? Int == 10)
    #expect(
      (architecture["torch_modules"] as? [String])?.first == "Linear(in_features=784, out_features=16, bias=True)")
    #expect((card["normalization"] as! [String: Any])["kind"] as? String == "standardize")
    #expect(!FileManager.default.fileExists(atPath: scratch.path("out/models/baseline.safetensors")), "save: false")

    // The whole test file through predict: every row predictions.csv holds, bit for bit.
    let images = packageRoot.appendingPathComponent("data/mnist/t10k-images-idx3-ubyte.gz").path
    let labels = packageRoot.appendingPathComponent("data/mnist/t10k-labels-idx1-ubyte.gz").path
    let predicted = try run(["predict", "--model", model, images, "--labels", labels, "--csv", "--threads", "2"])
    #expect(predicted.status == 0, "\(predicted.stderr)")
    let rows = predicted.stdout.split(separator: "\n")
    #expect(rows.count == 10_001)
    let expected = try String(contentsOfFile: scratch.path("out/predictions.csv"), encoding: .utf8).split(
      separator: "\n")
    #expect(rows[0] == expected[0], "the same header")
    #expect(expected.count == 1001)
    for line in expected.dropFirst() {
      let index = Int(line.prefix { $0 != "," })!
      #expect(rows[index + 1] == line, "test image \(index)")
    }

    // One test image as a PNG gives the same probabilities.
    let first = try #require(Int(expected[1].prefix { $0 != "," }))
    let pixels = try testImage(first, from: images)
    writePNG(pixels, width: 28, height: 28, to: scratch.path("digit.png"))
    let single = try run(["predict", "--model", model, scratch.path("digit.png"), "--csv"])
    #expect(single.status == 0, "\(single.stderr)")
    let fields = expected[1].split(separator: ",", omittingEmptySubsequences: false)
    let singleFields = single.stdout.split(separator: "\n")[1].split(separator: ",", omittingEmptySubsequences: false)
    #expect(singleFields.dropFirst(2) == fields.dropFirst(2), "class and probabilities as in predictions.csv")
    let text = try run(["predict", "--model", model, scratch.path("digit.png")])
    #expect(text.stdout.hasPrefix("\(scratch.path("digit.png")): \(fields[2]) ("))
    let json = try run(["predict", "--model", model, scratch.path("digit.png"), "--json"])
    let objects = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [[String: Any]]
    #expect((objects[0]["probabilities"] as! [Double]).count == 10)

    // Images the model cannot read.
    writePNG([UInt8](repeating: 0, count: 32 * 32), width: 32, height: 32, to: scratch.path("big.png"))
    var result = try run(["predict", "--model", model, scratch.path("big.png")])
    #expect(result.status != 0 && result.stderr.contains("big.png: 32 × 32 pixels; the model reads 28 × 28 images"))
    writePNG([UInt8](repeating: 0, count: 28 * 28 * 3), width: 28, height: 28, channels: 3, to: scratch.path("rgb.png"))
    result = try run(["predict", "--model", model, scratch.path("rgb.png")])
    #expect(result.status != 0 && result.stderr.contains("rgb.png: a colour PNG; expected greyscale"))
    writePNG(
      [UInt8](repeating: 0, count: 28 * 28 * 2), width: 28, height: 28, channels: 2, to: scratch.path("alpha.png"))
    result = try run(["predict", "--model", model, scratch.path("alpha.png")])
    #expect(result.status != 0 && result.stderr.contains("alpha.png: a greyscale PNG with an alpha channel"))

    // A truncated model, and a card that describes another network.
    let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
    try bytes.prefix(bytes.count - 100).write(to: URL(fileURLWithPath: scratch.path("cut.safetensors")))
    try FileManager.default.copyItem(atPath: scratch.path("out/models/tuned.json"), toPath: scratch.path("cut.json"))
    result = try run(["predict", "--model", scratch.path("cut.safetensors"), scratch.path("digit.png")])
    #expect(
      result.status != 0 && result.stderr.contains("cut.safetensors: not a valid safetensors file"), "\(result.stderr)")
    try bytes.write(to: URL(fileURLWithPath: scratch.path("wide.safetensors")))
    let wide = try String(contentsOfFile: scratch.path("cut.json"), encoding: .utf8).replacingOccurrences(
      of: "\"hidden\" : [\n      16\n    ]", with: "\"hidden\" : [\n      32\n    ]")
    #expect(wide.contains("32"))
    try wide.write(toFile: scratch.path("wide.json"), atomically: true, encoding: .utf8)
    result = try run(["predict", "--model", scratch.path("wide.safetensors"), scratch.path("digit.png")])
    #expect(
      result.status != 0
        && result.stderr.contains(
          "wide.safetensors: tensor 'layers.0.weight' is F32 [16, 784]; the model's network needs F32 [32, 784]"),
      "\(result.stderr)")
    result = try run(["predict", "--model", scratch.path("nowhere.safetensors"), scratch.path("digit.png")])
    #expect(result.status != 0 && result.stderr.contains("nowhere.json: no model card"))
  }

  /// Image `index` of an IDX images file, its bytes.
  func testImage(_ index: Int, from path: String) throws -> [UInt8] {
    let data = try IDXFile.read(path, rank: 3, what: "images").data
    let start = data.startIndex + index * 784
    return Array(data[start..<(start + 784)])
  }
}
