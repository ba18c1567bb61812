// Colloquy embed loader. A site owner adds one tag:
//   <script src="https://HOST/embed.js" data-colloquy-thread="/my-post/" async></script>
// and optionally data-colloquy-target="#comments" (a CSS selector),
// data-colloquy-title="…" (else og:title, else document.title), data-colloquy-theme
// (light|dark|auto), data-colloquy-lang (en|sl|de; else <html lang>) and
// data-colloquy-max-depth (default 5). It dispatches `colloquy:ready` on the target. This script finds its own tag, creates a shadow root (so the
// host page's CSS cannot break the widget), then loads the Leptos wasm module from the
// same place it came from. It sets no cookies and contacts no other host.
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

  var target = data.colloquyTarget ? document.querySelector(data.colloquyTarget) : null;
  if (!target) target = document.getElementById("colloquy-thread");
  if (!target) {
    target = document.createElement("div");
    script.parentNode.insertBefore(target, script.nextSibling);
  }
  // Mounting twice (the tag pasted twice, or a re-run) is harmless.
  if (target.hasAttribute("data-colloquy-mounted")) return;
  target.setAttribute("data-colloquy-mounted", "");

  var root = target.shadowRoot || target.attachShadow({ mode: "open" });
  var mountPoint = document.createElement("div");
  root.appendChild(mountPoint);

  var dir = base + "widget/" + COLLOQUY_BUILD + "/";
  import(dir + "colloquy_widget.js")
    .then(function (m) {
      return m.default({ module_or_path: dir + "colloquy_widget_bg.wasm" }).then(function () {
        m.mount(
          mountPoint,
          JSON.stringify({
            api_base: base,
            thread: data.colloquyThread || canonicalPath(),
            title: pageTitle(),
            page_url: location.href.split("#")[0],
            theme: data.colloquyTheme || "light",
            lang: data.colloquyLang || document.documentElement.lang || "en",
            max_depth: parseInt(data.colloquyMaxDepth, 10) || 5
          })
        );
        target.dispatchEvent(
          new CustomEvent("colloquy:ready", { bubbles: true, detail: { thread: data.colloquyThread || canonicalPath() } })
        );
      });
    })
    .catch(function (err) {
      mountPoint.textContent = "Comments could not be loaded.";
      console.error("colloquy:", err);
    });
})();
