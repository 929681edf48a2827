// Live price preview: the server prices the form as typed and sends back
// the preview table, so the browser never computes a price. Without this
// script the Preview button does the same with a page load.
"use strict";

(() => {
  const form = document.getElementById("prices");
  if (!form) {
    return;
  }
  let timer = null;
  let asked = 0;
  async function refresh() {
    const mine = ++asked;
    const body = new URLSearchParams(new FormData(form));
    const response = await fetch(form.dataset.preview, {
      method: "POST",
      body,
      headers: { "X-Fragment": "preview" },
      credentials: "same-origin",
    });
    if (mine !== asked || !response.ok) {
      return;
    }
    const html = await response.text();
    const old = document.getElementById("preview");
    const holder = document.createElement("div");
    holder.innerHTML = html;
    const fresh = holder.firstElementChild;
    if (!fresh) {
      return;
    }
    if (old) {
      old.replaceWith(fresh);
    } else {
      form.after(fresh);
    }
  }
  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
