// Structural checks of an in-memory Core ML ML Program: opsets, op parameters, bindings, constant data, description I/O.
import { elementCount } from './blob.ts';
import { milOpVersion, opsetNumber } from './ops-by-opset.ts';
import { IOS_TARGETS, isTensorType, type CoreMlFeature, type CoreMlModel, type MilFunction, type MilTensorType, type MilTensorValue, type MilType, type MilValue } from './program.ts';

/** Parameters that take several bindings. */
const VARIADIC = new Set(['concat.values']);
const ARRAY_DTYPES: Record<string, string> = { float32: 'fp32', float16: 'fp16', float64: 'fp64', int32: 'int32' };

function describeType(t: MilType): string {
  if (isTensorType(t)) return `${t.dtype}[${t.shape.join(', ')}]`;
  return t.kind === 'list' ? `list<${describeType(t.element)}, ${t.length}>` : `dict<${describeType(t.key)}, ${describeType(t.value)}>`;
}

function sameTensorType(a: MilTensorType, b: MilTensorType): boolean {
  return a.dtype === b.dtype && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i]);
}

/** Every tensor value inside `v` (list items included). */
function tensorsOf(v: MilValue): MilTensorValue[] {
  if ('items' in v) return v.items.flatMap(tensorsOf);
  return [v];
}

function checkFunction(name: string, f: MilFunction, problems: string[]): void {
  const where = `function '${name}'`;
  const opset = opsetNumber(f.opset);
  if (opset === undefined) {
    problems.push(`${where}: opset '${f.opset}' is not a Core ML opset (CoreML5 … CoreML8)`);
    return;
  }
  const defined = new Map<string, MilType>();
  for (const i of f.inputs) {
    if (defined.has(i.name)) problems.push(`${where}: input name '${i.name}' is used twice`);
    defined.set(i.name, i.type);
  }
  const subByte = (t: MilType, what: string) => {
    for (const x of isTensorType(t) ? [t] : t.kind === 'list' ? [t.element] : [t.key, t.value]) {
      if ((x.dtype === 'int4' || x.dtype === 'uint4') && opset < 8) problems.push(`${what}: ${x.dtype} data needs opset CoreML8 (iOS 18), the function has ${f.opset}`);
    }
  };
  for (const i of f.inputs) subByte(i.type, `${where} input '${i.name}'`);
  for (const op of f.operations) {
    const at = `${where} op '${op.outputs[0]?.name ?? '?'}' (${op.type})`;
    const spec = milOpVersion(op.type, opset);
    if (!spec) {
      const later = milOpVersion(op.type, 99);
      problems.push(later ? `${at}: ${op.type} needs opset CoreML${later.since} or later, the function has ${f.opset}` : `${at}: '${op.type}' is not a MIL op ondevice's op table knows`);
    }
    // A const carries its tensor as the `val` attribute; a constexpr op before CoreML8 its parameters as attributes.
    const attrParams = op.type === 'const' || (op.type.startsWith('constexpr_') && opset < 8);
    const params = new Set(Object.keys(op.inputs));
    if (attrParams) for (const k of Object.keys(op.attributes)) if (k !== 'name') params.add(k);
    if (op.type === 'const' && Object.keys(op.inputs).length > 0) problems.push(`${at}: a const takes no inputs`);
    if (spec) {
      for (const p of spec.required) if (!params.has(p)) problems.push(`${at}: required parameter '${p}' is missing`);
      for (const p of params) if (!spec.required.includes(p) && !spec.optional.includes(p)) problems.push(`${at}: unknown parameter '${p}' (${op.type} in CoreML${spec.since} takes ${[...spec.required, ...spec.optional].join(', ')})`);
    }
    for (const [param, bindings] of Object.entries(op.inputs)) {
      if (bindings.length !== 1 && !VARIADIC.has(`${op.type}.${param}`)) problems.push(`${at}: parameter '${param}' has ${bindings.length} bindings, expected 1`);
      if (bindings.length === 0) problems.push(`${at}: parameter '${param}' has no binding`);
      for (const b of bindings) {
        if ('name' in b) {
          if (!defined.has(b.name)) problems.push(`${at}: input '${param}' names '${b.name}', which is not a function input or an output of an earlier op`);
        } else {
          for (const x of tensorsOf(b.value)) checkData(x, `${at} input '${param}'`, problems);
          subByte(b.value.type, `${at} input '${param}'`);
        }
      }
    }
    for (const [k, val] of Object.entries(op.attributes)) {
      for (const x of tensorsOf(val)) checkData(x, `${at} attribute '${k}'`, problems);
      subByte(val.type, `${at} attribute '${k}'`);
    }
    if (op.type === 'const') {
      const val = op.attributes.val;
      const out = op.outputs[0];
      if (op.outputs.length !== 1) problems.push(`${at}: a const has ${op.outputs.length} outputs, expected 1`);
      if (val && out && isTensorType(val.type) && isTensorType(out.type) && !sameTensorType(val.type, out.type)) {
        problems.push(`${at}: value of type ${describeType(val.type)} but output declared ${describeType(out.type)}`);
      }
    }
    for (const o of op.outputs) {
      if (defined.has(o.name)) problems.push(`${at}: output name '${o.name}' is already defined`);
      defined.set(o.name, o.type);
      subByte(o.type, `${at} output '${o.name}'`);
    }
  }
  const seen = new Set<string>();
  for (const o of f.outputs) {
    if (!defined.has(o)) problems.push(`${where}: output '${o}' is not defined by any op or input`);
    if (seen.has(o)) problems.push(`${where}: output '${o}' is listed twice`);
    seen.add(o);
  }
}

function checkData(x: MilTensorValue, where: string, problems: string[]): void {
  const { dtype, shape } = x.type;
  const count = elementCount(shape);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) problems.push(`${where}: constant of shape [${shape.join(', ')}] has a dimension that is not a size`);
  else if (x.data.length !== count) problems.push(`${where}: ${x.data.length} elements for a ${dtype} tensor of shape [${shape.join(', ')}] (${count})`);
  if (dtype === 'int4' || dtype === 'uint4') {
    const [lo, hi] = dtype === 'int4' ? [-8, 7] : [0, 15];
    const bad = (x.data as Int8Array | Uint8Array).findIndex((v) => v < lo || v > hi);
    if (bad >= 0) problems.push(`${where}: ${dtype} element ${bad} is ${x.data[bad]}, outside [${lo}, ${hi}]`);
  }
}

/** The tensor type an app-facing feature becomes inside the program, or why it has none. */
function featureMatches(feature: CoreMlFeature, type: MilType | undefined, where: string, problems: string[]): void {
  const ft = feature.type;
  const at = `${where} '${feature.name}'`;
  if (!type) return;
  if (ft.kind === 'multiArray' || ft.kind === 'image') {
    if (!isTensorType(type)) {
      problems.push(`${at}: described as ${ft.kind}, the program has ${describeType(type)}`);
      return;
    }
    if (ft.kind === 'multiArray') {
      if (ARRAY_DTYPES[ft.dtype] !== type.dtype || ft.shape.length !== type.shape.length || ft.shape.some((d, i) => d !== type.shape[i])) {
        problems.push(`${at}: described as ${ft.dtype} [${ft.shape.join(', ')}], the program has ${describeType(type)}`);
      }
    } else {
      const channels = ft.colorSpace === 'GRAYSCALE' ? 1 : 3;
      const want: MilTensorType = { dtype: 'fp32', shape: [1, channels, ft.height, ft.width] };
      if (!sameTensorType(want, type)) problems.push(`${at}: a ${ft.width}×${ft.height} ${ft.colorSpace} image must be ${describeType(want)} in the program, it is ${describeType(type)}`);
    }
    return;
  }
  if (ft.kind === 'dictionary') {
    if (isTensorType(type) || type.kind !== 'dict' || type.key.dtype !== (ft.keyType === 'string' ? 'string' : 'int64')) {
      problems.push(`${at}: described as a dictionary with ${ft.keyType} keys, the program has ${describeType(type)}`);
    }
    return;
  }
  const dtype = ft.kind === 'string' ? 'string' : ft.kind === 'int64' ? 'int64' : 'fp64';
  if (!isTensorType(type) || type.dtype !== dtype || type.shape.length > 1 || elementCount(type.shape) !== 1) {
    problems.push(`${at}: described as a ${ft.kind}, the program has ${describeType(type)}`);
  }
}

function checkDescription(model: CoreMlModel, problems: string[]): void {
  const d = model.description;
  const main = model.program.functions.main ?? Object.values(model.program.functions)[0];
  if (!main) {
    problems.push('program: has no functions');
    return;
  }
  const types = new Map<string, MilType>(main.inputs.map((i) => [i.name, i.type]));
  for (const op of main.operations) for (const o of op.outputs) types.set(o.name, o.type);
  const names = (fs: CoreMlFeature[]) => fs.map((f) => f.name).join(', ');
  if (names(d.inputs) !== main.inputs.map((i) => i.name).join(', ')) problems.push(`description inputs (${names(d.inputs)}) differ from the function's inputs (${main.inputs.map((i) => i.name).join(', ')})`);
  if (names(d.outputs) !== main.outputs.join(', ')) problems.push(`description outputs (${names(d.outputs)}) differ from the function's outputs (${main.outputs.join(', ')})`);
  for (const f of d.inputs) featureMatches(f, main.inputs.find((i) => i.name === f.name)?.type, 'description input', problems);
  for (const f of d.outputs) featureMatches(f, main.outputs.includes(f.name) ? types.get(f.name) : undefined, 'description output', problems);
  for (const f of [...d.inputs, ...d.outputs]) {
    if (f.type.kind === 'multiArray' && f.type.dtype === 'float16' && model.specificationVersion < 7) problems.push(`description '${f.name}': float16 multi-arrays need specification version 7 (iOS 16)`);
  }
  const classify = main.operations.find((op) => op.type === 'classify');
  for (const key of ['predictedFeatureName', 'predictedProbabilitiesName'] as const) {
    const name = d[key];
    if (name === undefined) continue;
    if (!d.outputs.some((o) => o.name === name)) problems.push(`description ${key} '${name}' is not a model output`);
    if (!classify) problems.push(`description ${key} '${name}' is set but the program has no classify op`);
  }
  if (classify && d.predictedFeatureName === undefined) problems.push(`the program has a classify op but the description has no predictedFeatureName`);
}

/**
 * Structural problems of an in-memory model (what a compiler can check before writing): specification version ↔ opset,
 * op availability and parameters per opset (ops-by-opset.ts), bindings defined before use, unique output names,
 * int4/uint4 only from CoreML8, constant data lengths, description I/O ↔ the main function. [] = none found.
 */
export function validateCoreMlModel(model: CoreMlModel): string[] {
  const problems: string[] = [];
  const target = Object.entries(IOS_TARGETS).find(([, t]) => t.specificationVersion === model.specificationVersion);
  if (!target) problems.push(`specification version ${model.specificationVersion} is not one ondevice targets (6 = iOS 15 … 9 = iOS 18)`);
  for (const [name, f] of Object.entries(model.program.functions)) {
    if (target && f.opset !== target[1].opset) problems.push(`function '${name}': opset ${f.opset} does not match specification version ${model.specificationVersion} (iOS ${target[0]}), which has ${target[1].opset}`);
    checkFunction(name, f, problems);
  }
  checkDescription(model, problems);
  return problems;
}
