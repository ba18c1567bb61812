// Colloquy embed loader. A site owner adds one tag:
//   <script src="https://HOST/embed.js" data-colloquy-thread="/my-post/" async></script>
// and optionally data-colloquy-target="#comments" (a CSS selector),
// data-colloquy-title="…" (else og:title, else document.title), data-colloquy-theme
// (light|dark|auto), data-colloquy-lang (en|sl|de; else <html lang>) and
// data-colloquy-max-depth. Attributes left out take the widget's defaults (one definition,
// in colloquy-core). It dispatches `colloquy:ready` on the target. This script finds its
// own tag, creates a shadow root (so the host page's CSS cannot break the widget), then
// loads the Leptos wasm module from the same place it came from. It sets no cookies and
// contacts no other host.
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var base = new URL(".", script.src).href;
  var data = script.dataset;

  // Thread key: explicit, else the canonical URL's path (no query, no fragment).
  function canonicalPath() {
    var link = document.querySelector('link[rel="canonical"]');
    try {
      return new URL(link ? link.href : location.href).pathname;
    } catch (e) {
      return location.pathname;
    }
  }

  // Article title for the heading: explicit, else Open Graph's (no site-name suffix),
  // else the document title.
  function pageTitle() {
    var og = document.querySelector('meta[property="og:title"]');
    return data.colloquyTitle || (og && og.content) || document.title;
  }

  var thread = data.colloquyThread || canonicalPath();
  var target = data.colloquyTarget ? document.querySelector(data.colloquyTarget) : null;
  if (!target) target = document.getElementById("colloquy-thread");
  if (!target) {
    // No target on the page: one widget per thread goes right after the first tag, so
    // pasting the tag twice is harmless here too.
    var made = document.querySelectorAll("[data-colloquy-auto]");
    for (var i = 0; i < made.length; i++) {
      if (made[i].getAttribute("data-colloquy-auto") === thread) return;
    }
    target = document.createElement("div");
    target.setAttribute("data-colloquy-auto", thread);
    script.parentNode.insertBefore(target, script.nextSibling);
  }
  // Mounting twice (the tag pasted twice, or a re-run) is harmless.
  if (target.hasAttribute("data-colloquy-mounted")) return;
  target.setAttribute("data-colloquy-mounted", "");

  var dir = base + "widget/" + COLLOQUY_BUILD + "/";
  var root = target.shadowRoot || target.attachShadow({ mode: "open" });
  // The styles are a file of their own (cached with the widget, not inside the wasm).
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = dir + "style.css";
  root.appendChild(style);
  var mountPoint = document.createElement("div");
  root.appendChild(mountPoint);

  var options = {
    api_base: base,
    thread: thread,
    title: pageTitle(),
    page_url: location.href.split("#")[0]
  };
  if (data.colloquyTheme) options.theme = data.colloquyTheme;
  var depth = parseInt(data.colloquyMaxDepth, 10);
  if (depth > 0) options.max_depth = depth;

  // The reader's language: explicit, else the page's <html lang> ("sl-SI" → "sl"), else
  // the first the widget has. Only that one table is fetched.
  var wanted = (data.colloquyLang || document.documentElement.lang || "").split(/[-_]/)[0].toLowerCase();
  var lang = COLLOQUY_LANGS.indexOf(wanted) >= 0 ? wanted : COLLOQUY_LANGS[0];
  var strings = fetch(dir + lang + ".json").then(function (r) {
    if (!r.ok) throw new Error("strings: " + r.status);
    return r.json();
  });

  Promise.all([import(dir + "colloquy_widget.js"), strings])
    .then(function (loaded) {
      var m = loaded[0];
      return m.default({ module_or_path: dir + "colloquy_widget_bg.wasm" }).then(function () {
        m.mount(mountPoint, JSON.stringify(options), loaded[1]);
        target.dispatchEvent(
          new CustomEvent("colloquy:ready", { bubbles: true, detail: { thread: thread } })
        );
      });
    })
    .catch(function (err) {
      mountPoint.textContent = "Comments could not be loaded.";
      console.error("colloquy:", err);
    });
})();
