// Colloquy comment counts for index pages. Add
//   <script src="https://HOST/count.js" async></script>
// and every element with data-colloquy-count="<thread key>" is filled in ("3 comments",
// in the page's <html lang>: en, sl or de), with one request for up to 50 threads.
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(".", script.src).href;
  // A deployment serving several sites: data-colloquy-site on this tag names the site.
  if (script.dataset.colloquySite) {
    base += "s/" + encodeURIComponent(script.dataset.colloquySite) + "/";
  }
  var WORDS = {
    en: { one: "comment", other: "comments" },
    sl: { one: "komentar", two: "komentarja", few: "komentarji", other: "komentarjev" },
    de: { one: "Kommentar", other: "Kommentare" }
  };

  function fill() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-colloquy-count]"));
    var keys = [];
    els.forEach(function (el) {
      var key = el.getAttribute("data-colloquy-count");
      if (key && keys.indexOf(key) < 0) keys.push(key);
    });
    var lang = (document.documentElement.lang || "en").slice(0, 2).toLowerCase();
    var words = WORDS[lang] ? lang : "en";
    var rules = new Intl.PluralRules(words);
    for (var i = 0; i < keys.length; i += 50) {
      var query = keys.slice(i, i + 50).map(function (k) { return "thread=" + encodeURIComponent(k); }).join("&");
      fetch(base + COLLOQUY_COUNTS_PATH + "?" + query)
        .then(function (r) { return r.json(); })
        .then(function (data) {
          els.forEach(function (el) {
            var n = data.counts && data.counts[el.getAttribute("data-colloquy-count")];
            if (typeof n !== "number") return;
            var table = WORDS[words];
            el.textContent = n + " " + (table[rules.select(n)] || table.other);
            el.setAttribute("data-colloquy-count-value", String(n));
          });
        })
        .catch(function () { /* leave the page's own fallback text */ });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
})();
