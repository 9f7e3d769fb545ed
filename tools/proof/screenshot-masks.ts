/**
 * The contract between the browser tests' screenshot helper (test/browser/support/browser.ts)
 * and the proof's scan (checks/images.ts): which elements are masked, how, and the manifest the
 * helper writes beside every screenshot so the scan can verify the masks on the PNG itself.
 */

/**
 * The web UI marks every element that shows a secret with this attribute; its value names what
 * it shows. Kept in step with src/web (the web build cannot import from tools/).
 */
export const SENSITIVE_ATTRIBUTE = 'data-sensitive';

/** The kinds the UI uses: the QR image, the manual key, the list of backup codes. */
export type SensitiveKind = 'totp-qr' | 'totp-key' | 'backup-codes';

/**
 * Screens that must show masked secrets, and which kinds each must have masked. A screenshot of
 * one of these without those masks fails the scan, so removing the attribute cannot pass silently.
 */
export const SENSITIVE_SCREENS: Readonly<Record<string, readonly SensitiveKind[]>> = {
  'setup-qr': ['totp-qr', 'totp-key'],
  // A phone cannot scan its own screen: there the QR is hidden (not rendered) and the key leads.
  'setup-qr.mobile': ['totp-key'],
  'backup-codes-once': ['backup-codes'],
};

/** The mask is opaque black: every pixel of a masked box must be exactly this colour. */
export const MASK_RGB = [0, 0, 0] as const;

/**
 * Applied (as a constructed stylesheet, which the page's CSP allows) only while a screenshot is
 * taken. `filter: brightness(0)` over an opaque black background turns the element and all its
 * descendants into one solid black block — text, image pixels, borders — without changing the
 * layout. Rounded corners, shadows and outlines are removed so the block is a plain rectangle.
 */
export const MASK_CSS = `[${SENSITIVE_ATTRIBUTE}] {
  background: rgb(${MASK_RGB.join(' ')}) !important;
  border-color: rgb(${MASK_RGB.join(' ')}) !important;
  filter: brightness(0) !important;
  border-radius: 0 !important;
  box-shadow: none !important;
  outline: none !important;
  opacity: 1 !important;
}`;

/** One masked element, in CSS pixels from the top-left of the full-page screenshot. */
export interface MaskBox {
  kind: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Written as `<name>.<size>.masks.json` beside `<name>.<size>.png`, for every screenshot (an empty list when nothing was masked). */
export interface MaskManifest {
  screenshot: string;
  devicePixelRatio: number;
  boxes: MaskBox[];
}

export function manifestNameOf(pngName: string): string {
  return pngName.replace(/\.png$/i, '.masks.json');
}

/** `setup-qr.desktop.png` → `setup-qr`. */
export function screenOf(pngName: string): string {
  return (pngName.split('/').pop() ?? pngName).replace(/\.(desktop|mobile)\.png$/i, '');
}

function isBox(value: unknown): value is MaskBox {
  if (value === null || typeof value !== 'object') return false;
  const b = value as Record<string, unknown>;
  return typeof b.kind === 'string' && ['x', 'y', 'width', 'height'].every((k) => typeof b[k] === 'number' && Number.isFinite(b[k]));
}

/** Parses a manifest, or says why it is not one (a malformed manifest proves nothing). */
export function parseMaskManifest(text: string): MaskManifest | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not JSON (${error instanceof Error ? error.message : String(error)})`;
  }
  if (value === null || typeof value !== 'object') return 'not an object';
  const m = value as Record<string, unknown>;
  if (typeof m.screenshot !== 'string') return 'no screenshot name';
  if (typeof m.devicePixelRatio !== 'number' || !(m.devicePixelRatio > 0)) return 'no devicePixelRatio';
  if (!Array.isArray(m.boxes) || !m.boxes.every(isBox)) return 'boxes malformed';
  return { screenshot: m.screenshot, devicePixelRatio: m.devicePixelRatio, boxes: m.boxes };
}
