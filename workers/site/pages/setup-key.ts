/**
 * Reading the setup step (§3.2 step 5): the key text exactly as shown, and the QR image as PNG
 * bytes. Neither is normalised, validated or decoded here: the caller owns that.
 */
import type { Page } from 'puppeteer-core';
import { PROBES } from '../site-map';
import { evaluateIn } from '../in-page';

/** What the setup step shows. Secret material: never log it or put it in a message. */
export interface SetupKey {
  /** Trimmed text of `.authenticator-key`, or null when no key text is shown (QR only). */
  readonly keyText: string | null;
  /** The QR image as PNG bytes, or null when there is none (key only) or it cannot be read. */
  readonly qrPng: Buffer | null;
}

/** The visible key text, trimmed; null when absent or empty. */
export async function readKeyText(page: Page): Promise<string | null> {
  const text = await evaluateIn(
    page,
    (sel: string) => {
      const el = Array.from(document.querySelectorAll(sel)).find(
        (e) =>
          e.getBoundingClientRect().width > 0 && e.checkVisibility({ visibilityProperty: true }),
      );
      return el ? (el.textContent ?? '').replace(/\s+/g, ' ').trim() : null;
    },
    PROBES.setupKey,
  );
  return text ? text : null;
}

/**
 * The QR `<img>` as PNG bytes, fetched from within the page (data: or same-origin URL, so the
 * session's cookies apply). A non-PNG image (SVG, JPEG) is redrawn on a canvas as PNG.
 */
export async function readQrPng(page: Page): Promise<Buffer | null> {
  const b64 = await evaluateIn(
    page,
    async (sel: string) => {
      const img = Array.from(document.querySelectorAll(sel)).find(
        (e): e is HTMLImageElement =>
          e instanceof HTMLImageElement && e.getBoundingClientRect().width > 0 && Boolean(e.src),
      );
      if (!img) return null;
      const toB64 = (bytes: Uint8Array): string => {
        let s = '';
        for (let i = 0; i < bytes.length; i += 0x8000) {
          s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        }
        return btoa(s);
      };
      try {
        const res = await fetch(img.src, { credentials: 'same-origin', cache: 'force-cache' });
        const bytes = new Uint8Array(await res.arrayBuffer());
        const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every(
          (b, i) => bytes[i] === b,
        );
        if (res.ok && png) return toB64(bytes);
      } catch {
        // fall through to the canvas
      }
      try {
        await img.decode();
        const canvas = document.createElement('canvas');
        const box = img.getBoundingClientRect();
        canvas.width = img.naturalWidth || Math.round(box.width);
        canvas.height = img.naturalHeight || Math.round(box.height);
        const ctx = canvas.getContext('2d');
        if (!ctx || canvas.width === 0) return null;
        ctx.fillStyle = '#fff';
        ctx.fillRect(0, 0, canvas.width, canvas.height);
        ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
        return canvas.toDataURL('image/png').split(',')[1] ?? null;
      } catch {
        return null;
      }
    },
    PROBES.qrImage,
  );
  return b64 ? Buffer.from(b64, 'base64') : null;
}
