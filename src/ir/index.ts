// The IR folder's public surface: types, tensors, builder, toposort, verifier, inference, printer, stats.
export * from './dtype.ts';
export * from './tensor.ts';
export * from './graph.ts';
export * from './builder.ts';
export * from './toposort.ts';
export * from './verify.ts';
export * from './infer.ts';
export * from './print.ts';
export * from './stats.ts';
export { OP_INFERENCE, opInference, isDefaultDomain, dtypeOfOnnxCode, formatShape, broadcastShapes } from './ops/index.ts';
export type { InferContext, OpInfer, OpTable, TensorInfo } from './ops/index.ts';
