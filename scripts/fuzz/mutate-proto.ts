// Protobuf-level mutations of an ONNX file that the IR cannot express: external-data locations, typed data fields, raw dims and type codes.
import { decodeModelProto, encodeModelProto, DATA_LOCATION_EXTERNAL, type ModelProto, type TensorProto } from '../../src/formats/onnx/proto.ts';
import { INTERESTING_DIMS, type Rng } from './rng.ts';

const LOCATIONS = ['../../etc/passwd', '/etc/passwd', 'missing.bin', '.', 'sub/../../x', '', 'C:\\x.bin', 'a\0b', 'SELF'];
const SIZES = ['0', '1', '-1', '4096', '2147483648', '99999999999999999999', 'abc', ''];

/** Applies one proto-level mutation to the ONNX bytes; `self` is the mutant's own file name (a location that exists). */
export function mutateProto(bytes: Uint8Array, rng: Rng, self: string): { bytes: Uint8Array; label: string } {
  const proto = decodeModelProto(bytes) as ModelProto;
  const inits = [...(proto.graph?.initializer ?? []), ...(proto.graph?.node ?? []).flatMap((n) => (n.attribute ?? []).flatMap((a) => (a.t ? [a.t] : [])))];
  let label = 'no-op';
  const t: TensorProto | undefined = inits.length ? rng.pick(inits) : undefined;
  switch (rng.int(5)) {
    case 0: {
      if (!t) break;
      const location = rng.pick(LOCATIONS).replace('SELF', self);
      delete t.raw_data;
      t.data_location = DATA_LOCATION_EXTERNAL;
      t.external_data = [{ key: 'location', value: location }];
      if (rng.chance(0.6)) t.external_data.push({ key: 'offset', value: rng.pick(SIZES) });
      if (rng.chance(0.6)) t.external_data.push({ key: 'length', value: rng.pick(SIZES) });
      label = `initializer '${t.name}' external at '${location}'`;
      break;
    }
    case 1: {
      // Typed data fields with dims that ask for far more (the "Invalid typed array length" case) or a few too many.
      if (!t) break;
      delete t.raw_data;
      const dims = rng.chance(0.5) ? [2 ** 16, 2 ** 16, rng.pick([1, 2, 4])] : [rng.pick(INTERESTING_DIMS.filter((d) => d >= 0))];
      t.dims = dims;
      t.data_type = rng.pick([1, 2, 3, 6, 7, 10, 11, 8]);
      if (t.data_type === 7) t.int64_data = [1, 2, 3];
      else if (t.data_type === 11) t.double_data = [1, 2, 3];
      else if (t.data_type === 1) t.float_data = [1, 2, 3];
      else if (t.data_type === 8) t.string_data = [new Uint8Array([1])];
      else t.int32_data = [1, 2, 3];
      label = `initializer '${t.name}' ${t.data_type} with dims [${dims.join(',')}] and 3 typed values`;
      break;
    }
    case 2: {
      // A raw dim_value on an input's type (negative, int32-overflowing, past 2^53).
      const v = proto.graph?.input?.[rng.int(proto.graph.input.length)];
      const dims = v?.type?.tensor_type?.shape?.dim;
      if (!dims?.length) break;
      const value = rng.pick(INTERESTING_DIMS);
      dims[rng.int(dims.length)] = { dim_value: value };
      label = `input '${v!.name}' raw dim_value ${value}`;
      break;
    }
    case 3: {
      if (!t) break;
      t.data_type = rng.pick([0, 17, 22, 23, 24, 25, 99, 14, 15]);
      label = `initializer '${t.name}' data_type ${t.data_type}`;
      break;
    }
    default: {
      const node = proto.graph?.node?.find((n) => n.attribute?.length);
      const a = node?.attribute?.[rng.int(node.attribute.length)];
      if (!a) break;
      a.type = rng.pick([0, 99, 5, 10, 13]);
      label = `attribute '${a.name}' type code ${a.type}`;
    }
  }
  return { bytes: encodeModelProto(proto), label };
}
