'use client';
/**
 * What the browser side needs to run under the Content-Security-Policy
 * (server/http/security.ts), done when this module loads, before any dialog
 * opens or any payload is parsed:
 * - webpack's runtime gets the page's nonce (`__webpack_nonce__` is
 *   `__webpack_require__.nc` in the bundle). Radix's scroll lock reads it
 *   (react-style-singleton via get-nonce) for the <style> it injects. The
 *   nonce comes from one of Next's nonced scripts: the attribute is hidden
 *   from the DOM once parsed, but the element's `nonce` property keeps it.
 * - zod runs without its JIT: set in lib/zod.ts, which every schema module
 *   imports z from, so that it comes before the first schema is defined.
 */

declare let __webpack_nonce__: string | undefined;

if (typeof document !== 'undefined') {
  const nonce = document.querySelector<HTMLScriptElement>('script[nonce]')?.nonce;
  if (nonce) __webpack_nonce__ = nonce;
}

/** Renders nothing: importing it in the root layout is what matters. */
export function CspClientSetup() {
  return null;
}
