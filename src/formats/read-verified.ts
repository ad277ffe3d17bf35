// Reads a model and verifies its graph before any command works on it: structural and type errors become one GraphError naming the file.
import { GraphError } from '../errors.ts';
import type { Model } from '../ir/graph.ts';
import { verifyGraph, type Issue } from '../ir/verify.ts';
import { readModel } from './registry.ts';

/** The verifier's findings on a model that passed: its warnings, to show beside the command's own output. */
export interface VerifiedModel {
  model: Model;
  warnings: Issue[];
}

/**
 * Reads `file` (any supported format) and verifies it: dangling inputs, duplicate producers, cycles, outputs no node
 * produces, unknown domains, and inferred types that contradict the declared ones (e.g. a STRING bias, a Concat of
 * int8 and int64) are refused before quantize/compile/evaluate touch the graph, so a model `inspect` rejects is never
 * written as an output.
 * @throws GraphError naming the file and the first problem (with a count of the others).
 */
export async function readVerifiedModel(file: string): Promise<VerifiedModel> {
  const model = await readModel(file);
  const issues = verifyGraph(model);
  const errors = issues.filter((i) => i.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new GraphError(`invalid graph: ${errors[0].message}${more}`, { file });
  }
  return { model, warnings: issues };
}
