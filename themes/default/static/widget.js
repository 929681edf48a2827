/*
 * Storefront search widget, for resellers to paste into another website:
 *
 *   <div data-storefront-search></div>
 *   <script src="https://SHOP/widget.js" async></script>
 *
 * Options on the div: data-button (button text), data-placeholder,
 * data-label (accessible name of the box), data-target="_blank" (results in
 * a new tab), data-lang (language prefix of the results page, e.g. "en").
 *
 * The form lives in a Shadow DOM so the host page's CSS does not leak in.
 * The host can still set --storefront-widget-color, --storefront-widget-on-color
 * and --storefront-widget-radius on the div. Nothing from the page is ever
 * parsed as HTML: all text goes through textContent / attributes.
 *
 * Unlike app.js, this file is plain ES5 syntax: it runs on other people's
 * pages, in whatever browser visits them, and falls back (no Shadow DOM, no
 * constructable stylesheets) rather than failing to parse.
 */
// biome-ignore-all lint/complexity/useArrowFunction: ES5 syntax (see above).
// biome-ignore-all lint/complexity/useOptionalChain: ES5 syntax (see above).
// biome-ignore-all lint/style/useTemplate: ES5 syntax (see above).
(function () {
  'use strict';

  // Where this script came from: the shop's root (works under a sub-path too).
  var script = document.currentScript;
  var all;
  var i;
  if (!script) {
    all = document.querySelectorAll('script[src]');
    for (i = all.length - 1; i >= 0; i -= 1) {
      if (/\/widget\.js(?:[?#].*)?$/.test(all[i].src)) {
        script = all[i];
        break;
      }
    }
  }
  if (!script || !script.src) return;
  var base;
  try {
    base = new URL('.', script.src);
  } catch (_e) {
    return;
  }

  var CSS = [
    ':host{display:block;max-width:40rem;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif;font-size:16px;line-height:1.4;color:inherit}',
    ':host([hidden]){display:none}',
    '*{box-sizing:border-box}',
    'form{display:flex;flex-wrap:wrap;gap:.5rem;margin:0}',
    '.label{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}',
    'input{flex:1 1 14rem;min-width:0;min-height:2.75rem;margin:0;padding:.6rem .85rem;border:2px solid #8a939f;border-radius:var(--storefront-widget-radius,8px);background:#fff;color:#1b1f24;font:inherit;font-size:1rem}',
    'input::placeholder{color:#5b6470}',
    'input:focus{outline:3px solid var(--storefront-widget-color,#0b57d0);outline-offset:1px;border-color:var(--storefront-widget-color,#0b57d0)}',
    'button{flex:0 0 auto;min-height:2.75rem;margin:0;padding:.6rem 1.25rem;border:0;border-radius:var(--storefront-widget-radius,8px);background:var(--storefront-widget-color,#0b57d0);color:var(--storefront-widget-on-color,#fff);font:inherit;font-weight:600;cursor:pointer}',
    'button:hover{filter:brightness(.92)}',
    'button:focus-visible{outline:3px solid var(--storefront-widget-color,#0b57d0);outline-offset:2px}',
    '@media (forced-colors:active){button{border:1px solid ButtonText}}'
  ].join('\n');

  var sheet = null;
  function styleFor(root) {
    // Constructable stylesheets keep working under a strict style-src CSP.
    try {
      if (!sheet && 'adoptedStyleSheets' in Document.prototype && typeof CSSStyleSheet === 'function') {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
      }
      if (sheet) {
        root.adoptedStyleSheets = [sheet];
        return;
      }
    } catch (_e) {
      sheet = null;
    }
    var style = document.createElement('style');
    style.textContent = CSS;
    root.appendChild(style);
  }

  var count = 0;

  function render(host) {
    if (host.__storefrontSearch) return;
    host.__storefrontSearch = true;
    count += 1;

    var lang = (host.getAttribute('data-lang') || '').trim().toLowerCase();
    if (!/^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$/.test(lang)) lang = '';
    var action = new URL((lang ? lang + '/' : '') + 'search/', base).href;
    var buttonText = host.getAttribute('data-button') || 'Search';
    var placeholder = host.getAttribute('data-placeholder') || 'Find your domain name';
    var labelText = host.getAttribute('data-label') || placeholder;
    var newTab = host.getAttribute('data-target') === '_blank';

    var root = host.attachShadow ? host.attachShadow({ mode: 'open' }) : host;
    if (root !== host) styleFor(root);

    var id = 'storefront-search-' + count;
    var form = document.createElement('form');
    form.setAttribute('action', action);
    form.setAttribute('method', 'get');
    form.setAttribute('role', 'search');
    if (newTab) {
      form.setAttribute('target', '_blank');
      form.setAttribute('rel', 'noopener');
    }

    var label = document.createElement('label');
    label.className = 'label';
    label.setAttribute('for', id);
    label.textContent = labelText;

    var input = document.createElement('input');
    input.id = id;
    input.name = 'q';
    input.type = 'search';
    input.required = true;
    input.maxLength = 253;
    input.autocomplete = 'off';
    input.setAttribute('autocapitalize', 'none');
    input.setAttribute('spellcheck', 'false');
    input.setAttribute('inputmode', 'url');
    input.placeholder = placeholder;
    if (root === host) input.setAttribute('aria-label', labelText);

    var button = document.createElement('button');
    button.type = 'submit';
    button.textContent = buttonText;

    form.addEventListener('submit', function (ev) {
      var q = input.value.trim();
      if (!q) {
        ev.preventDefault();
        input.focus();
        return;
      }
      input.value = q;
    });

    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(button);
    root.appendChild(form);
  }

  function renderAll() {
    var hosts = document.querySelectorAll('[data-storefront-search]');
    var j;
    for (j = 0; j < hosts.length; j += 1) {
      try {
        render(hosts[j]);
      } catch (_e) {
        /* never break the host page */
      }
    }
  }

  renderAll();
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', renderAll);
})();
