// Raw browser errors → one friendly sentence saying what happened and what to do (DOM-free; the page logs the raw error).

/** What the page was doing when something failed. */
export type Activity = 'camera' | 'microphone' | 'load' | 'photo' | 'classify';

const USE_OTHERS = 'or use Photo or Draw';

/** getUserMedia's DOMException names (and the older Chrome ones), grouped by what the user can do about them. */
const CAMERA: Record<string, string> = {
  NotAllowedError: `Camera access was denied — allow the camera for this site in the browser's settings, ${USE_OTHERS}.`,
  PermissionDeniedError: `Camera access was denied — allow the camera for this site in the browser's settings, ${USE_OTHERS}.`,
  SecurityError: `Camera access was denied — allow the camera for this site in the browser's settings, ${USE_OTHERS}.`,
  NotFoundError: `No camera was found — connect a camera and try again, ${USE_OTHERS}.`,
  DevicesNotFoundError: `No camera was found — connect a camera and try again, ${USE_OTHERS}.`,
  OverconstrainedError: `No camera was found — connect a camera and try again, ${USE_OTHERS}.`,
  NotReadableError: `The camera is busy or could not start — close other apps using it and try again, ${USE_OTHERS}.`,
  TrackStartError: `The camera is busy or could not start — close other apps using it and try again, ${USE_OTHERS}.`,
  AbortError: `The camera is busy or could not start — close other apps using it and try again, ${USE_OTHERS}.`,
  NotSupportedError: `This page cannot use the camera — open it over https (or from localhost), ${USE_OTHERS}.`,
};
const CAMERA_OTHER = `No camera was found or access was denied — allow camera access, ${USE_OTHERS}.`;

/** Shown when a photo decodes but holds no digit (not an error, but the user should know what to try). */
export const NO_DIGIT = 'No digit was found in the photo — take a closer photo of one dark digit on light paper.';

/** The error's name, or '' when it has none. */
function nameOf(error: unknown): string {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as Error).name : '';
}

/** One sentence for the user about `error`, which happened while doing `activity`. */
export function friendlyError(activity: Activity, error: unknown): string {
  const name = nameOf(error);
  switch (activity) {
    case 'camera':
      return CAMERA[name] ?? CAMERA_OTHER;
    case 'load':
      return name === 'NoBackendError'
        ? 'This browser could not run the model — reload the page, or try a recent Chrome, Edge or Safari.'
        : 'The model could not be downloaded — check your connection and reload the page.';
    case 'microphone':
      return (CAMERA[name] ?? CAMERA_OTHER).replace(/camera/g, 'microphone').replace(/, or use Photo or Draw/g, '');
    case 'photo':
      return 'That file could not be opened as an image — choose a JPEG, PNG or WebP photo.';
    case 'classify':
      return 'The model failed on this input — try again, or reload the page.';
  }
}

/** The raw detail for the console: 'Name: message', or the value as text. */
export function rawDetail(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'message' in error) return `${nameOf(error) || 'Error'}: ${String((error as Error).message)}`;
  return String(error);
}
