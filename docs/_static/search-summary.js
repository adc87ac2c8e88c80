/* Search results summarise the page's article, not the whole page.
 *
 * Sphinx's search shows, under each hit, text taken from the page's
 * [role="main"] element; in this theme that element also holds the article
 * header's buttons, so summaries began with their labels ("System Settings
 * Light Dark ..."). Loaded on search.html only, after searchtools.js. */
(() => {
  const original = Search.htmlToText;
  Search.htmlToText = (htmlString, anchor) => {
    const doc = new DOMParser().parseFromString(htmlString, "text/html");
    const article = doc.querySelector("article.bd-article");
    if (!article) return original(htmlString, anchor);
    article.querySelectorAll(".headerlink, script, style, .copybtn")
      .forEach((element) => element.remove());
    const part = anchor ? article.querySelector(anchor) : null;
    return (part || article).textContent;
  };
})();
