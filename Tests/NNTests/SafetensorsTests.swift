import Foundation
import Testing

@testable import NN
@testable import Tensor

/// The safetensors format as its specification gives it, and a network's weights under
/// PyTorch's names and layouts, read back bit for bit.
@Suite struct SafetensorsFormat {
  @Test func aFileIsItsHeaderLengthItsJSONHeaderAndItsData() throws {
    let a = NamedTensor(name: "b.weight", shape: [2, 3], values: [1, 2, 3, 4, 5, 6])
    let b = NamedTensor(name: "a.bias", shape: [2], values: [-0.5, .leastNonzeroMagnitude])
    let bytes = Safetensors.encode([a, b], metadata: ["format": "pt"])
    let length = Int(bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
    #expect((8 + length) % 8 == 0, "the data starts aligned")
    let header = String(decoding: bytes[8..<(8 + length)], as: UTF8.self)
    #expect(
      header.trimmingCharacters(in: .whitespaces)
        == #"{"__metadata__":{"format":"pt"},"a.bias":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b.weight":{"dtype":"F32","shape":[2,3],"data_offsets":[8,32]}}"#
    )
    #expect(bytes.count == 8 + length + 32)
    // Little-endian float32: 1.0 is 00 00 80 3f.
    #expect(Array(bytes[(8 + length + 8)..<(8 + length + 12)]) == [0, 0, 0x80, 0x3f])
    let (tensors, metadata) = try Safetensors.decode(bytes, file: "m.safetensors")
    #expect(metadata == ["format": "pt"])
    #expect(tensors == [b, a])
    #expect(tensors[1].floats == [1, 2, 3, 4, 5, 6])
    #expect(tensors[0].floats[1] == .leastNonzeroMagnitude)
  }

  @Test func malformedFilesAreRefusedWithTheReason() throws {
    let good = Safetensors.encode([NamedTensor(name: "w", shape: [4], values: [1, 2, 3, 4])])
    func error(_ bytes: [UInt8]) -> String {
      do {
        _ = try Safetensors.decode(bytes, file: "m.safetensors")
        return "accepted"
      } catch {
        return "\(error)"
      }
    }
    #expect(error([1, 2, 3]).contains("m.safetensors: not a valid safetensors file: 3 bytes, too short"))
    #expect(error(Array(good.dropLast(4))).contains("truncated?"))
    #expect(error(good + [0, 0, 0, 0]).contains("4 bytes of data belong to no tensor"))
    var huge = good
    huge[7] = 0x7f
    #expect(error(huge).contains("the header length says"))
    var notJSON = good
    notJSON[8] = UInt8(ascii: "[")
    #expect(error(notJSON).contains("the header is not"))
    func withHeader(_ json: String, data: Int) -> [UInt8] {
      var header = Array(json.utf8)
      while header.count % 8 != 0 { header.append(32) }
      return withUnsafeBytes(of: UInt64(header.count).littleEndian) { Array($0) } + header
        + [UInt8](repeating: 0, count: data)
    }
    #expect(
      error(withHeader(#"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#, data: 4)).contains(
        "dtype F16 (this tool reads F32 and I64)"))
    #expect(
      error(withHeader(#"{"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, data: 8)).contains(
        "of shape [3] needs 12 bytes, its offsets give 8"))
    #expect(
      error(withHeader(#"{"w":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, data: 8)).contains(
        "starts at byte 4, not 0"))
    #expect(error(withHeader(#"{"w":{"dtype":"F32"}}"#, data: 0)).contains("needs dtype, shape and data_offsets"))
  }

  /// A network with every kind of layer: input dropout, Dense with a fused activation,
  /// Dense without bias, BatchNorm1d, an activation layer, dropout.
  func network() -> Sequential {
    Sequential(
      [Dropout(0.1)]
        + Sequential.mlp(hidden: [6, 5], classes: 3, activation: .gelu, dropout: [0.2, 0], batchNorm: true).layers)
  }

  @Test func weightsTakePyTorchsNamesAndLayoutsAndLoadBackBitForBit() throws {
    let context = ComputeContext(threads: 1)
    let trained = network()
    trained.build(inputWidth: 4, batchCapacity: 8, context: context, seed: SeedPath(7))
    // Running statistics that are not the initial ones.
    for buffer in trained.buffers { for i in 0..<buffer.count { buffer.data[i] = Float(i) * 0.25 + 0.5 } }
    #expect(
      trained.torchModules == [
        "Dropout(p=0.1, inplace=False)", "Linear(in_features=4, out_features=6, bias=False)",
        "BatchNorm1d(6, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "GELU(approximate='none')",
        "Dropout(p=0.2, inplace=False)", "Linear(in_features=6, out_features=5, bias=False)",
        "BatchNorm1d(5, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)", "GELU(approximate='none')",
        "Linear(in_features=5, out_features=3, bias=True)",
      ])
    let tensors = trained.torchStateDict(batches: 42)
    #expect(
      tensors.map(\.name) == [
        "layers.1.weight", "layers.2.weight", "layers.2.bias", "layers.2.running_mean", "layers.2.running_var",
        "layers.2.num_batches_tracked", "layers.5.weight", "layers.6.weight", "layers.6.bias",
        "layers.6.running_mean", "layers.6.running_var", "layers.6.num_batches_tracked", "layers.8.weight",
        "layers.8.bias",
      ])
    // Linear weights are [out, in]: element (o, i) is the engine's W[i][o].
    let first = try #require(tensors.first)
    #expect(first.shape == [6, 4])
    let dense = trained.layers[1] as! Dense
    #expect(first.floats[2 * 4 + 3] == dense.weight.value.data[3 * 6 + 2])

    let file = Safetensors.encode(tensors, metadata: ["format": "pt"])
    let loaded = network()
    loaded.build(inputWidth: 4, batchCapacity: 8, context: context, seed: SeedPath(8))
    try loaded.loadTorchStateDict(try Safetensors.decode(file, file: "m").tensors, file: "m")
    #expect(loaded.snapshot().values == trained.snapshot().values)

    // Another architecture's file is refused, naming the tensor.
    let other = Sequential.mlp(hidden: [7], classes: 3)
    other.build(inputWidth: 4, batchCapacity: 8, context: context, seed: SeedPath(8))
    #expect {
      try other.loadTorchStateDict(tensors, file: "m.safetensors")
    } throws: { error in
      "\(error)".contains("m.safetensors: tensor 'layers.0.weight'") || "\(error)".contains("m.safetensors: no tensor")
    }
  }
}
