/// The version of the engine's arithmetic, part of every cache key: bump it when a change
/// alters the bits a run produces.
public let engineVersion = "1"

/// The layout of cached results, part of every cache key too: bump it when a stored type
/// changes, so that old entries are simply not found rather than reported as corrupt.
let cacheFormat = "5"

/// The version of results.json's layout (its `format_version`, described by
/// `schemas/results.schema.json`): bump it with the schema when a field changes.
public let resultsFileFormat = 3
