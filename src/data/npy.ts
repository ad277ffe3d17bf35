// .npy / .npz arrays as a DataSource: one array per model input, first dim = examples, streamed batch by batch.
import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { FormatError, OndeviceError, UsageError } from '../errors.ts';
import { ByteReader } from './byte-reader.ts';
import { examplesToRead, hashFile, newFingerprint } from './batching.ts';
import { npyItemSize, npyPreambleLength, npyValues, npyVersion, parseNpyHeader, type NpyHeader } from './npy-format.ts';
import type { DataBatch } from './source.ts';
import type { TypedDataSource } from './typed-source.ts';

/** One array feeding one input: its header and how to stream its bytes from the start. */
interface NpyArray {
  input: string;
  header: NpyHeader;
  /** 'file.npz:x.npy' or 'file.npy', for messages. */
  where: string;
}

/** Read and parse a .npy header from the front of a stream, leaving the reader at the first data byte. */
async function readHeader(reader: ByteReader, where: string): Promise<NpyHeader> {
  const first = await reader.read(8);
  const major = npyVersion(first, where);
  const lengthField = await reader.read(npyPreambleLength(major) - 8);
  const length = lengthField.length === 2 ? lengthField[0] | (lengthField[1] << 8) : new DataView(lengthField.buffer).getUint32(0, true);
  const text = await reader.read(length);
  const all = new Uint8Array(first.length + lengthField.length + text.length);
  all.set(first);
  all.set(lengthField, first.length);
  all.set(text, first.length + lengthField.length);
  const header = parseNpyHeader(all, where);
  if (header.dims.length === 0) throw new FormatError('npy', 'a scalar array has no examples: the first dim must count examples', { file: where });
  return header;
}

/** The open zip archive of an .npz and its entries by name. */
interface Npz {
  zip: yauzl.ZipFile;
  entries: Map<string, yauzl.Entry>;
}

/** Open an .npz and list its entries. */
function openNpz(path: string): Promise<Npz> {
  return new Promise((resolve, reject) => {
    const fail = (e: Error) => reject(new FormatError('npz', `cannot read the zip archive: ${e.message}`, { file: path, cause: e }));
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (err, zip) => {
      if (err || !zip) {
        // File-system errors carry a code (ENOENT, EACCES…); anything else is a bad archive.
        if ((err as NodeJS.ErrnoException | null)?.code) reject(new UsageError(`cannot read .npz file: ${err!.message}`, { file: path, cause: err }));
        else fail(err ?? new Error('no archive'));
        return;
      }
      const entries = new Map<string, yauzl.Entry>();
      zip.on('entry', (entry: yauzl.Entry) => {
        entries.set(entry.fileName, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve({ zip, entries }));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}

/** A decompressed stream of one zip entry. */
function entryStream(npz: Npz, entry: yauzl.Entry, where: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    npz.zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(new FormatError('npz', `cannot read entry: ${err?.message}`, { file: where, cause: err }));
      else resolve(stream);
    });
  });
}

/** A readable stream of a plain file, with a clear error if it cannot be opened. */
function fileStream(path: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    const stream = createReadStream(path);
    stream.once('open', () => resolve(stream));
    stream.once('error', (e) => reject(new UsageError(`cannot read .npy file: ${e.message}`, { file: path, cause: e })));
  });
}

/** Open a reader per array positioned at its data (and what must be closed afterwards). */
async function openReaders(path: string, arrays: NpyArray[]): Promise<{ readers: ByteReader[]; close: () => Promise<void> }> {
  if (extname(path).toLowerCase() === '.npy') {
    const reader = new ByteReader(await fileStream(path));
    await readHeader(reader, path);
    return { readers: [reader], close: () => reader.close() };
  }
  const npz = await openNpz(path);
  const readers: ByteReader[] = [];
  try {
    for (const a of arrays) {
      const reader = new ByteReader(await entryStream(npz, npz.entries.get(`${a.input}.npy`)!, a.where));
      readers.push(reader);
      await readHeader(reader, a.where);
    }
  } catch (e) {
    await Promise.all(readers.map((r) => r.close()));
    npz.zip.close();
    throw e;
  }
  return {
    readers,
    close: async () => {
      await Promise.all(readers.map((r) => r.close()));
      npz.zip.close();
    },
  };
}

/** Headers of the arrays feeding `inputNames` (for .npz, all entries when not given). */
async function describeArrays(path: string, inputNames?: readonly string[]): Promise<NpyArray[]> {
  if (extname(path).toLowerCase() === '.npy') {
    if (inputNames && inputNames.length !== 1) {
      throw new UsageError(`a .npy file feeds one input, the model has ${inputNames.length} (${inputNames.join(', ')}): use an .npz with one array per input name`, { file: path });
    }
    const reader = new ByteReader(await fileStream(path));
    try {
      return [{ input: inputNames?.[0] ?? basename(path, extname(path)), header: await readHeader(reader, path), where: path }];
    } finally {
      await reader.close();
    }
  }
  const npz = await openNpz(path);
  try {
    const names = [...npz.entries.keys()].filter((n) => n.endsWith('.npy')).map((n) => n.slice(0, -4));
    if (names.length === 0) throw new FormatError('npz', 'the archive holds no .npy arrays', { file: path });
    const arrays: NpyArray[] = [];
    for (const input of inputNames ?? names) {
      const entry = npz.entries.get(`${input}.npy`);
      if (!entry) throw new UsageError(`no array for model input '${input}' (arrays: ${names.join(', ')})`, { file: path });
      const where = `${path}:${input}.npy`;
      const reader = new ByteReader(await entryStream(npz, entry, where));
      try {
        arrays.push({ input, header: await readHeader(reader, where), where });
      } finally {
        await reader.close();
      }
    }
    return arrays;
  } finally {
    npz.zip.close();
  }
}

/**
 * A .npy file (one input) or .npz archive (an array `<input>.npy` per input) as a DataSource.
 * Each array's first dim counts examples; all arrays must agree on it.
 * @throws UsageError/FormatError naming the file for unreadable files, bad headers, missing inputs, unequal counts.
 */
export async function npySource(path: string, inputNames?: readonly string[]): Promise<TypedDataSource> {
  const arrays = await describeArrays(path, inputNames);
  const count = arrays[0].header.dims[0];
  for (const a of arrays) {
    if (a.header.dims[0] !== count) {
      throw new UsageError(`arrays disagree on the number of examples: '${arrays[0].input}' has ${count}, '${a.input}' has ${a.header.dims[0]}`, { file: path });
    }
  }
  const exampleBytes = arrays.map((a) => a.header.dims.slice(1).reduce((x, y) => x * y, 1) * npyItemSize(a.header.dtype));
  return {
    description: `arrays in ${path} (${count} examples)`,
    count,
    inputs: arrays.map((a) => ({ name: a.input, dtype: a.header.dtype, shape: [null, ...a.header.dims.slice(1)] })),
    async fingerprint() {
      const hash = newFingerprint().update(JSON.stringify(arrays.map((a) => a.input)));
      await hashFile(hash, path);
      return hash.digest('hex');
    },
    async *batches(batchSize: number, limit?: number): AsyncIterable<DataBatch> {
      const total = examplesToRead(count, batchSize, limit);
      const { readers, close } = await openReaders(path, arrays);
      try {
        for (let start = 0; start < total; start += batchSize) {
          const n = Math.min(batchSize, total - start);
          const inputs: DataBatch['inputs'] = {};
          for (let i = 0; i < arrays.length; i++) {
            const { header, where, input } = arrays[i];
            const bytes = await readers[i].read(n * exampleBytes[i]).catch((e: Error) => {
              throw e instanceof OndeviceError ? e : new FormatError('npy', `cannot read array data: ${e.message}`, { file: where, cause: e });
            });
            if (bytes.length < n * exampleBytes[i]) {
              throw new FormatError('npy', `truncated: shape [${header.dims.join(',')}] needs more data than the file holds (ended in example ${start + Math.floor(bytes.length / exampleBytes[i])})`, { file: where });
            }
            inputs[input] = { dtype: header.dtype, dims: [n, ...header.dims.slice(1)], data: npyValues(bytes, header.dtype, header.littleEndian) };
          }
          yield { inputs };
        }
      } finally {
        await close();
      }
    },
  };
}
