# Writes the .mlmodel files beside this script with Apple's own serialiser: coremltools' MIL backend
# (coremltools/converters/mil/backend/mil/load.py) at commit e0e2f42b0b7c601958c0c2b53ce12c8a39023d00, run from a source
# checkout (PYTHONPATH=<checkout>, with numpy, sympy, protobuf, attrs, cattrs, tqdm, packaging installed). The native
# blob writer is not needed: every constant has fewer than 10 elements, so all are immediate values.
import os
import numpy as np
import coremltools.converters.mil.backend.mil.load as L
from coremltools import proto
from coremltools.converters.mil._deployment_compatibility import AvailableTarget as target
from coremltools.converters.mil.input_types import ClassifierConfig, ImageType
from coremltools.converters.mil.mil import Builder as mb, types

HERE = os.path.dirname(os.path.abspath(__file__))


class NoBlobs:
    def __init__(self, path):
        raise RuntimeError('no constant should need the weight file')


L.BlobWriter = NoBlobs


def save_program(prog, spec, name):
    p = L.MILProtoExporter(prog, os.path.join(HERE, 'w'), spec).export()
    m = proto.Model_pb2.Model(specificationVersion=spec)
    m.mlProgram.CopyFrom(p)
    open(os.path.join(HERE, name), 'wb').write(m.SerializeToString())


# iOS 17 image classifier: BGR image [1,3,4,4] -> conv 1x1 -> reduce_mean -> tile -> reshape -> softmax -> classify.
@mb.program(input_specs=[mb.TensorSpec(shape=(1, 3, 4, 4), dtype=types.fp32)], opset_version=target.iOS17)
def classifier(image):
    c = mb.conv(x=image, weight=np.array([[[[0.5]], [[-1.0]], [[2.0]]]], dtype=np.float32), name='c')
    m = mb.reduce_mean(x=c, axes=[2, 3], keep_dims=False, name='m')
    t = mb.tile(x=m, reps=[1, 3], name='t')
    r = mb.reshape(x=t, shape=[3], name='r')
    return mb.softmax(x=r, axis=0, name='probs')


classifier.functions['main'].input_types = [ImageType(name='image', shape=(1, 3, 4, 4), color_layout='BGR', channel_first=True)]
model = L.load(classifier, os.path.join(HERE, 'w'), specification_version=8, classifier_config=ClassifierConfig(['ant', 'bee', 'cat']))
model.description.metadata.author = 'coremltools-generated test fixture'
open(os.path.join(HERE, 'classifier-ios17.mlmodel'), 'wb').write(model.SerializeToString())


# iOS 16: int8 weights behind constexpr_affine_dequantize (parameters as attributes before iOS 18). No description.
@mb.program(input_specs=[mb.TensorSpec(shape=(1, 3), dtype=types.fp32)], opset_version=target.iOS16)
def dequantize(x):
    w = mb.constexpr_affine_dequantize(quantized_data=np.array([[1, -2, 3], [4, 5, -6]], dtype=np.int8), zero_point=np.int8(0), scale=np.float32(0.5), axis=0, name='w')
    return mb.linear(x=x, weight=w, name='y')


save_program(dequantize, 7, 'dequantize-ios16.mlmodel')


# iOS 18: int4 data (an immediate, packed two per byte) behind constexpr_blockwise_shift_scale. No description.
@mb.program(input_specs=[mb.TensorSpec(shape=(5,), dtype=types.int32)], opset_version=target.iOS18)
def blockwise(x):
    d = mb.constexpr_blockwise_shift_scale(data=np.array([[1, -2, 3, -8, 7]], dtype=types.np_int4_dtype), scale=np.array([[2.0]], dtype=np.float16), name='d')
    return mb.cast(x=d, dtype='fp32', name='c')


save_program(blockwise, 9, 'blockwise-int4-ios18.mlmodel')
