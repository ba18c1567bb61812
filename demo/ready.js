// Host pages can react when the widget is mounted (the tests read this).
document.addEventListener("colloquy:ready", function (e) {
  window.__colloquyReady = e.detail.thread;
});
