// evaluateModels: run a reference and its candidates on the same batches; accuracy where labelled, fidelity per output.
import { modelBytes } from '../formats/model-bytes.ts';
import type { DataSource } from '../data/source.ts';
import { OndeviceError, UsageError } from '../errors.ts';
import { formatNameOf, readModel } from '../formats/registry.ts';
import type { Dim, Model } from '../ir/graph.ts';
import { halfToFloat } from '../ir/tensor.ts';
import { readProvenance } from '../quantize/provenance.ts';
import { silentProgress, type Progress } from '../util/progress.ts';
import { acceptAnyBatch } from '../runtimes/any-batch.ts';
import { fetchOnly } from '../runtimes/fetch-outputs.ts';
import { hostCpu, type HostInfo } from '../runtimes/host.ts';
import { onnxReferenceRuntime } from '../runtimes/onnx-reference.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import type { HostTensor, IoInfo, Runtime, RuntimeInfo, RuntimeSession } from '../runtimes/runtime.ts';
import { activationTypesOf, kernelWarning, quantizesActivations, type ExactExecution } from './exact.ts';
import { u8s8Saturates } from './kernel-probe.ts';
import { AccuracyAccumulator, type ClassifierAccuracy } from './classify.ts';
import { AgreementAccumulator, checkFinite, FidelityAccumulator, type Agreement, type Fidelity } from './metrics.ts';

/** Options for {@link evaluateModels}. */
export interface EvaluateModelsOptions {
  /** Examples to evaluate at most (default: all the source has). */
  limit?: number;
  /** Examples per batch (default 100). */
  batchSize?: number;
  /** Runtime name for every model (default: the first available one for each model's format). */
  runtime?: string;
  /** Output holding class scores, for accuracy and agreement (default: the first output, when it is [batch × classes]). */
  classOutput?: string;
  /** Intra-op threads for every session (default: each runtime's, see SessionOptions). */
  threads?: number;
  /**
   * Also run quantized (QDQ) ONNX candidates by `onnx-reference`, whose figures decide the verdict (default true).
   * Off, the verdict describes this host's kernels.
   */
  exact?: boolean;
  /**
   * Inputs fed a fixed value (`--input-value`): a candidate compiled with that value folded in may lack them; it is
   * then fed its own inputs only.
   */
  fixedInputs?: ReadonlySet<string>;
  /**
   * Compare only these outputs (`--outputs`): every model is run fetching just them, so a candidate compiled with
   * `--outputs` (a detector's raw heads) is compared with the same values of the reference (TF.js fetches inner values).
   */
  outputs?: readonly string[];
  progress?: Progress;
}

/** Fidelity of one candidate output against the reference's. */
export interface OutputFidelity extends Fidelity {
  output: string;
  /** Present for the class-score output. */
  agreement?: Agreement;
}

/** What was measured for one model. */
export interface ModelEvaluation {
  path: string;
  sizeBytes: number;
  runtime: string;
  /** Engine, version, threads and optimisation level of that runtime. */
  runtimeInfo: RuntimeInfo;
  /** Quantization scheme from the model's `ondevice.quantization` metadata, if any. */
  scheme?: string;
  /** Present when the data has labels and the model has a class-score output. */
  accuracy?: ClassifierAccuracy;
  /** Per output, against the reference (candidates only), as the runtime computed it. */
  fidelity?: OutputFidelity[];
  /** Quantized ONNX candidates: the exact execution (the model's own error, which the verdict judges) and the kernels' error. */
  exact?: ExactExecution;
}

/** The reference, every candidate, and what data they ran on. */
export interface Evaluation {
  data: string;
  examples: number;
  classOutput?: string;
  /** The machine the figures were measured on (CPU features that select int8 kernels). */
  host: HostInfo;
  reference: ModelEvaluation;
  candidates: ModelEvaluation[];
}

interface ExactRun {
  session: RuntimeSession;
  accuracy?: AccuracyAccumulator;
  fidelity: Map<string, FidelityAccumulator>;
  agreement?: AgreementAccumulator;
  /** The runtime's output against the exact execution's, per output. */
  kernel: Map<string, FidelityAccumulator>;
  uint8Activations: boolean;
}

interface Loaded {
  path: string;
  runtime: Runtime;
  session: RuntimeSession;
  exact?: ExactRun;
  eval: ModelEvaluation;
  accuracy?: AccuracyAccumulator;
  fidelity: Map<string, FidelityAccumulator>;
  agreement?: AgreementAccumulator;
}

/**
 * Runs `reference` and every candidate (model file paths) on the same batches of `source`, one session each.
 * @throws OndeviceError naming the candidate file when its inputs/outputs differ from the reference's
 *   (names, dtypes, shapes), or when any output holds NaN/Inf; UsageError when the data has fewer examples than `limit`.
 */
export async function evaluateModels(reference: string, candidates: readonly string[], source: DataSource, options: EvaluateModelsOptions = {}): Promise<Evaluation> {
  const progress = options.progress ?? silentProgress;
  const batchSize = options.batchSize ?? 100;
  if (options.limit !== undefined && source.count !== undefined && source.count < options.limit) {
    throw new UsageError(`the data (${source.description}) has ${source.count} examples, fewer than the ${options.limit} asked for`);
  }
  const loaded: Loaded[] = [];
  try {
    for (const [i, path] of [reference, ...candidates].entries()) loaded.push(await load(path, options, i > 0 && options.exact !== false, i === 0));
    const [ref, ...cands] = loaded;
    for (const c of cands) checkSameIo(ref, c, options.fixedInputs);
    const classOutput = pickClassOutput(ref.session, options.classOutput);
    const total = Math.min(options.limit ?? Infinity, source.count ?? Infinity);
    progress.start(Number.isFinite(total) ? total : 0, `evaluating ${loaded.length} models`);
    let examples = 0;
    try {
      for await (const batch of source.batches(batchSize, options.limit)) {
        const feeds = pickFeeds(batch.inputs, ref.session.inputs, reference);
        const refOut = await runChecked(ref, feeds);
        const rows = firstDim(feeds);
        tallyAccuracy(ref, refOut, classOutput, batch.labels);
        for (const c of cands) {
          const own = c.session.inputs.length === ref.session.inputs.length ? feeds : pickFeeds(batch.inputs, c.session.inputs, c.path);
          const out = await runChecked(c, own);
          tallyAccuracy(c, out, classOutput, batch.labels);
          tallyFidelity(c, refOut, out, ref.session.outputs, classOutput, rows);
          if (c.exact) {
            const exactOut = await runChecked({ path: c.path, session: c.exact.session }, own);
            tallyAccuracy(c.exact, exactOut, classOutput, batch.labels);
            tallyFidelity(c.exact, refOut, exactOut, ref.session.outputs, classOutput, rows);
            for (const info of ref.session.outputs) {
              const e = asNumbers(exactOut[info.name]), k = asNumbers(out[info.name]);
              if (e && k && e.length === k.length) getOrMake(c.exact.kernel, info.name).add(e, k);
            }
          }
        }
        examples += rows;
        progress.update(examples);
      }
    } finally {
      progress.stop();
    }
    if (options.limit !== undefined && examples < options.limit && source.count === undefined) {
      throw new UsageError(`the data (${source.description}) gave ${examples} examples, fewer than the ${options.limit} asked for`);
    }
    for (const m of loaded) {
      if (m.accuracy) m.eval.accuracy = m.accuracy.result();
      if (m !== ref) m.eval.fidelity = fidelityResults(m, classOutput);
      if (m.exact) m.eval.exact = await exactResult(m, m.exact, classOutput);
    }
    return { data: source.description, examples, ...(classOutput ? { classOutput } : {}), host: hostCpu(), reference: ref.eval, candidates: cands.map((c) => c.eval) };
  } finally {
    for (const m of loaded) {
      await m.session.release();
      await m.exact?.session.release();
    }
  }
}

async function load(path: string, options: EvaluateModelsOptions, exact: boolean, reference: boolean): Promise<Loaded> {
  const formatName = await formatNameOf(path);
  const runtime = await resolveRuntime({ name: options.runtime, format: formatName });
  const loaded = acceptAnyBatch(await runtime.load(path, { threads: options.threads }));
  let session = loaded;
  try {
    // The reference may name inner values (TF.js fetches any); a candidate must have them as outputs.
    if (options.outputs) session = fetchOnly(loaded, options.outputs, path, reference);
  } catch (e) {
    await loaded.release();
    throw e;
  }
  let model: Model | undefined;
  try {
    model = formatName === 'coreml' ? undefined : await readModel(path);
  } catch {
    model = undefined; // the runtime loaded it; provenance and the exact execution are extras
  }
  const scheme = model && readProvenance(model)?.scheme;
  let exactRun: ExactRun | undefined;
  if (model && exact && formatName === 'onnx' && runtime.name !== onnxReferenceRuntime.name && quantizesActivations(model)) {
    try {
      const exactSession = acceptAnyBatch(await onnxReferenceRuntime.load(path, { threads: options.threads }));
      const s = options.outputs ? fetchOnly(exactSession, options.outputs, path) : exactSession;
      exactRun = { session: s, fidelity: new Map(), kernel: new Map(), uint8Activations: activationTypesOf(model).has('uint8') };
    } catch (e) {
      await session.release();
      throw e;
    }
  }
  return {
    path, runtime, session, fidelity: new Map(), ...(exactRun ? { exact: exactRun } : {}),
    eval: { path, sizeBytes: modelBytes(path), runtime: runtime.name, runtimeInfo: session.info, ...(scheme ? { scheme } : {}) },
  };
}

type Tally = { fidelity: Map<string, FidelityAccumulator>; agreement?: AgreementAccumulator; path?: string };

/** Adds one batch of a model's outputs against the reference's to its fidelity (and agreement on the class output). */
function tallyFidelity(m: Tally, refOut: Record<string, HostTensor>, out: Record<string, HostTensor>, outputs: readonly IoInfo[], classOutput: string | undefined, rows: number): void {
  for (const info of outputs) {
    const r = asNumbers(refOut[info.name]), k = asNumbers(out[info.name]);
    if (!r || !k) continue;
    if (r.length !== k.length) throw new OndeviceError(`output '${info.name}' has ${k.length} values, the reference ${r.length}`, { file: m.path });
    getOrMake(m.fidelity, info.name).add(r, k);
    if (info.name === classOutput && rows > 0) (m.agreement ??= new AgreementAccumulator()).add(r, k, r.length / rows);
  }
}

function fidelityResults(m: Tally, classOutput: string | undefined): OutputFidelity[] {
  return [...m.fidelity].map(([output, acc]) => ({
    output, ...acc.result(), ...(output === classOutput && m.agreement ? { agreement: m.agreement.result() } : {}),
  }));
}

async function exactResult(m: Loaded, run: ExactRun, classOutput: string | undefined): Promise<ExactExecution> {
  const fidelity = fidelityResults(run, classOutput);
  const worst = (fs: readonly { psnr: number }[]) => Math.min(Infinity, ...fs.map((f) => f.psnr));
  const warning = kernelWarning({
    runtime: m.session.info,
    runtimePsnr: worst(m.eval.fidelity ?? []),
    exactPsnr: worst(fidelity),
    uint8Activations: run.uint8Activations,
    u8s8Saturates: run.uint8Activations ? await u8s8Saturates(m.runtime) : undefined,
  });
  return {
    runtime: run.session.info,
    ...(run.accuracy ? { accuracy: run.accuracy.result() } : {}),
    fidelity,
    kernelError: [...run.kernel].map(([output, acc]) => ({ output, ...acc.result() })),
    ...(warning ? { warning } : {}),
  };
}

/**
 * Throws naming the candidate and what differs when its inputs or outputs do not match the reference's. A candidate may
 * lack an input in `fixed` (its value was folded in at compile time).
 */
function checkSameIo(ref: Loaded, cand: Loaded, fixed: ReadonlySet<string> = new Set()): void {
  for (const kind of ['inputs', 'outputs'] as const) {
    const b = cand.session[kind], bNames = b.map((x) => x.name);
    const a = ref.session[kind].filter((x) => kind === 'outputs' || !fixed.has(x.name) || bNames.includes(x.name));
    const aNames = a.map((x) => x.name);
    const missing = aNames.filter((n) => !bNames.includes(n)), extra = bNames.filter((n) => !aNames.includes(n));
    if (missing.length || extra.length) {
      throw new OndeviceError(`${kind} differ from the reference's (${ref.path}): ` +
        [missing.length ? `missing ${missing.map((n) => `'${n}'`).join(', ')}` : '', extra.length ? `unexpected ${extra.map((n) => `'${n}'`).join(', ')}` : '']
          .filter(Boolean).join('; '), { file: cand.path });
    }
    for (const x of a) {
      const y = b.find((v) => v.name === x.name)!;
      const what = kind.slice(0, -1);
      // An inner value of the reference fetched by name (`outputs`) has no declared dtype.
      if (x.dtype !== y.dtype && x.dtype !== 'unknown') throw new OndeviceError(`${what} '${x.name}' is ${y.dtype}, the reference's is ${x.dtype}`, { file: cand.path });
      if (!sameShape(x.shape, y.shape)) {
        throw new OndeviceError(`${what} '${x.name}' has shape [${y.shape.join(', ')}], the reference's is [${x.shape.join(', ')}]`, { file: cand.path });
      }
    }
  }
}

/** Fixed dims must agree; symbolic or unknown dims match anything. Ranks must agree when both are known. */
function sameShape(a: readonly Dim[], b: readonly Dim[]): boolean {
  if (a.length && b.length && a.length !== b.length) return false;
  return a.every((d, i) => typeof d !== 'number' || typeof b[i] !== 'number' || d === b[i]);
}

function pickClassOutput(session: RuntimeSession, wanted?: string): string | undefined {
  if (wanted) {
    if (!session.outputs.some((o) => o.name === wanted)) {
      throw new UsageError(`no output '${wanted}' (outputs: ${session.outputs.map((o) => o.name).join(', ')})`);
    }
    return wanted;
  }
  const first: IoInfo | undefined = session.outputs[0];
  return first && first.shape.length === 2 && (first.dtype === 'float32' || first.dtype === 'float16' || first.dtype === 'float64') ? first.name : undefined;
}

function pickFeeds(inputs: Record<string, HostTensor>, wanted: readonly IoInfo[], model: string): Record<string, HostTensor> {
  const feeds: Record<string, HostTensor> = {};
  for (const info of wanted) {
    const t = inputs[info.name];
    if (!t) throw new UsageError(`the data gives no input '${info.name}' (it gives ${Object.keys(inputs).join(', ') || 'nothing'})`, { file: model });
    feeds[info.name] = t;
  }
  return feeds;
}

async function runChecked(m: { path: string; session: RuntimeSession }, feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>> {
  const out = await m.session.run(feeds);
  for (const [name, t] of Object.entries(out)) {
    const v = asNumbers(t);
    if (v && (t.dtype === 'float32' || t.dtype === 'float64' || t.dtype === 'float16')) checkFinite(v, m.path, name);
  }
  return out;
}

function tallyAccuracy(m: { accuracy?: AccuracyAccumulator }, out: Record<string, HostTensor>, classOutput: string | undefined, labels: ArrayLike<number> | undefined): void {
  if (!classOutput || !labels || labels.length === 0) return;
  const scores = asNumbers(out[classOutput]);
  if (!scores) return;
  (m.accuracy ??= new AccuracyAccumulator()).add(scores, labels, scores.length / labels.length);
}

function firstDim(feeds: Record<string, HostTensor>): number {
  const first = Object.values(feeds)[0];
  return first?.dims[0] ?? 0;
}

function getOrMake(map: Map<string, FidelityAccumulator>, key: string): FidelityAccumulator {
  let acc = map.get(key);
  if (!acc) map.set(key, (acc = new FidelityAccumulator()));
  return acc;
}

/** A tensor's values as numbers (float16 decoded), or undefined for strings/booleans. */
export function asNumbers(t: HostTensor | undefined): ArrayLike<number> | undefined {
  if (!t || t.dtype === 'string' || t.dtype === 'bool') return undefined;
  if (t.dtype === 'float16') return Float32Array.from(t.data as Uint16Array, halfToFloat);
  if (t.data instanceof BigInt64Array || t.data instanceof BigUint64Array) return Float64Array.from(t.data, Number);
  return t.data as ArrayLike<number>;
}

