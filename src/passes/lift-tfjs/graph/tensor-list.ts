// Rewrites TensorList ops over a count known before running the model (as unrolled while loops leave them) into plain TensorFlow ops.
import type { Graph, Node } from '../../../ir/graph.ts';
import { attrString } from '../../../ir/graph.ts';
import { makeTensor } from '../../../ir/tensor.ts';
import { toposort } from '../../../ir/toposort.ts';
import { nameAllocator } from '../../graph-edit.ts';
import { int, LiftRefusal, str, type TfjsLifter } from '../context.ts';
import { StaticValues } from './static-values.ts';

/** The attribute a TensorList node left in place carries: why it was not rewritten. */
const REFUSAL_ATTR = '_unrolled_refusal';

/** What a TensorList value holds at lift time: rows of a tensor, or one value per slot (undefined = never written). */
type ListState = { kind: 'tensor'; tensor: string } | { kind: 'items'; items: (string | undefined)[] };

/** TensorList ops this rewrite understands. */
const LIST_OPS = ['TensorListFromTensor', 'TensorListReserve', 'TensorListSetItem', 'TensorListGetItem', 'TensorListStack', 'TensorListLength'];

/** A TensorFlow node replacing `node` under the same name and outputs. */
function replacement(node: Node, op: string, inputs: string[], attributes: Node['attributes'] = new Map()): Node {
  return { op, domain: node.domain, name: node.name, inputs, outputs: [node.outputs[0]], attributes };
}

/**
 * Resolves TensorLists statically: TensorListFromTensor(t) + TensorListGetItem(i) → GatherV2(t, i, axis 0);
 * TensorListReserve(n) + TensorListSetItem(i, x)… + TensorListStack → Pack of the items; TensorListLength → a
 * constant; Identity of a list passes it on. Indices and counts must be known before running the model (constants or
 * static shape arithmetic, as an unrolled loop leaves them). A node that cannot be resolved stays, marked with why, and
 * its lifter refuses. List-producing nodes stay: once nothing reads them, dead-code elimination removes them.
 * Returns how many TensorList nodes were rewritten.
 */
export function resolveTensorLists(graph: Graph): number {
  if (!graph.nodes.some((n) => LIST_OPS.includes(n.op))) return 0;
  const values = new StaticValues(graph);
  const fresh = nameAllocator(graph);
  const constant = (base: string, v: number) => {
    const name = fresh(base);
    graph.initializers.set(name, makeTensor(name, 'int32', [], Int32Array.of(v)));
    return name;
  };
  const lists = new Map<string, ListState>();
  const swap = new Map<Node, Node>();
  const resolved = new Set<Node>();
  let rewritten = 0;
  const refuse = (node: Node, why: string) => node.attributes.set(REFUSAL_ATTR, str(why));
  const index = (node: Node, input: string, size: number | undefined): number | undefined => {
    const i = values.scalar(input);
    if (i === undefined) refuse(node, `its index is not known before running the model: ${values.why(input)}`);
    else if (i < 0 || (size !== undefined && i >= size)) refuse(node, `index ${i} is out of range for ${size} items`);
    else return i;
    return undefined;
  };
  for (const node of toposort(graph)) {
    const list = lists.get(node.inputs[0] ?? '');
    const out = node.outputs[0];
    switch (node.op) {
      case 'TensorListFromTensor':
        lists.set(out, { kind: 'tensor', tensor: node.inputs[0] });
        resolved.add(node);
        break;
      case 'TensorListReserve': {
        const n = values.scalar(node.inputs[1]);
        if (n === undefined || n < 0) refuse(node, `its size is not known before running the model: ${values.why(node.inputs[1])}`);
        else { lists.set(out, { kind: 'items', items: new Array<string | undefined>(n).fill(undefined) }); resolved.add(node); }
        break;
      }
      case 'Identity':
        if (list) { lists.set(out, list); resolved.add(node); }
        break;
      case 'TensorListSetItem': {
        if (!list || list.kind !== 'items') { refuse(node, list ? 'it writes into a list made from a tensor' : 'its list is not known before running the model'); break; }
        const i = index(node, node.inputs[1], list.items.length);
        if (i === undefined) break;
        const items = [...list.items];
        items[i] = node.inputs[2];
        lists.set(out, { kind: 'items', items });
        resolved.add(node);
        break;
      }
      case 'TensorListGetItem': {
        if (!list) { refuse(node, 'its list is not known before running the model'); break; }
        const i = index(node, node.inputs[1], list.kind === 'items' ? list.items.length : undefined);
        if (i === undefined) break;
        if (list.kind === 'tensor') {
          swap.set(node, replacement(node, 'GatherV2', [list.tensor, constant(`${node.name}/index`, i), constant(`${node.name}/axis`, 0)], new Map([['batch_dims', int(0)]])));
        } else if (list.items[i]) {
          swap.set(node, replacement(node, 'Identity', [list.items[i]!]));
        } else refuse(node, `item ${i} is read before it is written`);
        break;
      }
      case 'TensorListStack': {
        if (!list) { refuse(node, 'its list is not known before running the model'); break; }
        if (list.kind === 'tensor') { swap.set(node, replacement(node, 'Identity', [list.tensor])); break; }
        const missing = list.items.findIndex((x) => !x);
        if (missing >= 0 || !list.items.length) { refuse(node, list.items.length ? `item ${missing} is never written` : 'the list is empty'); break; }
        swap.set(node, replacement(node, 'Pack', list.items as string[], new Map([['axis', int(0)], ['N', int(list.items.length)]])));
        break;
      }
      case 'TensorListLength': {
        if (!list || list.kind !== 'items') { refuse(node, 'its list length is not known before running the model'); break; }
        swap.set(node, replacement(node, 'Identity', [constant(`${node.name}/length`, list.items.length)]));
        break;
      }
      default:
        continue;
    }
    if (swap.has(node) || resolved.has(node)) rewritten++;
  }
  graph.nodes = graph.nodes.map((n) => swap.get(n) ?? n);
  return rewritten;
}

/** Lifter for a TensorList op the static rewrite could not resolve: refuses with why. */
const refuseTensorList: TfjsLifter = (node) => {
  const why = attrString(node, REFUSAL_ATTR) ?? 'TensorLists are lifted only when their indices and sizes are known before running the model (a while loop with a static trip count)';
  throw new LiftRefusal(`${node.op} cannot be lifted: ${why}`);
};

/** Lifters of the TensorList ops (all refusals: resolved lists never reach the lifter). */
export const TENSOR_LIST_LIFTERS: ReadonlyArray<readonly [string, TfjsLifter]> = [
  ...LIST_OPS, 'TensorListConcatV2', 'TensorListSplit', 'TensorListGather', 'TensorListScatterV2', 'TensorListScatterIntoExistingList',
  'TensorListElementShape', 'TensorListResize', 'TensorListPushBack', 'TensorListPopBack',
].map((op) => [op, refuseTensorList] as const);
