// Colloquy comment counts for index pages. Add
//   <script src="https://HOST/count.js" async></script>
// and every element with data-colloquy-count="<thread key>" is filled in ("3 comments",
// in data-colloquy-lang on this tag, else the page's <html lang>, as the widget would say
// it), with one request for up to 50
// threads and one for the language's words (the widget's own file, cached for good).
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(".", script.src).href;
  var words = base + "widget/" + COLLOQUY_BUILD + "/";
  // A deployment serving several sites: data-colloquy-site on this tag names the site.
  if (script.dataset.colloquySite) {
    base += "s/" + encodeURIComponent(script.dataset.colloquySite) + "/";
  }
  // The nearest language the widget has to the page's: the rule of embed.js and
  // i18n/src/negotiate.rs, over the same table.
  function negotiate(tag) {
    var wanted = (tag || "").trim().replace(/_/g, "-").toLowerCase();
    while (wanted) {
      // Own keys only: "constructor" is not a language.
      if (Object.prototype.hasOwnProperty.call(COLLOQUY_LANGS, wanted)) return COLLOQUY_LANGS[wanted];
      wanted = wanted.slice(0, Math.max(wanted.lastIndexOf("-"), 0));
    }
    return "en";
  }
  var CATEGORIES = ["zero", "one", "two", "few", "many", "other"];

  function fill() {
    var els = Array.prototype.slice.call(document.querySelectorAll("[data-colloquy-count]"));
    var keys = [];
    els.forEach(function (el) {
      var key = el.getAttribute("data-colloquy-count");
      if (key && keys.indexOf(key) < 0) keys.push(key);
    });
    if (!keys.length) return;
    var lang = negotiate(script.dataset.colloquyLang || document.documentElement.lang);
    var rules = new Intl.PluralRules(lang);
    // Without the words (their file failed), the bare count still beats nothing.
    var list = fetch(words + lang + ".json")
      .then(function (r) { return r.json(); })
      .catch(function () { return null; });
    // "1,000 comments": the form CLDR gives the count, with the language's separator.
    function say(list, n) {
      if (!list) return String(n);
      var form = list[COLLOQUY_COUNT_FORMS[CATEGORIES.indexOf(rules.select(n))]];
      var digits = String(n).replace(/\B(?=(\d{3})+$)/g, list[COLLOQUY_THOUSANDS]);
      return form.replace("{n}", digits);
    }
    for (var i = 0; i < keys.length; i += 50) {
      var query = keys.slice(i, i + 50).map(function (k) { return "thread=" + encodeURIComponent(k); }).join("&");
      Promise.all([fetch(base + COLLOQUY_COUNTS_PATH + "?" + query).then(function (r) { return r.json(); }), list])
        .then(function (got) {
          var data = got[0];
          els.forEach(function (el) {
            var n = data.counts && data.counts[el.getAttribute("data-colloquy-count")];
            if (typeof n !== "number") return;
            el.textContent = say(got[1], n);
            el.setAttribute("data-colloquy-count-value", String(n));
          });
        })
        .catch(function () { /* leave the page's own fallback text */ });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fill);
  else fill();
})();
