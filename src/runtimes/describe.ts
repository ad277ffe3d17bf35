// One-line descriptions of a runtime setting, for terminal output, JSON readers and the HTML report.
import type { RuntimeInfo } from './runtime.ts';

/** 'onnxruntime-node 1.30.0 (ort-node, 2 threads, optimization all)'. */
export function describeRuntime(r: RuntimeInfo): string {
  return `${r.engine} ${r.version} (${r.runtime}, ${r.threads} thread${r.threads === 1 ? '' : 's'}${r.backend ? `, backend ${r.backend}` : ''}${r.optimization ? `, optimization ${r.optimization}` : ''})`;
}
