import ArgumentParser
import Data
import Study

/// The options that choose and prepare a dataset, shared by every command that loads one.
struct DatasetOptions: ParsableArguments {
  @Option(
    name: .long,
    help: ArgumentHelp(
      "Built-in dataset: \(DatasetSource.builtInNames.joined(separator: " or ")) (default mnist); its digests are checked, also against files given with --data.",
      valueName: "name"))
  var dataset: String?

  @Option(
    name: .customLong("data"),
    help: ArgumentHelp(
      "A dataset of your own: a folder of the four IDX files (gzip or raw), a .npz file (Keras's mnist.npz), a folder of a CSV pair, or an image folder (train/CLASS/*.png, test/CLASS/*.png). Alone, its digests are shown, not required to match; with --dataset, they must match that dataset's.",
      valueName: "dir"))
  var directory: String?

  // Unconditional, so that `--validation -5` reads -5 (and is refused as negative) rather
  // than taking -5 for an option.
  @Option(
    parsing: .unconditional,
    help: "Images held out of the training images for validation (stratified); fewer than the training file holds.")
  var validation: Int = 6000

  @Option(
    parsing: .unconditional,
    help: ArgumentHelp(
      "Seed of every random choice (split, shuffling, initialization, dropout): a whole number, 0 or more.",
      valueName: "n"))
  var seed: UInt64 = 42

  @Flag(help: "Standardize pixels with the training split's mean and standard deviation instead of scaling to [0, 1].")
  var standardize = false

  func validate() throws {
    if let dataset, !DatasetSource.builtInNames.contains(dataset) {
      throw ValidationError(
        "unknown dataset '\(dataset)': expected \(DatasetSource.builtInNames.joined(separator: " or ")), or --data DIR")
    }
    if validation < 0 { throw ValidationError("--validation must be 0 or more, got \(validation)") }
  }

  var normalization: Normalization { standardize ? .standardize : .scale }

  /// The options as a study's data settings: a built-in dataset (read from `--data` when
  /// given), or the folder `--data` alone names.
  var settings: DataSettings {
    var settings = DataSettings()
    if let directory, dataset == nil {
      settings.source = .folder(directory)
    } else {
      settings.source = .builtIn(dataset ?? "mnist", path: directory)
    }
    settings.validation = validation
    settings.seed = seed
    settings.normalization = normalization
    return settings
  }
}
