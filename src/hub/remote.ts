// Jobs on hub devices as library calls: profile a model per device, run models on given inputs, parity against onnxruntime-node here.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { compileFile } from '../compile/compile.ts';
import { UsageError } from '../errors.ts';
import { FidelityAccumulator, type Fidelity } from '../evaluate/metrics.ts';
import { modelInputs } from '../data/model-inputs.ts';
import type { DataSource } from '../data/source.ts';
import { readModel } from '../formats/registry.ts';
import { applyInputShapes, type InputShapes } from '../ir/input-shapes.ts';
import type { InputValues } from '../ir/input-values.ts';
import { synthesizeInputs } from '../profile/inputs.ts';
import { resolveRuntime } from '../runtimes/registry.ts';
import { seededFloats } from '../util/random.ts';
import type { HubClient } from './client.ts';
import type { DeviceView } from './server.ts';
import { decodeFloats, encodeFloats, type DeviceBackend, type DeviceProfile, type DeviceRun, type ModelRef, type ProfileFeed, type WireTensor } from './protocol.ts';
import type { JobRecord } from './queue.ts';

/** Progress of waiting for jobs. */
export type WaitProgress = (finished: number, total: number) => void;

/** Where a job ran, as reports show it. */
export interface DeviceSummary {
  id: string;
  name: string;
  userAgent: string;
  cores: number | null;
  memoryGiB: number | null;
  webgpu: string | null;
}

/** One device's outcome of a job. */
export interface DeviceOutcome<R> {
  jobId: string;
  device: DeviceSummary | null;
  state: JobRecord['state'];
  /** How many devices started it (more than 1 when one dropped mid-job). */
  attempts: number;
  error: string | null;
  result: R | null;
  /** Submission to completion, ms. */
  totalMs: number | null;
}

function summary(devices: readonly DeviceView[], id: string | null): DeviceSummary | null {
  const d = devices.find((x) => x.id === id);
  if (!d) return null;
  const gpu = d.info.webgpu;
  return {
    id: d.id, name: d.name, userAgent: d.info.userAgent, cores: d.info.cores, memoryGiB: d.info.memoryGiB,
    webgpu: gpu ? [gpu.vendor, gpu.architecture, gpu.device, gpu.description].filter(Boolean).join(' ') || 'adapter' : null,
  };
}

/** Job records as per-device outcomes. */
export async function outcomes<R>(client: HubClient, jobs: readonly JobRecord[]): Promise<DeviceOutcome<R>[]> {
  const devices = await client.devices();
  return jobs.map((j) => ({
    jobId: j.id, device: summary(devices, j.deviceId), state: j.state, attempts: j.attempts, error: j.error,
    result: (j.result ?? null) as R | null, totalMs: j.finishedAt !== null ? j.finishedAt - j.createdAt : null,
  }));
}

/** The single float32 input the device page feeds, with static dims; a UsageError naming the model otherwise. */
export async function deviceInputDims(modelPath: string, shapes: InputShapes = {}): Promise<number[]> {
  const { inputDims, feeds } = await deviceFeeds(modelPath, shapes);
  if (feeds) throw new UsageError(`the model's inputs are ${feeds.map((f) => `${f.name} (${f.dtype})`).join(', ')}: not one float32 input`, { file: modelPath });
  return inputDims;
}

/**
 * What a profile job feeds: one float32 input → its dims (seeded on the device); otherwise every input as a feed — float
 * inputs seeded on the device, integer and bool inputs synthesised here (small integers) and sent, and `--input-value`
 * inputs sent as given. Dynamic dims other than the batch need `--input-shape`.
 * @throws UsageError naming the model for dynamic dims, or input types a page cannot feed (float16, strings).
 */
export async function deviceFeeds(modelPath: string, shapes: InputShapes = {}, values?: InputValues): Promise<{ inputDims: number[]; feeds?: ProfileFeed[] }> {
  const inputs = applyInputShapes(modelInputs(await readModel(modelPath)), shapes);
  const dimsOf = (i: (typeof inputs)[number]) => {
    const dims = i.shape.map((d, k) => (typeof d === 'number' && d >= 0 ? d : k === 0 ? 1 : NaN));
    if (dims.some((d) => !Number.isFinite(d))) throw new UsageError(`input '${i.name}' has dynamic dims: give --input-shape`, { file: modelPath });
    return dims;
  };
  if (inputs.length === 1 && inputs[0].dtype === 'float32' && !values?.size) return { inputDims: dimsOf(inputs[0]) };
  const synthetic = synthesizeInputs(inputs.map((i) => ({ name: i.name, dtype: i.dtype, shape: dimsOf(i) })), {}, 1, values);
  const feeds = inputs.map((i): ProfileFeed => {
    const t = synthetic[i.name];
    const given = values?.has(i.name);
    if (t.dtype === 'int64' || t.dtype === 'uint64') return { name: i.name, dtype: 'int64', dims: t.dims, values: Array.from(t.data as BigInt64Array, Number) };
    if (t.dtype === 'float32' && !given) return { name: i.name, dtype: 'float32', dims: t.dims };
    // The page feeds float32 and int64 tensors, and converts float32 values to a uint8 or int32 input's own type.
    if (t.dtype !== 'float32' && t.dtype !== 'uint8' && t.dtype !== 'int32') throw new UsageError(`input '${i.name}' is ${t.dtype}: the device page feeds float32, int64, int32 and uint8 inputs`, { file: modelPath });
    return { name: i.name, dtype: 'float32', dims: t.dims, data: encodeFloats(Float32Array.from(t.data as ArrayLike<number>, Number)) };
  });
  return { inputDims: [], feeds };
}

function formatOf(path: string): ModelRef['format'] {
  const ext = extname(path).toLowerCase();
  if (ext === '.onnx') return 'onnx';
  if (ext === '.tflite') return 'tflite';
  throw new UsageError('hub devices run .onnx (and .tflite on LiteRT.js) models', { file: path });
}

/** Options of {@link profileOnDevices}. */
export interface RemoteProfileOptions {
  /** A device name or id, 'all' (one job per paired device) or 'any'. */
  device: string;
  warmup?: number;
  runs?: number;
  /** Backends in order of preference (default webgpu, then wasm). */
  backends?: DeviceBackend[];
  threads?: number;
  shapes?: InputShapes;
  /** Fixed input values (`--input-value`), sent to the device as they are. */
  inputValues?: InputValues;
  timeoutMs?: number;
  onProgress?: WaitProgress;
}

/** What {@link profileOnDevices} returns (the `--device` JSON of `ondevice profile`). */
export interface RemoteProfile {
  schema: 1;
  model: string;
  sha256: string;
  /** The single float32 input's dims ([] when `inputs` lists several). */
  inputDims: number[];
  /** Every input fed, for models with several or non-float inputs. */
  inputs?: { name: string; dtype: string; dims: number[] }[];
  devices: DeviceOutcome<DeviceProfile>[];
}

/** Profiles `modelPath` on hub devices: uploads it, submits the jobs, waits for every device's result. */
export async function profileOnDevices(client: HubClient, modelPath: string, options: RemoteProfileOptions): Promise<RemoteProfile> {
  const format = formatOf(modelPath);
  if (format !== 'onnx') throw new UsageError('profiling on hub devices takes an .onnx model (LiteRT.js is not in the device page yet)', { file: modelPath });
  const { inputDims, feeds } = await deviceFeeds(modelPath, options.shapes, options.inputValues);
  const model = await client.uploadModel(modelPath, format);
  const { jobs } = await client.submit({
    target: options.device,
    spec: {
      kind: 'profile', model, backends: options.backends ?? ['webgpu', 'wasm'], inputDims, ...(feeds ? { feeds } : {}),
      warmup: options.warmup ?? 10, runs: options.runs ?? 100, seed: 1, ...(options.threads ? { threads: options.threads } : {}),
    },
  });
  const done = await client.wait(jobs.map((j) => j.id), { timeoutMs: options.timeoutMs, onProgress: options.onProgress });
  const inputs = feeds?.map((f) => ({ name: f.name, dtype: f.dtype, dims: f.dims }));
  return { schema: 1, model: modelPath, sha256: model.sha256, inputDims, ...(inputs ? { inputs } : {}), devices: await outcomes<DeviceProfile>(client, done) };
}

/** Options of {@link parityOnDevice}. */
export interface ParityOptions {
  device: string;
  /** Page backends to compare (default wasm, webgpu and litert; one a device lacks is reported with why). */
  backends?: DeviceBackend[];
  /** The .tflite LiteRT.js runs (default: the model compiled here with `compile --target tflite`). */
  tflite?: string;
  /** Seeded random inputs (default 4). */
  samples?: number;
  shapes?: InputShapes;
  timeoutMs?: number;
  onProgress?: WaitProgress;
}

/** One backend of a device against onnxruntime-node here. */
export interface BackendParity {
  backend: DeviceBackend;
  /** What ran it on the device, or null when it could not. */
  ran: string | null;
  error?: string;
  fidelity: Fidelity | null;
  meanMs: number | null;
}

/** What {@link parityOnDevice} returns. */
export interface RemoteParity {
  schema: 1;
  model: string;
  sha256: string;
  samples: number;
  reference: string;
  devices: (DeviceOutcome<DeviceRun> & { parity: BackendParity[] })[];
}

/** The model compiled to .tflite (float32) in a temp folder, for LiteRT.js. */
async function compiledTflite(modelPath: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'ondevice-parity-'));
  const out = join(dir, `${basename(modelPath, extname(modelPath))}.tflite`);
  try {
    await compileFile(modelPath, out, { target: 'tflite' });
    return out;
  } finally {
    // The upload reads it right away; the folder goes when the process exits.
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
}

/** Outputs of the model's first output on onnxruntime-node for each input. */
async function referenceOutputs(modelPath: string, inputs: readonly { dims: number[]; data: Float32Array }[]): Promise<{ outputs: Float32Array[]; engine: string }> {
  const session = await (await resolveRuntime({ name: 'ort-node' })).load(modelPath);
  try {
    const outputs: Float32Array[] = [];
    for (const x of inputs) {
      const out = await session.run({ [session.inputs[0].name]: { dtype: 'float32', dims: x.dims, data: x.data } }, [session.outputs[0].name]);
      outputs.push(Float32Array.from(out[session.outputs[0].name].data as ArrayLike<number>));
    }
    return { outputs, engine: `${session.info.engine} ${session.info.version}` };
  } finally {
    await session.release();
  }
}

/** Compares a run job's outputs per backend with reference outputs. */
export function compareRun(run: DeviceRun | null, reference: readonly Float32Array[]): BackendParity[] {
  return (run?.backends ?? []).map((b) => {
    if (b.ran === null || b.outputs.length !== reference.length) {
      return { backend: b.backend, ran: b.ran, error: b.error ?? `${b.outputs.length} outputs for ${reference.length} inputs`, fidelity: null, meanMs: b.meanMs };
    }
    const acc = new FidelityAccumulator();
    try {
      b.outputs.forEach((o, i) => acc.add(reference[i], decodeFloats(o.data)));
    } catch (e) {
      return { backend: b.backend, ran: b.ran, error: (e as Error).message, fidelity: null, meanMs: b.meanMs };
    }
    return { backend: b.backend, ran: b.ran, fidelity: acc.result(), meanMs: b.meanMs };
  });
}

/**
 * Parity on devices: the same seeded inputs through the model on each page backend of each device, compared with
 * onnxruntime-node on this machine (PSNR, max error per backend).
 */
export async function parityOnDevice(client: HubClient, modelPath: string, options: ParityOptions): Promise<RemoteParity> {
  const format = formatOf(modelPath);
  if (format !== 'onnx') throw new UsageError('parity on hub devices takes an .onnx model', { file: modelPath });
  const dims = await deviceInputDims(modelPath, options.shapes);
  const samples = options.samples ?? 4;
  const size = dims.reduce((a, b) => a * b, 1);
  const inputs = Array.from({ length: samples }, (_, i) => ({ dims, data: seededFloats(size, 1000 + i, 0, 1) }));
  const { outputs, engine } = await referenceOutputs(modelPath, inputs);
  const model = await client.uploadModel(modelPath, format);
  const backends = options.backends ?? ['wasm', 'webgpu', 'litert'];
  const models: Partial<Record<DeviceBackend, ModelRef>> = { wasm: model, webgpu: model };
  let tfliteError: string | undefined;
  if (backends.includes('litert')) {
    try {
      models.litert = await client.uploadModel(options.tflite ?? (await compiledTflite(modelPath)), 'tflite');
    } catch (e) {
      tfliteError = `no .tflite: ${(e as Error).message}`;
    }
  }
  const wire: WireTensor[] = inputs.map((x) => ({ dims: x.dims, data: encodeFloats(x.data) }));
  const { jobs } = await client.submit({ target: options.device, spec: { kind: 'run', models, backends, inputs: wire } });
  const done = await client.wait(jobs.map((j) => j.id), { timeoutMs: options.timeoutMs, onProgress: options.onProgress });
  const devices = (await outcomes<DeviceRun>(client, done)).map((o) => ({
    ...o, parity: compareRun(o.result, outputs).map((p) => (p.backend === 'litert' && tfliteError ? { ...p, error: tfliteError } : p)),
  }));
  return { schema: 1, model: modelPath, sha256: model.sha256, samples, reference: engine, devices };
}

/**
 * Runs `modelPath` on one device over `inputs` (one float32 tensor each) on one backend; returns the outputs in order.
 * What `evaluate --device` builds on.
 */
export async function runOnDevice(client: HubClient, modelPath: string, inputs: readonly { dims: number[]; data: Float32Array }[],
  options: { device: string; backend?: DeviceBackend; timeoutMs?: number; onProgress?: WaitProgress }): Promise<{ outputs: Float32Array[]; outcome: DeviceOutcome<DeviceRun> }> {
  const model = await client.uploadModel(modelPath, formatOf(modelPath));
  const backend = options.backend ?? 'wasm';
  const { jobs } = await client.submit({
    target: options.device,
    spec: { kind: 'run', models: { [backend]: model }, backends: [backend], inputs: inputs.map((x) => ({ dims: x.dims, data: encodeFloats(x.data) })) },
  });
  const [job] = await client.wait(jobs.map((j) => j.id), { timeoutMs: options.timeoutMs, onProgress: options.onProgress });
  const [outcome] = await outcomes<DeviceRun>(client, [job]);
  const ran = outcome.result?.backends[0];
  if (outcome.state !== 'done' || !ran || ran.ran === null) throw new UsageError(`the device could not run the model: ${outcome.error ?? ran?.error ?? 'no result'}`, { file: modelPath });
  return { outputs: ran.outputs.map((o) => decodeFloats(o.data)), outcome };
}

/** Options of {@link evaluateOnDevice}. */
export interface RemoteEvaluateOptions {
  device: string;
  backend?: DeviceBackend;
  /** Examples (default 100). */
  limit?: number;
  timeoutMs?: number;
  onProgress?: WaitProgress;
}

/** One model of a device evaluation. */
export interface RemoteModelFigures {
  model: string;
  /** Top-1 accuracy on the device, where the data is labelled. */
  accuracy: number | null;
  /** Against the reference's outputs on the same device (null for the reference itself). */
  fidelity: Fidelity | null;
  /** Top-1 agreement with the reference on the device. */
  top1Agreement: number | null;
  /** Against the same model on onnxruntime-node here: what the device's runtime changes. */
  hostFidelity: Fidelity | null;
  device: DeviceSummary | null;
  meanMs: number | null;
}

/** What {@link evaluateOnDevice} returns (`evaluate --device --json`). */
export interface RemoteEvaluation {
  schema: 1;
  data: string;
  examples: number;
  reference: RemoteModelFigures;
  candidates: RemoteModelFigures[];
}

/**
 * Evaluates a reference and candidates on one hub device: the first `limit` examples of `source` (one float32
 * input, one example per run) through every model on the device; accuracy where labelled, the candidates' fidelity
 * to the reference on the device, and each model's fidelity to itself on onnxruntime-node here.
 */
export async function evaluateOnDevice(client: HubClient, reference: string, candidates: readonly string[],
  source: DataSource,
  options: RemoteEvaluateOptions): Promise<RemoteEvaluation> {
  const inputs: { dims: number[]; data: Float32Array }[] = [];
  const labels: number[] = [];
  for await (const batch of source.batches(1, options.limit ?? 100)) {
    const tensors = Object.values(batch.inputs);
    if (tensors.length !== 1 || tensors[0].dtype !== 'float32') throw new UsageError('the device page feeds one float32 input; the data gives other inputs', { file: reference });
    inputs.push({ dims: tensors[0].dims, data: Float32Array.from(tensors[0].data as Float32Array) });
    if (batch.labels) labels.push(batch.labels[0]);
  }
  if (inputs.length === 0) throw new UsageError('no examples in the data', { file: reference });
  const argmax = (y: Float32Array) => y.reduce((best, v, i) => (v > y[best] ? i : best), 0);
  const measure = async (model: string, ref?: Float32Array[]): Promise<{ figures: RemoteModelFigures; outputs: Float32Array[] }> => {
    const { outputs, outcome } = await runOnDevice(client, model, inputs, options);
    const host = await referenceOutputs(model, inputs);
    const hostAcc = new FidelityAccumulator();
    outputs.forEach((y, i) => hostAcc.add(host.outputs[i], y));
    let fidelity: Fidelity | null = null, agreement: number | null = null;
    if (ref) {
      const acc = new FidelityAccumulator();
      let same = 0;
      outputs.forEach((y, i) => {
        acc.add(ref[i], y);
        if (argmax(ref[i]) === argmax(y)) same++;
      });
      fidelity = acc.result();
      agreement = same / outputs.length;
    }
    const accuracy = labels.length === outputs.length ? outputs.filter((y, i) => argmax(y) === labels[i]).length / outputs.length : null;
    return {
      outputs,
      figures: { model, accuracy, fidelity, top1Agreement: agreement, hostFidelity: hostAcc.result(), device: outcome.device, meanMs: outcome.result?.backends[0]?.meanMs ?? null },
    };
  };
  const ref = await measure(reference);
  const cands: RemoteModelFigures[] = [];
  for (const c of candidates) cands.push((await measure(c, ref.outputs)).figures);
  return { schema: 1, data: source.description, examples: inputs.length, reference: ref.figures, candidates: cands };
}
