//! Shared hostile inputs for the API and browser safety tests.

/// Hostile inputs seen in the wild, each with a marker that must never become live markup.
pub const XSS_PAYLOADS: &[&str] = &[
    "<script>window.__xss=1</script>",
    "<img src=x onerror=\"window.__xss=1\">",
    "<svg onload=window.__xss=1>",
    "<iframe src=\"javascript:window.__xss=1\"></iframe>",
    "<a href=\"javascript:window.__xss=1\">click</a>",
    "[click](javascript:window.__xss=1)",
    "[click](JaVaScRiPt:window.__xss=1)",
    "[click](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "![x](x\" onerror=\"window.__xss=1)",
    "<details open ontoggle=window.__xss=1>",
    "<style>body{background:url(javascript:window.__xss=1)}</style>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
    "<p style=\"background:url(javascript:window.__xss=1)\">styled</p>",
    "\"><script>window.__xss=1</script>",
    "<a href=\"&#106;avascript:window.__xss=1\">entity</a>",
    "[x](&#x6A;avascript:window.__xss=1)",
    "<object data=\"javascript:window.__xss=1\"></object>",
    "<form action=\"javascript:window.__xss=1\"><button>go</button></form>",
    "<body onload=window.__xss=1>",
    "<input autofocus onfocus=window.__xss=1>",
    "<noscript><p title=\"</noscript><img src=x onerror=window.__xss=1>\">",
];
