import Tensor
import Testing

@testable import Study

/// Cache keys are hashes of JSON: a change of a stored type's encoding, a key's field or the
/// order of anything hashed silently makes every cache entry (and every published key)
/// another. fixtures/keyed-study.yaml is the default study as it was before cells became one
/// type per kind, and these keys are the ones its quick build has with cache format 4 (every
/// key's JSON snake_case by the coders' key strategy; the halving cell's since it keeps every
/// round's scores); they must not move unless the engine or format version does.
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
    #expect(
      keys.cellKeys(study) == [
        "1dbf1be833748a2eec8244e13ec178ec236049286310ce1078d662b60c25017d",
        "f143bd4fc2a5ba34bf3ce6ffe8a9563e87fec369c133bfb08adc7a22c0f5a24b",
        "3e137441f281fbc5d878222bf772e7789b12af461ad0ab8f4c6e3f594dad583a",
        "90eb9d35ccb83db62be453ce21050ecf5181a5cddf768a671ee3d513662d31ba",
        "05d136a091c0b2fd974ac802355ef8fd18a59800b81c33c10c0d9f8e97ebaabd",
        "f300e4e630793adae3e5ed91f65d0654a5411653771da9c3c61121a450aaa3fa",
        "1d07bdedd1ca43f293a8a1b62385a3237bbc0da9b9c201d3469907f185b98db2",
        "93da77090fa4c306025aa20947e4aa389004df997c2c77d1a6aa1d7e94029c43",
        "b4beea535c02d3defcf839a59f19f48a556099e09fdf2488a05f8a4bc8edf880",
        "6ed6408bb33987e4c24b1602a730fb78500ffa809eb312f6c2a14d7d5bce36d5",
      ])
    let baseline = try #require(study.cell("baseline"))
    let run = keys.runKey(Profile.quick.adjust(baseline.settings), data: .split, evaluatesTest: true)
    #expect(run.key == "9a43590492dcf75af9029e32e30b3753ba4d32b2eea1e7066224ebefc9e734d7-2-test")
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
