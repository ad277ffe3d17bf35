// The Keras layer lifters (layers models): one per layer class.
import type { TfjsLifter } from '../context.ts';
import { liftActivation, liftELU, liftLeakyReLU, liftPReLU, liftReLU, liftSoftmax, liftThresholdedReLU } from './activation.ts';
import { liftConv, liftConvTranspose, liftDepthwiseConv, liftSeparableConv } from './conv.ts';
import { liftDense } from './dense.ts';
import { liftEmbedding } from './embedding.ts';
import { liftAdd, liftAverage, liftConcatenate, liftMaximum, liftMinimum, liftMultiply, liftSubtract } from './merge.ts';
import { liftBatchNormalization, liftLayerNormalization } from './norm.ts';
import { liftAveragePooling, liftGlobalAveragePooling, liftGlobalMaxPooling, liftMaxPooling } from './pooling.ts';
import {
  liftCropping, liftFlatten, liftIdentity, liftLambda, liftPermute, liftRepeatVector, liftRescaling, liftReshape, liftUpSampling2D, liftZeroPadding,
} from './shape.ts';

/** Classes that share one lifter, by family. */
const families: [string[], TfjsLifter][] = [
  [['Conv1D', 'Conv2D', 'Conv3D'], liftConv],
  [['DepthwiseConv2D'], liftDepthwiseConv],
  [['SeparableConv1D', 'SeparableConv2D'], liftSeparableConv],
  [['Conv2DTranspose'], liftConvTranspose],
  [['Dense'], liftDense],
  [['Embedding'], liftEmbedding],
  [['BatchNormalization'], liftBatchNormalization],
  [['LayerNormalization'], liftLayerNormalization],
  [['Activation'], liftActivation],
  [['ReLU'], liftReLU],
  [['LeakyReLU'], liftLeakyReLU],
  [['PReLU'], liftPReLU],
  [['ELU'], liftELU],
  [['ThresholdedReLU'], liftThresholdedReLU],
  [['Softmax'], liftSoftmax],
  [['Add'], liftAdd],
  [['Subtract'], liftSubtract],
  [['Multiply'], liftMultiply],
  [['Average'], liftAverage],
  [['Maximum'], liftMaximum],
  [['Minimum'], liftMinimum],
  [['Concatenate'], liftConcatenate],
  [['MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D', 'MaxPool1D', 'MaxPool2D', 'MaxPool3D'], liftMaxPooling],
  [['AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'AvgPool1D', 'AvgPool2D', 'AvgPool3D'], liftAveragePooling],
  [['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalAveragePooling3D', 'GlobalAvgPool1D', 'GlobalAvgPool2D'], liftGlobalAveragePooling],
  [['GlobalMaxPooling1D', 'GlobalMaxPooling2D', 'GlobalMaxPooling3D', 'GlobalMaxPool1D', 'GlobalMaxPool2D'], liftGlobalMaxPooling],
  [['ZeroPadding1D', 'ZeroPadding2D', 'ZeroPadding3D'], liftZeroPadding],
  [['Cropping1D', 'Cropping2D', 'Cropping3D'], liftCropping],
  [['UpSampling2D'], liftUpSampling2D],
  [['Reshape'], liftReshape],
  [['Flatten'], liftFlatten],
  [['Permute'], liftPermute],
  [['RepeatVector'], liftRepeatVector],
  [['Rescaling'], liftRescaling],
  [['Dropout', 'SpatialDropout1D', 'SpatialDropout2D', 'SpatialDropout3D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'ActivityRegularization', 'InputLayer'], liftIdentity],
  [['Lambda'], liftLambda],
];

/** One lifter per Keras class name (e.g. `Conv2D`). */
export const KERAS_LIFTERS: ReadonlyMap<string, TfjsLifter> = new Map<string, TfjsLifter>(families.flatMap(([names, lift]) => names.map((n): [string, TfjsLifter] => [n, lift])));
