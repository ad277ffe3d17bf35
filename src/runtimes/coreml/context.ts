// What a kernel sees of one MIL operation: its parameters resolved to runtime values, read with coremltools' defaults.
import { GraphError } from '../../errors.ts';
import type { MilBinding, MilOperation } from '../../formats/coreml/program.ts';
import { asNumbers, type RtTensor, type RtValue } from './value.ts';

/** One kernel: computes an operation's outputs (one runtime value per declared output). */
export type Kernel = (ctx: OpContext) => RtValue | RtValue[];

/** Parameters of one operation, resolved on demand; every accessor names the op and parameter when it fails. */
export class OpContext {
  constructor(readonly op: MilOperation, private readonly resolve: (b: MilBinding) => RtValue) {}

  /** The op type, e.g. 'conv'. */
  get type(): string {
    return this.op.type;
  }

  /** An error naming the operation (type and first output). */
  error(message: string): GraphError {
    return new GraphError(`MIL op '${this.op.type}': ${message}`, { node: this.op.outputs[0]?.name ?? '?' });
  }

  /** The bindings of a parameter; constexpr ops up to iOS 17 carry theirs as attributes (as coremltools writes them). */
  private bindings(name: string): MilBinding[] | undefined {
    const b = this.op.inputs[name];
    if (b && b.length) return b;
    const a = this.op.type.startsWith('constexpr_') && name !== 'name' ? this.op.attributes[name] : undefined;
    return a ? [{ value: a }] : b;
  }

  /** True when the parameter is bound. */
  has(name: string): boolean {
    return (this.bindings(name)?.length ?? 0) > 0;
  }

  /** The value bound to a single-binding parameter, or undefined. */
  value(name: string): RtValue | undefined {
    const b = this.bindings(name);
    if (!b || b.length === 0) return undefined;
    if (b.length !== 1) throw this.error(`parameter '${name}' has ${b.length} bindings, expected 1`);
    return this.resolve(b[0]);
  }

  /** A required tensor parameter. */
  tensor(name: string): RtTensor {
    const v = this.optTensor(name);
    if (!v) throw this.error(`missing required parameter '${name}'`);
    return v;
  }

  /** An optional tensor parameter. */
  optTensor(name: string): RtTensor | undefined {
    const v = this.value(name);
    if (v && v.kind !== 'tensor') throw this.error(`parameter '${name}' is a ${v.kind}, expected a tensor`);
    return v;
  }

  /** Every binding of a variadic parameter (concat's `values`). */
  tensors(name: string): RtTensor[] {
    const bs = this.op.inputs[name];
    if (!bs || bs.length === 0) throw this.error(`missing required parameter '${name}'`);
    return bs.map((b) => {
      const v = this.resolve(b);
      if (v.kind !== 'tensor') throw this.error(`parameter '${name}' holds a ${v.kind}, expected tensors`);
      return v;
    });
  }

  private numbers(name: string): number[] | undefined {
    const t = this.optTensor(name);
    if (!t) return undefined;
    try {
      return asNumbers(t);
    } catch {
      throw this.error(`parameter '${name}' is ${t.dtype}, expected a number`);
    }
  }

  /** A scalar number (int or float); `def` when absent; required when `def` is undefined. */
  num(name: string, def?: number): number {
    const v = this.numbers(name);
    if (v === undefined) {
      if (def === undefined) throw this.error(`missing required parameter '${name}'`);
      return def;
    }
    if (v.length !== 1) throw this.error(`parameter '${name}' has ${v.length} values, expected a scalar`);
    return v[0];
  }

  /** An integer vector; `def` when absent; required when `def` is undefined. */
  ints(name: string, def?: number[]): number[] {
    const v = this.numbers(name);
    if (v === undefined) {
      if (def === undefined) throw this.error(`missing required parameter '${name}'`);
      return def;
    }
    return v;
  }

  /** A boolean scalar. */
  bool(name: string, def: boolean): boolean {
    const v = this.numbers(name);
    if (v === undefined) return def;
    if (v.length !== 1) throw this.error(`parameter '${name}' has ${v.length} values, expected a scalar`);
    return v[0] !== 0;
  }

  /** A boolean vector (masks), or undefined when absent. */
  bools(name: string): boolean[] | undefined {
    return this.numbers(name)?.map((x) => x !== 0);
  }

  /** A string scalar; `def` when absent; required when `def` is undefined. */
  str(name: string, def?: string): string {
    const t = this.optTensor(name);
    if (!t) {
      if (def === undefined) throw this.error(`missing required parameter '${name}'`);
      return def;
    }
    if (!Array.isArray(t.data) || t.data.length !== 1) throw this.error(`parameter '${name}' must be a string`);
    return t.data[0];
  }
}
