// The lifter contract: one function per TFLite op that emits the equivalent ONNX nodes.
import type { Node } from '../../ir/graph.ts';
import type { LiftContext } from './context.ts';

/**
 * Rewrites one `ai.tflite` node into ONNX nodes through `ctx` (ONNX semantics; data stays NHWC between ops, spatial
 * ops compute in NCHW between Transposes). The final node must write `node.outputs[0]`.
 * Throws LiftRefusal (why) when this node cannot be expressed.
 */
export type Lifter = (node: Node, ctx: LiftContext) => void;
