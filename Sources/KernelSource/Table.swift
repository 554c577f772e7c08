import KernelCore

// This directory is not a module: each ISA module (KernelsAVX512, KernelsAVX2,
// KernelsBaseline) links these files in and compiles them with its own flags, so that the
// same generic code becomes AVX-512, AVX2 or baseline instructions. Each module says in its
// ISA.swift which register tile and vectors it uses. Every file instantiates its own
// generic code (debug builds only specialize within a file); this one assembles the table.

/// This module's kernels.
public let kernelTable = KernelTable(
  name: ISA.name, lanes: ISA.Tile.Vector.scalarCount, tile: denseTileKernel, sparseTiles: sparseTileKernels,
  keptSteps: keptStepsKernel,
  listKeptSteps: listKeptStepsKernel,
  activate: activateKernel,
  activationGradient: activationGradientKernel, bernoulliScale: bernoulliScaleKernel, columnSums: columnSumsKernel,
  expShifted: expShiftedKernel, packTransposed: packTransposedKernel, sgd: sgdKernel, rmsprop: rmspropKernel,
  adam: adamKernel)
