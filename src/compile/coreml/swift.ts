// The Swift written beside a compiled .mlpackage: load the model, feed it a camera frame through Vision (image input) or a multi-array.
import type { CoreMlModel } from '../../formats/coreml/program.ts';

/** A Swift type name from the package's file name ("Model.mlpackage" → "Model", as Xcode generates it). */
export function swiftClassName(packageName: string): string {
  const base = packageName.replace(/\.mlpackage$/i, '').replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(base) ? base : `_${base}`;
}

/**
 * A Swift file that loads the package and runs one prediction: with an image input, on a camera frame (CVPixelBuffer)
 * through Vision — VNCoreMLRequest scales and crops the frame to the model's size; a classifier's top label is printed —
 * otherwise through the MLMultiArray interface with the model's input shape.
 */
export function swiftSnippet(model: CoreMlModel, packageName: string): string {
  const cls = swiftClassName(packageName);
  const input = model.description.inputs[0];
  const classifier = model.description.predictedFeatureName !== undefined;
  const outputs = model.description.outputs.map((o) => o.name);
  const header = [
    `// ${cls}.swift — written by ondevice beside ${packageName}. Add both to an Xcode target (iOS ${minIosOf(model)}+);`,
    `// Xcode compiles the .mlpackage and generates the \`${cls}\` class used below.`,
    '// Not run on Apple hardware by ondevice: it was checked on the machine that compiled it, not on a device.',
    'import CoreML',
    'import Vision',
    '',
  ];
  if (input?.type.kind === 'image') {
    const result = classifier
      ? ['        guard let top = (request.results as? [VNClassificationObservation])?.first else { return }', '        print("\\(top.identifier) \\(top.confidence)")']
      : ['        guard let features = request.results as? [VNCoreMLFeatureValueObservation] else { return }', `        for f in features { print(f.featureName, f.featureValue.multiArrayValue?.shape ?? []) } // ${outputs.join(', ')}`];
    return [...header,
      `/// Runs ${cls} on camera frames (e.g. from AVCaptureVideoDataOutput) with Vision.`,
      `final class ${cls}Runner {`,
      '    private let request: VNCoreMLRequest',
      '    init() throws {',
      '        let config = MLModelConfiguration()',
      '        config.computeUnits = .all // CPU, GPU and Neural Engine',
      `        let model = try VNCoreMLModel(for: ${cls}(configuration: config).model)`,
      '        request = VNCoreMLRequest(model: model) { request, _ in',
      ...result.map((l) => `    ${l}`),
      '        }',
      '        request.imageCropAndScaleOption = .scaleFill',
      '    }',
      '    /// Call with each frame; `orientation` as the camera delivers it (.right for a portrait back camera).',
      '    func predict(frame: CVPixelBuffer, orientation: CGImagePropertyOrientation = .right) throws {',
      '        try VNImageRequestHandler(cvPixelBuffer: frame, orientation: orientation).perform([request])',
      '    }',
      '}',
      ''].join('\n');
  }
  const shape = input?.type.kind === 'multiArray' ? input.type.shape : [];
  return [...header,
    `/// Runs ${cls} once on a zero-filled input of its declared shape.`,
    `func run${cls}() throws {`,
    '    let config = MLModelConfiguration()',
    '    config.computeUnits = .all',
    `    let model = try ${cls}(configuration: config)`,
    `    let input = try MLMultiArray(shape: [${shape.join(', ')}], dataType: .float32)`,
    `    let output = try model.prediction(${input ? input.name : 'input'}: input)`,
    ...outputs.map((o) => `    print(output.featureValue(for: "${o}") ?? "missing ${o}")`),
    '}',
    ''].join('\n');
}

function minIosOf(model: CoreMlModel): number {
  return { 6: 15, 7: 16, 8: 17, 9: 18 }[model.specificationVersion] ?? 15;
}
