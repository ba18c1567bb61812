// Colloquy embed loader. A site owner adds one tag:
//   <script src="https://HOST/embed.js" data-colloquy-thread="/my-post/" async></script>
// and optionally data-colloquy-target="#comments" (a CSS selector),
// data-colloquy-title="…" (else og:title, else document.title), data-colloquy-theme
// (light|dark|auto), data-colloquy-lang (a language tag; else <html lang>) and
// data-colloquy-max-depth, data-colloquy-site (a deployment serving several sites). Attributes left out take the widget's defaults (one definition,
// in colloquy-core).
//
// It asks the comment server for the thread already rendered as HTML and paints it into a
// shadow root (so the host page's CSS cannot break it): comments are readable before any
// wasm arrives, and without it. Then, when the comments come near the viewport, when the
// reader first touches them, or when the browser is idle, it loads the reading half
// (a small wasm) which takes over what is painted; that loads the writing half when the
// reader starts to write. It dispatches `colloquy:ready` on the target once painted. It
// sets no cookies and contacts no other host.
(function () {
  var script = document.currentScript;
  if (!script || !script.src) return;
  var assets = new URL(".", script.src).href;
  var data = script.dataset;
  // One deployment may serve several sites: data-colloquy-site names this page's, and
  // it becomes part of the API's address (without it, the page's origin picks the site).
  var base = data.colloquySite
    ? assets + "s/" + encodeURIComponent(data.colloquySite) + "/"
    : assets;

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

  // The reader's language: explicit, else the page's <html lang>, as the nearest the widget
  // has ("pt-BR" → "pt", "zh-TW" → "zh-Hant": the rule of i18n/src/negotiate.rs, over its
  // table). Neither known: "" lets the server choose (the site's default, else English),
  // and the painted thread says which it chose.
  function negotiate(tag) {
    var wanted = (tag || "").trim().replace(/_/g, "-").toLowerCase();
    while (wanted) {
      // Own keys only: "constructor" is not a language.
      if (Object.prototype.hasOwnProperty.call(COLLOQUY_LANGS, wanted)) return COLLOQUY_LANGS[wanted];
      wanted = wanted.slice(0, Math.max(wanted.lastIndexOf("-"), 0));
    }
    return "";
  }
  var lang = negotiate(data.colloquyLang) || negotiate(document.documentElement.lang);
  var sort = null;
  try {
    sort = localStorage.getItem(COLLOQUY_SORT_KEY + base);
    // The site owner opened the page with their key: keep it on this device and take it
    // out of the address bar before anything else can see or share it.
    var owner = location.hash.match(/^#colloquy-owner=(.+)$/);
    if (owner) {
      localStorage.setItem(COLLOQUY_OWNER_KEY + base, decodeURIComponent(owner[1]));
      history.replaceState(history.state, "", location.pathname + location.search);
    }
  } catch (e) {}
  // The page's address as the site names it: its canonical link when on this origin
  // (no tracking parameters, one address per post), else this address without the hash.
  function pageUrl() {
    var link = document.querySelector('link[rel="canonical"]');
    try {
      var canonical = link && new URL(link.href);
      if (canonical && canonical.origin === location.origin) return canonical.href.split("#")[0];
    } catch (e) {}
    return location.href.split("#")[0];
  }
  var page = {
    api_base: base,
    page_url: pageUrl(),
    title: pageTitle(),
    theme: data.colloquyTheme || "",
    lang: lang,
    depth: parseInt(data.colloquyMaxDepth, 10) || 0
  };
  var query = [
    ["thread", thread],
    ["sort", sort || COLLOQUY_SORT],
    ["lang", lang],
    ["title", page.title],
    ["theme", page.theme],
    ["depth", page.depth ? String(page.depth) : ""],
    ["page", page.page_url]
  ]
    .filter(function (kv) { return kv[1]; })
    .map(function (kv) { return kv[0] + "=" + encodeURIComponent(kv[1]); })
    .join("&");

  var dir = assets + "widget/" + COLLOQUY_BUILD + "/";
  var root = target.shadowRoot || target.attachShadow({ mode: "open" });
  var host = document.createElement("div");
  // The styles and the thread load side by side; the thread is shown once both are here.
  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = dir + "style.css";
  var styled = new Promise(function (done) {
    style.onload = style.onerror = done;
  });
  root.appendChild(style);
  root.appendChild(host);

  // The thread could not be fetched (offline, server down): a heading that claims no
  // count, what went wrong in the reader's language, and a way to try again.
  function fail() {
    var text = COLLOQUY_FAILED;
    host.innerHTML = "";
    var section = document.createElement("section");
    section.className = "cq";
    section.setAttribute("data-theme", page.theme || COLLOQUY_THEME);
    var h = document.createElement("h2");
    h.className = "cq-heading";
    h.textContent = text[0];
    var p = document.createElement("p");
    p.className = "cq-status cq-status-error";
    p.setAttribute("role", "alert");
    p.textContent = text[1] + " ";
    var again = document.createElement("button");
    again.type = "button";
    again.className = "cq-link cq-retry";
    again.textContent = text[2];
    again.onclick = function () {
      paint();
      painted.then(function () {
        var heading = root.querySelector(".cq-heading");
        if (heading) heading.focus();
      });
    };
    p.appendChild(again);
    section.appendChild(h);
    section.appendChild(p);
    host.appendChild(section);
    // Said in English at once (the server may be unreachable, and so its files); in the
    // reader's language as soon as that file arrives, in place, so focus stays put.
    if (lang && lang !== "en") {
      fetch(dir + lang + ".json")
        .then(function (r) { return r.json(); })
        .then(function (list) {
          section.lang = lang;
          section.dir = "auto";
          h.textContent = list[COLLOQUY_FAILED_AT[0]];
          p.firstChild.textContent = list[COLLOQUY_FAILED_AT[1]] + " ";
          again.textContent = list[COLLOQUY_FAILED_AT[2]];
        })
        .catch(function () {});
    }
  }

  var painted;
  function paint() {
    painted = fetch(base + COLLOQUY_EMBED_PATH + "?" + query)
      .then(function (r) {
        if (!r.ok) throw new Error("colloquy: " + r.status);
        return r.text();
      })
      .then(function (html) {
        return styled.then(function () {
          // The server rendered and sanitized this HTML; nothing else is inserted as HTML.
          host.innerHTML = html;
          // The language the server chose (the page's, else the site's default).
          var section = host.querySelector("section.cq");
          lang = page.lang = (section && section.lang) || lang || "en";
          target.dispatchEvent(new CustomEvent("colloquy:ready", { bubbles: true, detail: { thread: thread } }));
          return host.querySelector("section.cq");
        });
      });
    painted.catch(fail);
    painted.then(function () {
      idle(load, { timeout: 4000 });
    });
  }

  // The reading half: near the viewport, at the first touch, or when the browser is idle.
  var touched = [];
  var loading = null;
  var tookOver = false;
  var broken = false;
  // Glue and wasm are asked for together (the glue would ask for the wasm only once it
  // runs: a round trip more on a slow link).
  function module(name) {
    var wasm = fetch(dir + name + "_bg.wasm");
    wasm.catch(function () {}); // reported through the import's failure, not twice
    return import(dir + name + ".js").then(function (m) {
      return m.default({ module_or_path: wasm }).then(function () {
        return m;
      });
    });
  }
  function writer() {
    return module("colloquy_widget");
  }
  function load() {
    if (loading) return loading;
    loading = painted.then(function (section) {
      return Promise.all([
        module("colloquy_reader"),
        fetch(dir + lang + ".json").then(function (r) { return r.json(); })
      ])
        .then(function (got) {
          tookOver = true;
          got[0].take_over(section, got[1], page, writer, touched);
          target.dispatchEvent(new CustomEvent("colloquy:interactive", { bubbles: true, detail: { thread: thread } }));
        })
        .catch(broke);
    }, function () {
      // Nothing painted yet: the next touch after a retry loads it.
      loading = null;
    });
    return loading;
  }
  function broke(err) {
    broken = true;
    // No wasm (blocked, or a Content-Security-Policy without 'wasm-unsafe-eval'): the
    // comments stay readable and "Show more" stays a plain link; say how to comment.
    var note = root.querySelector(".cq-needs-script");
    if (note) note.hidden = false;
    // Only what works stays: Reply, Hide and Report go; likes stay as a (disabled) count.
    var actions = root.querySelectorAll(".cq-actions button:not(.cq-like), .cq-sort");
    for (var i = 0; i < actions.length; i++) actions[i].hidden = true;
    var inert = root.querySelectorAll(".cq-like, .cq-compose-box");
    for (var k = 0; k < inert.length; k++) inert[k].disabled = true;
    console.error("colloquy:", err);
    // A link clicked while this was loading is followed now, as a plain link.
    for (var j = touched.length - 1; j >= 0; j--) {
      if (touched[j].tagName === "A") {
        location.href = touched[j].href;
        break;
      }
    }
  }
  root.addEventListener("pointerdown", load, { once: true, capture: true });
  // Clicks and the focus of the comment box before the widget took over are remembered,
  // in order, and done again once it has (a link is not followed meanwhile); after that,
  // the widget handles its own.
  root.addEventListener("focusin", function (event) {
    var box = event.target;
    if (!tookOver && box.tagName === "TEXTAREA" && touched.indexOf(box) < 0) touched.push(box);
    load();
  }, { capture: true });
  // An order chosen before the widget took over is applied once it has.
  root.addEventListener("change", function (event) {
    if (tookOver || broken) return;
    var select = event.target;
    if (select.name === "sort" && touched.indexOf(select) < 0) touched.push(select);
    load();
  }, { capture: true });
  root.addEventListener("click", function (event) {
    if (tookOver || broken) return;
    var actor = event.target.closest && event.target.closest("[data-action], .cq-more a");
    if (!actor) return;
    if (actor.tagName === "A") event.preventDefault();
    touched.push(actor);
    load();
  }, { capture: true });
  if ("IntersectionObserver" in window) {
    var seen = new IntersectionObserver(
      function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          load();
        }
      },
      { rootMargin: "800px" }
    );
    seen.observe(target);
  }
  var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1500); };
  paint();
})();
