// @ts-check
// Light or dark: the view's root gets "tvz-dark" when the background it paints (the theme's, through
// --jp-layout-color0 or our fallback) is dark, so palette.css can pick colours that stand out from it.
// Reading the painted colour works in every host (JupyterLab, Notebook 7, VS Code, a saved page).

/**
 * Relative luminance (WCAG) of a computed "rgb(...)"/"rgba(...)" colour; null when transparent or unreadable.
 * @param {string} css
 */
export function luminanceOf(css) {
  const m = css.match(/[\d.]+/g);
  if (!m || m.length < 3 || (m.length > 3 && Number(m[3]) === 0)) return null;
  const lin = (/** @type {string} */ v) => {
    const c = Number(v) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(m[0]) + 0.7152 * lin(m[1]) + 0.0722 * lin(m[2]);
}

/**
 * Marks the root dark or light now, when it is first drawn, and whenever the page switches theme
 * (JupyterLab changes attributes of <body> when it does).
 * @param {HTMLElement} root
 * @param {import("./dom.js").Disposer} d
 */
export function followTheme(root, d) {
  const apply = () => {
    const y = luminanceOf(getComputedStyle(root).backgroundColor);
    if (y != null) root.classList.toggle("tvz-dark", y < 0.2);
  };
  apply();
  const frame = requestAnimationFrame(apply); // the root may not have been in the page yet
  d.add(() => cancelAnimationFrame(frame));
  const watch = new MutationObserver(() => requestAnimationFrame(apply));
  const body = root.ownerDocument.body;
  if (body) watch.observe(body, { attributes: true });
  watch.observe(root.ownerDocument.documentElement, { attributes: true });
  d.add(() => watch.disconnect());
}
