import { createHash } from 'node:crypto';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import type { CheckResult, WrittenFile } from '../evidence';
import { manifestNameOf, MASK_RGB, parseMaskManifest, screenOf, SENSITIVE_SCREENS } from '../screenshot-masks';
import { formsOf, type RecordedSecret } from './redaction';
import { checkAll } from './result';

/**
 * The scan of the pictures the proof writes. The byte search in redaction.ts cannot see a secret
 * drawn as pixels, so every PNG — each file, and each one embedded in a text file as a data: URI —
 * is decoded and read with a QR reader, and the screenshots of the screens that show secrets are
 * checked for their masks, pixel by pixel, where the screenshot helper says it put them.
 */

/** A PNG the scan looked at: a file, or the n-th data: URI inside a text file. */
export interface ScannedImage {
  source: string;
  bytes: Uint8Array;
}

const PNG_FILE = /\.png$/i;
const DATA_URI = /data:image\/png;base64,([A-Za-z0-9+/]+=*)/g;
/** More QR codes than this in one picture is not a screenshot of this UI; the search stops there. */
const MAX_QR_PER_IMAGE = 8;

/** Every PNG in the written files: the .png files, and the data: URIs inside the others (report.html). */
export function pngImagesOf(files: readonly WrittenFile[]): ScannedImage[] {
  const images: ScannedImage[] = [];
  for (const file of files) {
    if (PNG_FILE.test(file.path)) {
      images.push({ source: file.path, bytes: file.bytes });
      continue;
    }
    const text = Buffer.from(file.bytes).toString('latin1');
    if (!text.includes('data:image/png;base64,')) continue;
    let n = 0;
    for (const match of text.matchAll(DATA_URI)) {
      n += 1;
      images.push({ source: `${file.path} (embedded image ${n})`, bytes: Buffer.from(match[1]!, 'base64') });
    }
  }
  return images;
}

export type QrReading = { texts: string[] } | { error: string };

function decodePng(bytes: Uint8Array): PNG {
  return PNG.sync.read(Buffer.from(bytes));
}

/**
 * Every QR code in the picture: read one, paint its area white, read again, until none is left.
 * jsQR reports one code per call; painting it out is what lets a second code be found.
 */
function readQrCodes(png: PNG): string[] {
  const data = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const texts: string[] = [];
  for (let i = 0; i < MAX_QR_PER_IMAGE; i += 1) {
    const code = jsQR(data, png.width, png.height);
    if (!code) break;
    texts.push(code.data);
    const corners = [code.location.topLeftCorner, code.location.topRightCorner, code.location.bottomLeftCorner, code.location.bottomRightCorner];
    // The quiet zone around a code is about 4 modules; a generous margin keeps a finder pattern from surviving.
    const margin = 16;
    const x0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.x))) - margin);
    const x1 = Math.min(png.width - 1, Math.ceil(Math.max(...corners.map((c) => c.x))) + margin);
    const y0 = Math.max(0, Math.floor(Math.min(...corners.map((c) => c.y))) - margin);
    const y1 = Math.min(png.height - 1, Math.ceil(Math.max(...corners.map((c) => c.y))) + margin);
    for (let y = y0; y <= y1; y += 1) data.fill(255, (y * png.width + x0) * 4, (y * png.width + x1 + 1) * 4);
  }
  return texts;
}

/** Decoding a full-page screenshot takes a few hundred ms; the proof scans the same bytes up to three times. */
const readings = new Map<string, QrReading>();

export function readQrCodesInPng(bytes: Uint8Array): QrReading {
  const key = createHash('sha256').update(bytes).digest('hex');
  const cached = readings.get(key);
  if (cached) return cached;
  let reading: QrReading;
  try {
    reading = { texts: readQrCodes(decodePng(bytes)) };
  } catch (error) {
    reading = { error: error instanceof Error ? error.message : String(error) };
  }
  readings.set(key, reading);
  return reading;
}

/** What a QR text gives away: an otpauth URL (it carries the TOTP secret), or any recorded secret. */
function secretsInQrText(text: string, secrets: readonly RecordedSecret[]): string[] {
  const found: string[] = [];
  if (/otpauth:/i.test(text)) found.push('an otpauth:// URL (it carries the TOTP secret)');
  const lower = text.toLowerCase();
  for (const secret of secrets) {
    const ci = secret.kind === 'totp_secret' || secret.kind === 'backup_code';
    if (formsOf(secret).some((form) => (ci ? lower.includes(form.toLowerCase()) : text.includes(form)))) found.push(secret.label);
  }
  return found;
}

/**
 * No picture the proof wrote holds a QR code with an otpauth URL or a recorded secret. A PNG that
 * cannot be decoded fails too: what cannot be read cannot be shown clean.
 */
export function checkNoSecretInImages(files: readonly WrittenFile[], secrets: readonly RecordedSecret[]): CheckResult {
  const images = pngImagesOf(files);
  const failures: string[] = [];
  let codes = 0;
  for (const image of images) {
    const reading = readQrCodesInPng(image.bytes);
    if ('error' in reading) {
      failures.push(`${image.source} could not be decoded as a PNG (${reading.error}), so it cannot be shown to be clean`);
      continue;
    }
    codes += reading.texts.length;
    for (const text of reading.texts) {
      for (const what of secretsInQrText(text, secrets)) failures.push(`${image.source} holds a QR code that gives away ${what}`);
    }
  }
  const embedded = images.filter((i) => !PNG_FILE.test(i.source)).length;
  return checkAll(
    'no picture the proof wrote holds a QR code with an otpauth:// URL or a recorded secret (every PNG file and every embedded data: PNG decoded and read with a QR reader)',
    failures,
    `${images.length} PNG images decoded (${images.length - embedded} files, ${embedded} embedded as data: URIs): ${codes === 0 ? 'no QR code in any' : `${codes} QR code(s), none with a secret`}`,
  );
}

const SCREENSHOT = /^screenshots\/[^/]+\.(desktop|mobile)\.png$/i;

/** Inset by one pixel on each side, so anti-aliased edges of a box at a fractional position do not count. */
function boxPixels(box: { x: number; y: number; width: number; height: number }, scale: number) {
  return {
    x0: Math.ceil(box.x * scale) + 1,
    y0: Math.ceil(box.y * scale) + 1,
    x1: Math.floor((box.x + box.width) * scale) - 1,
    y1: Math.floor((box.y + box.height) * scale) - 1,
  };
}

/** How many pixels of the box are not the mask colour (0 for a solid mask). */
function unmaskedPixels(png: PNG, area: ReturnType<typeof boxPixels>): number {
  let off = 0;
  for (let y = area.y0; y < area.y1; y += 1) {
    for (let x = area.x0; x < area.x1; x += 1) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] !== MASK_RGB[0] || png.data[i + 1] !== MASK_RGB[1] || png.data[i + 2] !== MASK_RGB[2] || png.data[i + 3] !== 255) off += 1;
    }
  }
  return off;
}

/**
 * Every screenshot went through the masking helper (it has its masks manifest), the screens that
 * show secrets list a mask for each secret they show, and every listed mask is a solid block of
 * the mask colour in the PNG itself — not only in the helper's intentions.
 */
export function checkScreenshotsMasked(files: readonly WrittenFile[]): CheckResult {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const shots = files.filter((f) => SCREENSHOT.test(f.path));
  const failures: string[] = [];
  let masks = 0;
  for (const shot of shots) {
    const manifestFile = byPath.get(manifestNameOf(shot.path));
    if (!manifestFile) {
      failures.push(`${shot.path} has no masks manifest: it was not taken by the masking screenshot helper`);
      continue;
    }
    const manifest = parseMaskManifest(Buffer.from(manifestFile.bytes).toString('utf8'));
    if (typeof manifest === 'string') {
      failures.push(`${manifestFile.path}: ${manifest}`);
      continue;
    }
    if (manifest.screenshot !== shot.path.split('/').pop()) failures.push(`${manifestFile.path} describes ${manifest.screenshot}, not ${shot.path}`);
    const sized = (shot.path.split('/').pop() ?? '').replace(/\.png$/, '');
    const required = SENSITIVE_SCREENS[sized] ?? SENSITIVE_SCREENS[screenOf(shot.path)] ?? [];
    for (const kind of required) {
      if (!manifest.boxes.some((b) => b.kind === kind)) failures.push(`${shot.path} shows a secret (${kind}) but no mask for it is recorded`);
    }
    if (manifest.boxes.length === 0) continue;
    let png: PNG;
    try {
      png = decodePng(shot.bytes);
    } catch (error) {
      failures.push(`${shot.path} could not be decoded to check its masks (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    for (const box of manifest.boxes) {
      const area = boxPixels(box, manifest.devicePixelRatio);
      const label = `${shot.path}: the ${box.kind} mask at ${Math.round(box.x)},${Math.round(box.y)} (${Math.round(box.width)}×${Math.round(box.height)})`;
      if (area.x1 - area.x0 < 4 || area.y1 - area.y0 < 4) failures.push(`${label} is too small to be a mask`);
      else if (area.x0 < 0 || area.y0 < 0 || area.x1 > png.width || area.y1 > png.height) failures.push(`${label} lies outside the ${png.width}×${png.height} picture`);
      else {
        const off = unmaskedPixels(png, area);
        if (off > 0) failures.push(`${label} is not solid: ${off} of ${(area.x1 - area.x0) * (area.y1 - area.y0)} pixels are not the mask colour`);
        else masks += 1;
      }
    }
  }
  const sensitive = shots.filter((s) => screenOf(s.path) in SENSITIVE_SCREENS).length;
  return checkAll(
    'every screenshot was taken by the masking helper, and on the screens that show secrets (QR code, manual key, backup codes) each one is covered by a solid block in the PNG',
    failures,
    shots.length === 0
      ? 'no screenshots in this folder'
      : `${shots.length} screenshots with masks manifests; ${sensitive} of them show secrets; ${masks} masked boxes, each solid ${`rgb(${MASK_RGB.join(',')})`} pixel for pixel`,
  );
}
