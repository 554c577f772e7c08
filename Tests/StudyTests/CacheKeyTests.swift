import Tensor
import Testing

@testable import Study

/// Cache keys are hashes of JSON: a change of a stored type's encoding, a key's field or the
/// order of anything hashed silently makes every cache entry (and every published key)
/// another. fixtures/keyed-study.yaml is the default study as it was before cells became one
/// type per kind, and these keys are the ones its quick build had then; they must not move
/// unless the engine or format version does.
@Suite struct CacheKeyStability {
  static let mnist = [
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
  ]

  @Test(.enabled(if: Kernels.best.name != "baseline", "keys of FMA kernels"))
  func theDefaultStudysKeysAreUnchanged() throws {
    let study = try Study.load(packageRoot + "/Tests/StudyTests/fixtures/keyed-study.yaml")
    let files = Self.mnist.map { FileDigest(file: "", sha256: $0, bytes: 0, verified: true) }
    let keys = CacheKeys(study: study, files: files, profile: .quick)
    var earlier: [String] = []
    for cell in study.cells {
      earlier.append(keys.cellKey(cell, earlier: earlier))
    }
    #expect(
      earlier == [
        "3a268e267b9d81604f0b30628b652e7163155c433b6d41b88fe5d14b4e07df04",
        "32e2b6ae3f7da6d61b124429e6aff1695dc35a026eddf3a3a82b9043a68d0355",
        "a91735a896c2ff6bc8e22233b3fd961e4ef8302efb9e3deb714df30edf064d75",
        "0e4bdd7c107eabc55e2b0c4474005a957b52d0fea010e31fc5338c3f3f949265",
        "ae0d45e31085d9a4abd8bdf223f04cf68f0694df41039f23a63312bba3ed9d28",
        "f713eaf95fb056ae508947991e0041a0b645e7cd8b287ccee5363486a315b57e",
        "b37db60b964f6fc0dee746120b9fd582e783f333c274651fe43e830e3cc37f3b",
        "4c6b8fe4a80a4d49947f27ceab6bfca435600786f8f64b28089655a40a80f54f",
        "2e8f9cbaa8567eaaac3a2e612d47e7969cccb8443a13a27f0d75d023d8870cf2",
        "0712e5b6eaaa3ab011689036eebecdefe63f07edc7a0429a7806fac35072aae0",
      ])
    let baseline = try #require(study.cell("baseline"))
    let run = keys.runKey(Profile.quick.adjust(baseline.settings), data: .split, evaluatesTest: true)
    #expect(run.key == "85002c5c2876c61e6dc1232a629ea4164e515bec275d3beddecb57c1fa34bda6-2-test")
    #expect(run.family == String(run.key.prefix(64)), "a tested run can stand in for shorter runs of its family")
  }

  @Test func theFolderADatasetIsReadFromIsNotKeyed() throws {
    let files = Self.mnist.map { FileDigest(file: "", sha256: $0, bytes: 0, verified: false) }
    func key(_ path: String) throws -> String {
      let study = try Study.parse(
        validStudy.replacingOccurrences(of: "  seed: 7\n", with: "  seed: 7\n  path: \(path)\n"), file: "s.yaml")
      return CacheKeys(study: study, files: files, profile: .full).dataKey
    }
    #expect(try key("/a/data") == key("/elsewhere/data"))
  }
}
