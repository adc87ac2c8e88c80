/* Keyboard access to display equations wider than the column.
 *
 * The theme lets a display equation that does not fit scroll sideways inside
 * its own box. A scrolling box must be reachable by keyboard (WCAG 2.1.1), so
 * each one that actually overflows gets a tab stop and a name; every other
 * formula stays out of the tab order. Re-checked whenever MathJax typesets
 * (it typesets lazily, as formulas scroll into view) and on resize.
 * Loaded (deferred, after MathJax) on pages with math only. */
(() => {
  if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return;
  const mark = () => {
    let count = 0;
    for (const box of document.querySelectorAll("div.math > mjx-container")) {
      const scrolls = box.scrollWidth > box.clientWidth + 1;
      if (scrolls) {
        count += 1;
        box.tabIndex = 0;
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", `Wide equation ${count} (scrolls sideways)`);
      } else if (box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    }
  };
  MathJax.startup.promise.then(() => {
    mark();
    const typeset = new MutationObserver((records) => {
      if (records.some((r) => r.target.closest && r.target.closest("div.math"))) mark();
    });
    for (const math of document.querySelectorAll("div.math")) {
      typeset.observe(math, { childList: true, subtree: true });
    }
  });
  let timer = null;
  window.addEventListener("resize", () => {
    clearTimeout(timer);
    timer = setTimeout(mark, 200);
  });
})();
