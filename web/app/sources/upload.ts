// An uploaded (or, on phones, freshly photographed) image as a frame source.
import type { Frame } from '../preprocess/frame.ts';

/** Decodes an image file into a frame (an ImageBitmap, EXIF orientation applied). */
export async function frameFromFile(file: Blob): Promise<Frame> {
  const bitmap = await createImageBitmap(file, { imageOrientation: 'from-image' });
  return { source: bitmap, width: bitmap.width, height: bitmap.height };
}
