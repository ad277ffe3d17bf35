// The curated public API of ondevice: what library users import.

// IR
export * from './ir/index.ts';
// Errors
export { OndeviceError, FormatError, GraphError, UsageError } from './errors.ts';
// Formats
export type { ModelFormat, ReadOptions, WriteOptions } from './formats/format.ts';
export { FORMATS, detectFormat, formatByName, readModel, writeModel } from './formats/registry.ts';
// Runtimes
export type { Runtime, RuntimeSession, HostTensor, IoInfo, SessionOptions, ProfileEvent } from './runtimes/runtime.ts';
export { registerRuntime, resolveRuntime, runtimeNames } from './runtimes/registry.ts';
// Data
export type { DataSource, DataBatch } from './data/source.ts';
export { readIdx, parseIdx, encodeIdx } from './data/idx.ts';
export { loadMnist, mnistBatches, LENET5_RECIPE } from './data/mnist.ts';
export type { Mnist, MnistBatch, MnistRecipe, MnistSplit } from './data/mnist.ts';
// Evaluate
export { evaluateClassifier, argmax } from './evaluate/classify.ts';
export type { ClassifierAccuracy, LabeledBatch } from './evaluate/classify.ts';
// Inspect and reports
export { inspectModel } from './inspect.ts';
export { summarizeModel } from './report/summary.ts';
export type { ModelSummary } from './report/summary.ts';
export type { Progress } from './report/progress.ts';
export { silentProgress, terminalProgress } from './report/progress.ts';
// Paths
export { DEFAULT_MODEL } from './paths.ts';
