// The curated public API of ondevice: what library users import.

// IR
export * from './ir/index.ts';
// Errors
export { OndeviceError, FormatError, GraphError, UsageError } from './errors.ts';
// Formats
export type { ModelFormat, ReadOptions, WriteOptions } from './formats/format.ts';
export { FORMATS, detectFormat, formatByName, readModel, writeModel } from './formats/registry.ts';
export { readVerifiedModel } from './formats/read-verified.ts';
export type { VerifiedModel } from './formats/read-verified.ts';
export { parseInputShapes, resolveInputShape } from './ir/input-shapes.ts';
export type { InputShapes } from './ir/input-shapes.ts';
export { parseInputValues } from './ir/input-values.ts';
export type { InputValues } from './ir/input-values.ts';
// Runtimes
export type { Runtime, RuntimeSession, HostTensor, IoInfo, SessionOptions, ProfileEvent } from './runtimes/runtime.ts';
export { registerRuntime, resolveRuntime, runtimeNames } from './runtimes/registry.ts';
export type { RuntimeInfo } from './runtimes/runtime.ts';
export { onnxReferenceRuntime } from './runtimes/onnx-reference.ts';
export { hostCpu, describeHost } from './runtimes/host.ts';
export type { HostInfo } from './runtimes/host.ts';
// Data
export type { DataSource, DataBatch } from './data/source.ts';
export { readIdx, parseIdx, encodeIdx } from './data/idx.ts';
export { loadMnist, mnistBatches, LENET5_RECIPE } from './data/mnist.ts';
export type { Mnist, MnistBatch, MnistRecipe, MnistSplit } from './data/mnist.ts';
// Evaluate
export { evaluateClassifier, argmax, nameClasses } from './evaluate/classify.ts';
export { findLabels, readLabels } from './data/labels.ts';
export type { ClassifierAccuracy, LabeledBatch } from './evaluate/classify.ts';
// Inspect and reports
export { inspectModel } from './inspect.ts';
export { summarizeModel } from './report/summary.ts';
export type { ModelSummary } from './report/summary.ts';
export type { Progress } from './report/progress.ts';
export { silentProgress, terminalProgress } from './report/progress.ts';
// Paths
export { DEFAULT_MODEL } from './paths.ts';
// Passes
export { DEFAULT_PASSES, PASSES, passByName, parsePassList, runPasses, fusePatterns, RULE_SETS } from './passes/index.ts';
export type { Pass, PassContext, PassStats, PipelineResult, RunPassesOptions, RuleSet } from './passes/index.ts';
export { dequantizeModel, preQuantizedOps, type DequantizeOutcome } from './passes/index.ts';
export { liftTflite, type LiftOptions, type LiftReport, type UnliftableOp } from './passes/index.ts';
export { foldIf, unrollLoops, type FoldIfOptions, type FoldIfStats, type UnrollLoopOptions, type UnrollLoopStats } from './passes/index.ts';
// Data sources and recipes
export { openDataSource } from './data/open-source.ts';
export { mnistSource } from './data/mnist-source.ts';
export { loadRecipe, parseRecipe, saveRecipe } from './data/recipe.ts';
export type { Recipe } from './data/recipe.ts';
export { loadDataRecipe, parseDataRecipe, saveDataRecipe } from './data/data-recipe.ts';
export type { DataRecipe, InputRecipe, MultiInputRecipe } from './data/data-recipe.ts';
export type { AudioRecipe } from './data/audio-recipe.ts';
export { readWav, type Audio } from './data/wav.ts';
export { wavSource } from './data/wav-source.ts';
export { npyFolderSource } from './data/npy-folder.ts';
export { combineSources } from './data/combined-source.ts';
export { withInputValues } from './data/with-values.ts';
export { modelInputs } from './data/model-inputs.ts';
// Quantize and calibrate
export { quantizeModel } from './quantize/quantize.ts';
export type { QuantizeResult } from './quantize/quantize.ts';
export { SCHEMES, QUANTIZE_TARGETS, TARGET_TYPES } from './quantize/schemes.ts';
export type { QuantizeOptions, Scheme, CalibrationOptions, QuantizeTarget, ActivationType } from './quantize/schemes.ts';
export type { QuantizeReport, SubgraphSummary } from './quantize/report.ts';
export { calibrate } from './quantize/calibrate/calibrate.ts';
export { CALIBRATION_METHODS } from './quantize/calibrate/calibrator.ts';
export type { CalibrationMethod, TensorRange } from './quantize/calibrate/calibrator.ts';
// Evaluate, profile, report
export { evaluateModels } from './evaluate/compare.ts';
export type { Evaluation, ModelEvaluation, EvaluateModelsOptions } from './evaluate/compare.ts';
export { verdict, resolveGates, judgedFigures, DEFAULT_GATES } from './evaluate/verdict.ts';
export type { ExactExecution } from './evaluate/exact.ts';
export { u8s8Saturates } from './evaluate/kernel-probe.ts';
export type { Verdict, VerdictGates } from './evaluate/verdict.ts';
export { analyzeLayers } from './evaluate/per-layer.ts';
export type { LayerAnalysis, LayerError } from './evaluate/per-layer.ts';
// Task metrics (`evaluate --task`): detect mAP@0.5, segment mask IoU, OCR line accuracy/CER, audio frame agreement —
// computed with the same post-processing as the deployed app (src/tasks/). See docs/tasks.md, "evaluate".
export { evaluateTaskMetrics, findEvaluationTask, taskFileCandidates, readTaskFile, checkTaskOutputs, readBoxLabels, readTextLineLabels, readAudioEvents, BOXES_FILE, REC_LABELS_FILE, PAGE_LABELS_FILE, EVENTS_FILE } from './evaluate/task-metrics/index.ts';
export type { TaskMetrics, TaskMetricsOptions, TaskFile, DetectMetrics, DetectModelMetrics, SegmentMetrics, SegmentModelMetrics, OcrMetrics, OcrModelMetrics, AudioMetrics, AudioModelMetrics } from './evaluate/task-metrics/index.ts';
export type { TextLineLabel, TextPageLabel, AudioEventLabel } from './evaluate/task-metrics/index.ts';
export { proposeExclusions } from './pipeline/exclusions.ts';
export { quantizeMixedPrecision } from './pipeline/mixed-precision.ts';
export type { MixedPrecisionOptions } from './pipeline/mixed-precision.ts';
export { profileModel } from './profile/index.ts';
export type { ProfileOptions, ProfileResult } from './profile/index.ts';
export { writeHtmlReport, renderHtmlReport } from './report/html/index.ts';
export type { ReportData } from './report/html/types.ts';
// The demo pipeline
export { runDemo } from './pipeline/demo.ts';
export type { DemoOptions, DemoResult } from './pipeline/demo.ts';
// Compile (ONNX, TFLite, QNN-ready QDQ ONNX, Core ML)
export { compileFile, TARGETS, compileToCoreMl, COREML_QUANTIZATIONS, MIN_IOS_VERSIONS } from './compile/compile.ts';
export type { CompileOptions, CompileReport, CoremlCompileOptions, CoremlCompileReport } from './compile/compile.ts';
// Core ML packages: read, write, validate, run with the MIL reference executor
export { readCoreMlPackage } from './formats/coreml/read.ts';
export { writeCoreMlPackage } from './formats/coreml/write.ts';
export { validateCoreMlPackage } from './formats/coreml/validate.ts';
export { runMilProgram, hostStrings } from './runtimes/coreml/executor.ts';
export type { CoreMlModel, MilProgram, MilFunction, MilOperation, MilValue } from './formats/coreml/program.ts';
// Task templates (what a model's outputs mean) and their pre/post-processing
export { parseTask, defaultTask } from './tasks/parse.ts';
export { TASK_DEFAULTS } from './tasks/task.ts';
export type { Task, TaskKind, ClassifyTask, DetectTask, SegmentTask, OcrTask, AudioTask, AudioState, AudioConstant } from './tasks/task.ts';
export { detectPostprocess } from './tasks/detect/postprocess.ts';
export { segmentPostprocess, applyEffect } from './tasks/segment/postprocess.ts';
export { readText, readTextOptions } from './tasks/ocr/pipeline.ts';
export { AudioTaskStream, StreamResampler } from './tasks/audio/stream.ts';
// The offline web app (PWA) for a model and its task
export { deployWeb } from './deploy/web.ts';
export type { DeployWebOptions, DeployWebResult } from './deploy/web.ts';
export { resolveTask } from './deploy/task-template.ts';
// The device hub: phones and browsers as devices that run profile, parity and evaluate jobs
export { startHub } from './hub/server.ts';
export type { Hub, HubOptions, JobRequest, DeviceView } from './hub/server.ts';
export { HubClient, findHub } from './hub/client.ts';
export { profileOnDevices, parityOnDevice, runOnDevice } from './hub/remote.ts';
export type { RemoteProfile, RemoteParity, DeviceOutcome } from './hub/remote.ts';
export type { JobQueue, JobRecord, JobState, NewJob } from './hub/queue.ts';
export { SqliteQueue } from './hub/sqlite-queue.ts';
export type { DeviceInfo, JobSpec, DeviceProfile, DeviceRun } from './hub/protocol.ts';
