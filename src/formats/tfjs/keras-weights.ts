// Which manifest weights belong to a Keras layer, in the layer's own weight order (kernel, bias, gamma, …).
import { FormatError } from '../../errors.ts';

/** A layer's weights: manifest names and the role of each (e.g. 'kernel'), in Keras order. */
export interface LayerWeights {
  names: string[];
  roles: string[];
}

/** Keras' weight roles of a layer class given its config, in the order Keras creates them; undefined for other classes. */
export function expectedRoles(className: string, config: Record<string, unknown>): string[] | undefined {
  const bias = config.use_bias === false ? [] : ['bias'];
  switch (className) {
    case 'Conv1D': case 'Conv2D': case 'Conv3D': case 'Conv1DTranspose': case 'Conv2DTranspose': case 'Conv3DTranspose': case 'Dense':
      return ['kernel', ...bias];
    case 'DepthwiseConv2D': case 'DepthwiseConv1D':
      return ['depthwise_kernel', ...bias];
    case 'SeparableConv1D': case 'SeparableConv2D':
      return ['depthwise_kernel', 'pointwise_kernel', ...bias];
    case 'BatchNormalization':
      return [...(config.scale === false ? [] : ['gamma']), ...(config.center === false ? [] : ['beta']), 'moving_mean', 'moving_variance'];
    case 'LayerNormalization':
      return [...(config.scale === false ? [] : ['gamma']), ...(config.center === false ? [] : ['beta'])];
    case 'PReLU':
      return ['alpha'];
    case 'Embedding':
      return ['embeddings'];
    default:
      return undefined;
  }
}

/** A manifest name without a TF variable suffix (`:0`), split at '/'. */
function tokensOf(name: string): string[] {
  return name.replace(/:\d+$/, '').split('/');
}

/** Looks manifest weights up by layer name and role, the way tfjs-layers matches them (plus prefixes and `:0` suffixes). */
export class WeightIndex {
  private readonly entries: { name: string; tokens: string[] }[];

  constructor(names: Iterable<string>, private readonly file: string) {
    this.entries = [...names].map((name) => ({ name, tokens: tokensOf(name) }));
  }

  /** True when `tokens` name weight `role` of layer `layer`: `layer/role`, `prefix/layer/role`, or `layer/cell/role`. */
  private static matches(tokens: string[], layer: string[], role: string): boolean {
    if (tokens[tokens.length - 1] !== role) return false;
    const head = tokens.slice(0, -1);
    const endsWith = (a: string[], b: string[]) => a.length >= b.length && b.every((t, i) => a[a.length - b.length + i] === t);
    return endsWith(head, layer) || (head.length === layer.length + 1 && layer.every((t, i) => head[i] === t));
  }

  /** The manifest names of every weight under `layer` (any role), in manifest order. */
  private under(layer: string[]): { name: string; role: string }[] {
    return this.entries
      .filter((e) => e.tokens.length > layer.length && WeightIndex.matches(e.tokens, layer, e.tokens[e.tokens.length - 1]))
      .sort((a, b) => Number(a.tokens.length !== layer.length + 1) - Number(b.tokens.length !== layer.length + 1))
      .map((e) => ({ name: e.name, role: e.tokens[e.tokens.length - 1] }));
  }

  /**
   * The weights of layer `layerName` (class `className`): the known roles in Keras order (Keras 3 files name them by
   * index, `layer/0`), else whatever the manifest holds under the layer. A known role missing is one FormatError.
   */
  lookup(layerName: string, className: string, config: Record<string, unknown>): LayerWeights {
    const layer = layerName.split('/');
    const expected = expectedRoles(className, config);
    const found = this.under(layer);
    if (!expected) return { names: found.map((f) => f.name), roles: found.map((f) => f.role) };
    const numbered = found.length > 0 && found.every((f) => /^\d+$/.test(f.role));
    const names = expected.map((role, i) => {
      const hit = numbered ? found.find((f) => Number(f.role) === i) : found.find((f) => f.role === role);
      if (!hit) {
        throw new FormatError('tfjs', `layer '${layerName}' (${className}) has no weight '${role}' in the weights manifest (expected ${expected.map((r) => `${layerName}/${r}`).join(', ')}; found ${found.map((f) => f.name).join(', ') || 'none'})`, { file: this.file });
      }
      return hit.name;
    });
    return { names, roles: expected };
  }
}
