/*
 * Storefront default theme: behaviour for every page.
 * Plain ES2020, no dependencies, loaded with `defer`. Every feature looks for
 * its own elements first and does nothing when they are missing.
 * All text comes from data-i18n-* attributes rendered from the string table.
 */
(() => {
  'use strict';

  // One cart per storefront: previews of several storefronts share an origin.
  const CART_KEY = (() => {
    const site = document.body?.dataset.site;
    return site ? `storefront-cart:${site}` : 'storefront-cart';
  })();
  const CODE_KEY = CART_KEY.replace('storefront-cart', 'storefront-code');
  const ACTIONS = ['register', 'transfer', 'renew'];
  const API_TIMEOUT_MS = 12000;

  // ---------- Small helpers ----------

  /** Builds an element. `props`: class, text, attrs (object), on (object). */
  function h(tag, props = {}, children = []) {
    const node = document.createElement(tag);
    if (props.class) node.className = props.class;
    if (props.text !== undefined) node.textContent = props.text;
    for (const [k, v] of Object.entries(props.attrs || {})) {
      if (v === false || v === null || v === undefined) continue;
      node.setAttribute(k, v === true ? '' : String(v));
    }
    for (const [k, v] of Object.entries(props.on || {})) node.addEventListener(k, v);
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child);
    }
    return node;
  }

  /** Whether `obj` has `key` as its own property (Object.hasOwn is ES2022). */
  function hasOwn(obj, key) {
    // biome-ignore lint/suspicious/noPrototypeBuiltins: Object.hasOwn is ES2022; this script is ES2020.
    return Object.prototype.hasOwnProperty.call(obj, key);
  }

  /** Replaces {name} placeholders; values are plain text. */
  function fill(template, values) {
    return String(template || '').replace(/\{([a-z_]+)\}/g, (m, k) =>
      hasOwn(values, k) ? String(values[k]) : m);
  }

  /** Plural form (the Polish rule, which also covers English and Indonesian). */
  function pluralForm(n) {
    if (n === 1) return 'one';
    const r10 = n % 10;
    const r100 = n % 100;
    if (r10 >= 2 && r10 <= 4 && (r100 < 12 || r100 > 14)) return 'few';
    return 'many';
  }

  function yearsText(i18n, n, unit = 'Years') {
    const form = pluralForm(n);
    const key = `i18n${unit}${form === 'one' ? 'One' : form === 'few' ? 'Few' : 'Many'}`;
    return fill(i18n[key] || '{n}', { n });
  }

  // ---------- Query normalisation ----------

  const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

  /**
   * Turns what a person typed into an ASCII host name, the way they meant it:
   * " HTTPS://www.Toko Buku.co.id/path " -> "tokobuku.co.id".
   * Returns {ascii, typed} (typed: the cleaned form as typed, for showing
   * until the server answers with its Unicode form) or {error: 'empty' | 'invalid'}.
   */
  function normalise(input) {
    let s = String(input || '').trim().toLowerCase();
    s = s.replace(/[\u3002\uff0e\uff61]/g, '.');
    s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//, '').replace(/^\/\//, '');
    s = s.split(/[/?#\\]/)[0];
    if (s.includes('@')) s = s.slice(s.lastIndexOf('@') + 1);
    s = s.replace(/:\d*$/, '');
    s = s.replace(/\s+/g, '');
    s = s.replace(/^\.+|\.+$/g, '');
    if (s.startsWith('www.')) s = s.slice(4);
    if (!s) return { error: 'empty' };
    let ascii = s;
    // Only names with non-ASCII letters go through the URL parser (UTS #46):
    // it would also turn "123" into the IPv4 address "0.0.0.123".
    if (/[\u0080-\uffff]/.test(s)) {
      try {
        ascii = new URL(`http://${s}`).hostname;
      } catch {
        return { error: 'invalid' };
      }
    }
    ascii = ascii.replace(/\.$/, '');
    if (!ascii || ascii.length > 253) return { error: 'invalid' };
    if (!ascii.split('.').every((l) => LABEL.test(l))) return { error: 'invalid' };
    return { ascii, typed: s.replace(/\.$/, '') };
  }

  /**
   * Splits a host name into the name a person chose and a known extension:
   * the longest known suffix wins ("toko.co.id" -> toko + co.id); labels on
   * the left of the name are dropped ("mail.toko.co.id" -> toko).
   */
  function splitName(ascii, known) {
    const labels = ascii.split('.');
    for (let i = 1; i < labels.length; i += 1) {
      const ext = labels.slice(i).join('.');
      if (hasOwn(known, ext)) return { label: labels[i - 1], index: i - 1, ext, unknownExt: null };
    }
    if (labels.length === 1) return { label: labels[0], index: 0, ext: null, unknownExt: null };
    return { label: labels[0], index: 0, ext: null, unknownExt: labels.slice(1).join('.') };
  }

  // ---------- Prices ----------

  const priceCache = new Map();

  /**
   * The price list for this page: the page language's own file (prices
   * formatted for that language) when there is one, else the site's.
   */
  function pricesFor(box) {
    const own = box.dataset.pricesLang;
    const site = box.dataset.prices;
    if (!own || own === site) return loadPrices(site);
    return loadPrices(own).catch(() => loadPrices(site));
  }

  function loadPrices(url) {
    if (!priceCache.has(url)) {
      const p = fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then((res) => {
          if (!res.ok) throw new Error(`prices: HTTP ${res.status}`);
          return res.json();
        })
        .then((data) => {
          if (!data || typeof data.extensions !== 'object' || !Array.isArray(data.groups)) throw new Error('prices: bad shape');
          return data;
        });
      p.catch(() => priceCache.delete(url));
      priceCache.set(url, p);
    }
    return priceCache.get(url);
  }

  /**
   * What prices.json says a line costs, as the storefront shows it: the
   * promotion's price for one year of its action, else the table's entry.
   * Only a preview until the server's quote answers; nothing is computed.
   */
  function listedPrice(extPrices, action, years) {
    const promo = extPrices?.promo;
    if (years === 1 && promo && typeof promo.display === 'string' && (promo.action || 'register') === action) {
      return { display: promo.display, promo };
    }
    const table = extPrices?.[action];
    const entry = table?.[String(years)];
    return entry && typeof entry.display === 'string' ? { display: entry.display, promo: null } : null;
  }

  /** Periods (years) one can pick for an action, from the price table. */
  function periodsFor(extPrices, action) {
    const table = extPrices?.[action] || {};
    const min = extPrices?.years?.min || 1;
    const max = extPrices?.years?.max || 10;
    return Object.keys(table).map(Number)
      .filter((y) => Number.isInteger(y) && (action !== 'register' || (y >= min && y <= max)))
      .sort((a, b) => a - b);
  }

  /** First-year (or shortest-period) register price of an extension: {years, entry, promo}. */
  function firstPrice(extPrices) {
    const years = periodsFor(extPrices, 'register');
    if (!years.length) return null;
    const entry = extPrices.register[String(years[0])];
    const listed = listedPrice(extPrices, 'register', years[0]);
    return { years: years[0], entry, promo: listed?.promo };
  }

  // ---------- Cart storage ----------

  function validItem(it) {
    return it && typeof it.domain === 'string' && it.domain && typeof it.ext === 'string' && it.ext &&
      Number.isInteger(it.years) && it.years >= 1 && it.years <= 10 && ACTIONS.includes(it.action);
  }

  function readCart() {
    try {
      // Carts saved before they were kept per storefront: a storefront on its
      // own domain (not a /s/<id>/ preview) takes the old one over.
      const legacy = 'storefront-cart';
      if (CART_KEY !== legacy && !window.location.pathname.startsWith('/s/') &&
          window.localStorage.getItem(CART_KEY) === null && window.localStorage.getItem(legacy) !== null) {
        window.localStorage.setItem(CART_KEY, window.localStorage.getItem(legacy));
        window.localStorage.removeItem(legacy);
      }
      const items = JSON.parse(window.localStorage.getItem(CART_KEY) || '[]');
      return Array.isArray(items) ? items.filter(validItem) : [];
    } catch {
      return [];
    }
  }

  function writeCart(items) {
    try {
      window.localStorage.setItem(CART_KEY, JSON.stringify(items));
    } catch {
      /* private mode or full storage: the cart lives for this page only */
    }
    updateCartCount(items);
    document.dispatchEvent(new CustomEvent('storefront:cart', { detail: items }));
  }

  /** The discount code typed on the cart or at the checkout, for this storefront. */
  function readCode() {
    try {
      return window.localStorage.getItem(CODE_KEY) || '';
    } catch {
      return '';
    }
  }

  function writeCode(code) {
    try {
      if (code) window.localStorage.setItem(CODE_KEY, code);
      else window.localStorage.removeItem(CODE_KEY);
    } catch {
      /* the code lives for this page only */
    }
  }

  function inCart(items, domain, action) {
    return items.some((it) => it.domain === domain && (!action || it.action === action));
  }

  function updateCartCount(items = readCart()) {
    for (const badge of document.querySelectorAll('[data-cart-count]')) {
      const value = badge.querySelector('[data-cart-count-value]') || badge;
      value.textContent = String(items.length);
      badge.hidden = items.length === 0;
    }
  }

  // ---------- Search forms everywhere ----------

  function initSearchForms() {
    // On an extension page, "toko" means "toko.<that extension>".
    for (const form of document.querySelectorAll('form[data-append-ext]')) {
      form.addEventListener('submit', () => {
        const input = form.querySelector('input[name="q"]');
        const ext = form.dataset.appendExt;
        if (input && ext && input.value.trim() && !input.value.includes('.')) {
          input.value = `${input.value.trim()}.${ext}`;
        }
      });
    }
  }

  // ---------- Search page ----------

  function initSearch() {
    const box = document.getElementById('results');
    if (!box?.dataset.prices) return;
    const i18n = box.dataset;
    const input = document.getElementById('q');
    const form = input?.form;
    let seq = 0;

    const setMessage = (text, kind) => {
      box.removeAttribute('aria-busy');
      box.replaceChildren(h('p', { class: `results__message${kind ? ` results__message--${kind}` : ''}`, text }));
    };

    async function run(raw) {
      const mine = ++seq;
      const query = normalise(raw);
      if (query.error === 'empty') {
        box.removeAttribute('aria-busy');
        box.replaceChildren(h('p', { class: 'results__prompt', text: i18n.i18nPrompt }));
        return;
      }
      if (query.error) {
        setMessage(i18n.i18nInvalid, 'error');
        return;
      }
      box.setAttribute('aria-busy', 'true');
      box.replaceChildren(h('p', { class: 'results__status', text: i18n.i18nLoading }));

      let prices;
      try {
        prices = await pricesFor(box);
      } catch {
        if (mine === seq) setMessage(i18n.i18nPricesError, 'error');
        return;
      }
      if (mine !== seq) return;

      const known = prices.extensions;
      const { label, index, ext, unknownExt } = splitName(query.ascii, known);
      const groups = prices.groups.filter((g) => g && Array.isArray(g.extensions));
      const group = ext ? groups.find((g) => g.extensions.includes(ext)) : groups[0];
      let list = group ? group.extensions.slice() : Object.keys(known);
      if (ext) list = [ext, ...list.filter((x) => x !== ext)];
      list = list.filter((x) => hasOwn(known, x));
      // The name as typed until the server answers with its Unicode form.
      const typedLabels = query.typed.split('.');
      const asTyped = typedLabels.length === query.ascii.split('.').length;
      const typedLabel = asTyped ? typedLabels[index] : label;
      const extName = (x) => (known[x] && typeof known[x].name === 'string' ? known[x].name : `.${x}`);

      const rows = list.map((x) => renderRow(prices, label, typedLabel, x, extName(x), x === ext));
      const heading = h('h3', { class: 'results__title', text: fill(i18n.i18nResultsFor, { query: ext ? typedLabel + extName(ext) : (asTyped ? query.typed : query.ascii) }) });
      const note = h('p', { class: 'results__message results__message--info', attrs: { hidden: true } });
      const children = [heading, note];
      if (unknownExt) children.push(h('p', { class: 'results__message', text: fill(i18n.i18nUnsupported, { ext: `.${unknownExt}` }) }));
      children.push(h('ul', { class: 'result-list' }, rows.map((r) => r.node)));
      const footer = h('div', { class: 'results__footer' }, [
        h('p', { class: 'results__added', attrs: { 'data-added': true } }),
        h('p', {}, [h('a', { class: 'button button--ghost', text: i18n.i18nViewCart, attrs: { href: i18n.cartUrl } })]),
      ]);
      children.push(footer);
      box.replaceChildren(...children);
      box.removeAttribute('aria-busy');

      // Availability streams in: each row is marked the moment its registry
      // answers (NDJSON), so a slow registry never holds up the others. If
      // there is no API (a static preview), prices stay and a note says so.
      const api = box.dataset.api;
      const byDomain = new Map(rows.map((r) => [r.domain, r]));
      const answered = new Set();
      const mark = (r) => {
        if (!r || typeof r.domain !== 'string') return;
        const row = byDomain.get(r.domain.toLowerCase()) || byDomain.get(String(r.unicode || '').toLowerCase());
        if (!row) return;
        answered.add(row);
        if (typeof r.unicode === 'string' && r.unicode) row.setName(r.unicode);
        row.setStatus(r.available === true ? 'available' : r.available === false ? 'taken' : 'unknown', r.price);
      };
      // The storefront takes no new orders for now (the server says so, in
      // neutral words): its notice instead of anything to put in the cart.
      const closeIfStopped = (q) => {
        if (q?.ordering !== false) return;
        note.textContent = typeof q.notice === 'string' ? q.notice : '';
        note.hidden = false;
        footer.hidden = true;
        for (const row of rows) row.close();
      };
      let reached = false;
      if (api) {
        const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
        const timer = ctrl ? setTimeout(() => ctrl.abort(), API_TIMEOUT_MS) : null;
        try {
          // The page's language, not the browser's: prices and messages match the page.
          const lang = document.documentElement.lang || '';
          const res = await fetch(`${api}?q=${encodeURIComponent(query.ascii)}&lang=${encodeURIComponent(lang)}`, {
            headers: { Accept: 'application/x-ndjson, application/json;q=0.9' }, credentials: 'same-origin', signal: ctrl ? ctrl.signal : undefined,
          });
          const type = res.headers.get('content-type') || '';
          if (res.status === 400 && type.includes('json')) {
            const err = await res.json();
            if (mine === seq && err && typeof err.message === 'string') setMessage(err.message, 'error');
            return;
          }
          if (res.status === 200 && type.includes('ndjson') && res.body?.getReader) {
            reached = true;
            const reader = res.body.getReader();
            const decoder = new TextDecoder();
            let buf = '';
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              if (mine !== seq) { reader.cancel(); return; }
              buf += decoder.decode(value, { stream: true });
              for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
                const line = buf.slice(0, nl).trim();
                buf = buf.slice(nl + 1);
                if (!line) continue;
                try {
                  const msg = JSON.parse(line);
                  if (msg && msg.type === 'query') closeIfStopped(msg.query);
                  if (msg && msg.type === 'result') mark(msg);
                } catch { /* a broken line marks nothing */ }
              }
            }
          } else if (res.status === 200) {
            const data = await res.json();
            if (data && Array.isArray(data.results)) {
              reached = true;
              closeIfStopped(data);
              data.results.forEach(mark);
            }
          }
        } catch {
          // Network error or timeout: rows not yet answered say "unknown" below.
        } finally {
          if (timer) clearTimeout(timer);
        }
      }
      if (mine !== seq) return;
      if (!reached) {
        // No availability service: say it once, keep the prices.
        note.textContent = i18n.i18nCheckedAtCheckout;
        note.hidden = false;
      }
      for (const row of rows) {
        if (!answered.has(row)) row.setStatus(reached ? 'unknown' : 'checkout');
      }
    }

    function renderRow(prices, label, shownLabel, ext, shownExt, typed) {
      const domain = `${label}.${ext}`;
      let unicode = shownLabel + shownExt;
      const e = prices.extensions[ext];
      const first = firstPrice(e);

      const status = h('span', { class: 'status status--checking', text: i18n.i18nLoading });
      const priceBox = h('div', { class: 'result__price' });
      const showPrice = (display, regular) => {
        const kids = [];
        if (regular) {
          kids.push(h('span', { class: 'badge badge--promo', text: first.promo?.label || i18n.i18nPromo }));
          kids.push(h('span', { class: 'price price--promo' }, [h('span', { class: 'visually-hidden', text: `${i18n.i18nPromoPrice}: ` }), display]));
          kids.push(h('del', { class: 'price price--regular' }, [h('span', { class: 'visually-hidden', text: `${i18n.i18nPromoRegular}: ` }), regular]));
        } else {
          kids.push(h('span', { class: 'price', text: display }));
        }
        const period = first && first.years !== 1 ? yearsText(i18n, first.years) : i18n.i18nFirstYear;
        kids.push(h('span', { class: 'per-year', text: period }));
        priceBox.replaceChildren(...kids);
      };
      if (first) {
        if (first.promo) showPrice(first.promo.display, first.entry.display);
        else showPrice(first.entry.display, null);
      }

      const action = h('div', { class: 'result__action' });
      let closed = false;
      const addButton = (kind) => {
        if (closed) return;
        const cart = readCart();
        const already = inCart(cart, domain);
        const text = already ? i18n.i18nInCart : kind === 'transfer' ? i18n.i18nTransfer : i18n.i18nAddToCart;
        const btn = h('button', {
          class: `button button--small ${already ? 'button--done' : kind === 'transfer' ? 'button--ghost' : 'button--primary'}`,
          text,
          attrs: { type: 'button', 'aria-disabled': already ? 'true' : null, 'aria-label': already ? null : `${text}: ${unicode}` },
        });
        btn.addEventListener('click', () => {
          const items = readCart();
          if (inCart(items, domain)) return;
          const years = kind === 'transfer' ? 1 : (first ? first.years : 1);
          items.push({ domain, display: unicode, ext, years, action: kind });
          writeCart(items);
          btn.textContent = i18n.i18nInCart;
          btn.className = 'button button--small button--done';
          btn.setAttribute('aria-disabled', 'true');
          btn.removeAttribute('aria-label');
          const added = box.querySelector('[data-added]');
          if (added) added.textContent = fill(i18n.i18nAdded, { domain: unicode });
        });
        action.replaceChildren(btn);
      };
      if (first) addButton('register');

      const labelNode = h('span', { class: 'result__label', text: shownLabel });
      const extNode = h('span', { class: 'result__ext', text: shownExt });
      const node = h('li', { class: `result${typed ? ' result--first' : ''}`, attrs: { 'data-domain': domain } }, [
        h('p', { class: 'result__name' }, [labelNode, extNode]),
        h('div', { class: 'result__status' }, [status]),
        priceBox,
        action,
      ]);

      const setStatus = (state, apiPrice) => {
        const texts = {
          available: i18n.i18nAvailable, taken: i18n.i18nTaken, unknown: i18n.i18nUnknown, checkout: i18n.i18nCheckedAtCheckout,
        };
        status.className = `status status--${state}`;
        status.textContent = texts[state];
        status.hidden = state === 'checkout';
        node.classList.toggle('result--taken', state === 'taken');
        if (state === 'taken') {
          // A registered name can still be transferred in.
          if (e?.transfer?.['1']) {
            addButton('transfer');
            priceBox.replaceChildren(
              h('span', { class: 'price', text: e.transfer['1'].display }),
              h('span', { class: 'per-year', text: i18n.i18nTransfer }),
            );
          } else {
            action.replaceChildren();
          }
          return;
        }
        const display = typeof apiPrice === 'string' ? apiPrice : apiPrice && typeof apiPrice.display === 'string' ? apiPrice.display : null;
        if (display && (!first || (first.promo ? first.promo.display : first.entry.display) !== display)) showPrice(display, null);
      };

      /** The server's Unicode form of the name (`label.ext`). */
      const setName = (name) => {
        if (name === unicode) return;
        unicode = name;
        const cut = name.length - shownExt.length;
        if (cut > 0 && name.slice(cut) === shownExt) {
          labelNode.textContent = name.slice(0, cut);
        } else {
          labelNode.textContent = name;
          extNode.textContent = '';
        }
        const btn = action.querySelector('button[aria-label]');
        if (btn) btn.setAttribute('aria-label', `${btn.textContent}: ${name}`);
      };

      /** Nothing to order here: no button now, none when the answer comes. */
      const close = () => {
        closed = true;
        action.replaceChildren();
      };

      return { node, domain, setName, setStatus, close };
    }

    const fromUrl = () => new URLSearchParams(window.location.search).get('q') || '';
    const initial = fromUrl();
    if (input) input.value = initial;
    if (initial) run(initial);

    if (form) {
      form.addEventListener('submit', (ev) => {
        ev.preventDefault();
        const q = input.value;
        const url = new URL(window.location.href);
        url.searchParams.set('q', q.trim());
        try {
          window.history.pushState({ q }, '', url.pathname + url.search);
        } catch {
          /* file:// or sandboxed: no history, search anyway */
        }
        run(q);
      });
    }
    window.addEventListener('popstate', () => {
      const q = fromUrl();
      if (input) input.value = q;
      run(q);
    });
  }

  // ---------- Cart and checkout ----------

  /** The name as a person reads it: the Unicode form the server gave when it was added. */
  function shownName(item) {
    return typeof item.display === 'string' && item.display ? item.display : item.domain;
  }

  /** The index of the cart line an API error names (`items.3.years` -> 3), else -1. */
  function lineOf(error) {
    const m = error && typeof error.field === 'string' ? /^items\.(\d+)(?:\.|$)/.exec(error.field) : null;
    return m ? Number(m[1]) : -1;
  }

  /**
   * The cart, priced by the server: every change asks `POST <api>/orders/quote`
   * (signed in or not) and shows its lines, net, tax and total. Until it
   * answers, or with no API (a static preview), each line shows the price
   * prices.json lists and the total is marked as not yet known. Nothing here
   * computes an amount.
   */
  function initCart() {
    const box = document.querySelector('[data-cart]');
    if (!box?.dataset.prices) return;
    const i18n = box.dataset;
    const api = box.dataset.api;
    const editable = box.hasAttribute('data-editable');
    const loading = box.querySelector('[data-cart-loading]');
    const empty = box.querySelector('[data-cart-empty]');
    const list = box.querySelector('[data-cart-items]');
    const problem = box.querySelector('[data-cart-error]');
    const codeForm = box.querySelector('[data-cart-code]');
    const codeInput = codeForm?.querySelector('input[name="code"]');
    const codeError = codeForm?.querySelector('[data-error-for="code"]');
    const actions = document.querySelector('[data-cart-actions]');
    if (!list) return;
    // At the checkout this list is the signed-out view: it asks for a quote
    // once the checkout knows nobody is signed in (`storefront:estimate`).
    let waiting = box.closest('[data-shop="checkout"]') !== null;
    let prices = null;
    let answer = { state: 'pending' }; // pending | quoted (quote) | failed (error) | offline
    let seq = 0;
    let focusAfter = null;

    async function requote() {
      const mine = ++seq;
      const items = readCart();
      answer = { state: api ? 'pending' : 'offline' };
      render();
      if (!items.length || !api || waiting) return;
      const body = { items: items.map((it) => ({ domain: it.domain, action: it.action, years: it.years })) };
      const code = readCode();
      if (code) body.code = code;
      const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
      const timer = ctrl ? setTimeout(() => ctrl.abort(), API_TIMEOUT_MS) : null;
      let next = { state: 'offline' };
      try {
        const res = await fetch(`${api}/orders/quote?lang=${encodeURIComponent(document.documentElement.lang || '')}`, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify(body),
          signal: ctrl ? ctrl.signal : undefined,
        });
        const data = (res.headers.get('content-type') || '').includes('json') ? await res.json() : null;
        if (res.ok && data && Array.isArray(data.lines)) next = { state: 'quoted', quote: data };
        else if (data && typeof data.message === 'string') next = { state: 'failed', error: data };
      } catch {
        /* no API (a static preview) or no answer: the listed prices stay */
      } finally {
        if (timer) clearTimeout(timer);
      }
      if (mine !== seq) return;
      answer = next;
      render();
    }

    function render() {
      const items = readCart();
      const active = list.contains(document.activeElement) ? document.activeElement.dataset.key : null;
      const focusKey = focusAfter || active;
      focusAfter = null;
      if (loading) loading.hidden = true;
      if (empty) empty.hidden = items.length > 0;
      if (actions) actions.hidden = items.length === 0;
      if (codeForm) codeForm.hidden = items.length === 0;
      list.hidden = items.length === 0;
      const error = answer.state === 'failed' ? answer.error : null;
      const onLine = lineOf(error);
      const onCode = error && error.field === 'code';
      if (codeError) codeError.textContent = onCode ? error.message : '';
      if (codeInput) {
        if (onCode) codeInput.setAttribute('aria-invalid', 'true');
        else codeInput.removeAttribute('aria-invalid');
      }
      if (problem) {
        problem.textContent = error && !onCode && onLine < 0 ? error.message : '';
        problem.hidden = !problem.textContent;
      }
      if (!items.length) {
        list.replaceChildren();
        if (focusKey && empty) {
          const link = empty.querySelector('a');
          if (link) link.focus();
        }
        return;
      }
      const quote = answer.state === 'quoted' ? answer.quote : null;
      const inclusive = !!prices.tax?.inclusive;
      const columns = editable ? 5 : 4;

      const rows = [];
      items.forEach((item, index) => {
        const e = prices.extensions[item.ext];
        const shown = shownName(item);
        const key = `${item.domain}|${item.action}`;
        const line = quote?.lines[index] && quote.lines[index].domain === item.domain ? quote.lines[index] : null;

        let period;
        const choices = periodsFor(e, item.action);
        if (editable && item.action === 'register' && choices.length > 1) {
          period = h('select', {
            class: 'select',
            attrs: { 'aria-label': fill(i18n.i18nPeriodLabel, { domain: shown }), 'data-key': `${key}|years` },
            on: {
              change: (ev) => {
                const next = readCart();
                const target = next.find((it) => it.domain === item.domain && it.action === item.action);
                if (target) target.years = Number(ev.target.value);
                focusAfter = `${key}|years`;
                writeCart(next);
              },
            },
          }, choices.map((y) => h('option', { text: yearsText(i18n, y), attrs: { value: y, selected: y === item.years } })));
        } else {
          period = yearsText(i18n, item.years);
        }

        // The quote's amount (gross where prices include tax, net where it
        // is added at checkout); before it, the listed price.
        let priceCell;
        if (line) {
          const amount = inclusive ? line.gross : line.net;
          const promo = line.promotion ? (typeof line.promotion === 'string' ? line.promotion : i18n.i18nPromo) : null;
          priceCell = [
            h('span', { class: `price${promo ? ' price--promo' : ''}`, text: amount?.display }),
            promo ? ' ' : null,
            promo ? h('span', { class: 'badge badge--promo', text: promo }) : null,
          ];
        } else {
          const listed = listedPrice(e, item.action, item.years);
          priceCell = listed
            ? [h('span', { class: `price price--listed${listed.promo ? ' price--promo' : ''}`, text: listed.display }), listed.promo ? ' ' : null, listed.promo ? h('span', { class: 'badge badge--promo', text: i18n.i18nPromo }) : null]
            : [h('span', { class: 'note', text: i18n.i18nPriceMissing })];
        }

        const actionText = { register: i18n.i18nActionRegister, transfer: i18n.i18nActionTransfer, renew: i18n.i18nActionRenew }[item.action];
        const cells = [
          h('th', { attrs: { scope: 'row' }, text: shown }),
          h('td', { text: actionText, attrs: { 'data-label': i18n.i18nColType } }),
          h('td', { attrs: { 'data-label': i18n.i18nColPeriod } }, [period]),
          h('td', { class: 'num', attrs: { 'data-label': i18n.i18nColPrice } }, priceCell),
        ];
        if (editable) {
          cells.push(h('td', { class: 'num cart-table__remove' }, [h('button', {
            class: 'button button--ghost button--small',
            text: i18n.i18nRemove,
            attrs: { type: 'button', 'aria-label': fill(i18n.i18nRemoveLabel, { domain: shown }), 'data-key': `${key}|remove` },
            on: {
              click: () => {
                const next = readCart().filter((it) => !(it.domain === item.domain && it.action === item.action));
                // Keep keyboard users in the list: focus the next remove button.
                const after = next[Math.min(index, next.length - 1)];
                focusAfter = after ? `${after.domain}|${after.action}|remove` : 'empty';
                writeCart(next);
              },
            },
          })]));
        }
        rows.push(h('tr', { attrs: { 'data-domain': item.domain } }, cells));
        // What the server says this line asks of the registrant's documents,
        // before anything is paid.
        const docs = line?.documents;
        if (docs) {
          const terms = docs.registered_first ? i18n.i18nDocsFirst : i18n.i18nDocsWait;
          rows.push(h('tr', { class: 'cart-table__note', attrs: { 'data-documents': item.domain } }, [
            h('td', { attrs: { colspan: columns } }, [h('p', { class: 'doc-terms', text: fill(terms || '', { days: yearsText(i18n, docs.days, 'Days') }) })]),
          ]));
        }
        if (onLine === index) {
          // The server's word on this line, under it.
          const text = error.message.includes(shown) || error.message.includes(item.domain) ? error.message : `${shown}: ${error.message}`;
          rows.push(h('tr', { class: 'cart-table__problem' }, [
            h('td', { attrs: { colspan: columns } }, [h('p', { class: 'field__error', attrs: { role: 'alert' }, text })]),
          ]));
        }
      });

      const footRows = [];
      const totalRow = (label, value, cls, pending) => h('tr', { class: cls || '', attrs: { 'data-pending': pending ? '' : null } }, [
        h('th', { attrs: { scope: 'row', colspan: 3 }, text: label }),
        h('td', { class: 'num', text: value }),
        editable ? h('td') : null,
      ]);
      if (quote) {
        const tax = prices.tax;
        if (tax && Number(tax.percent) > 0) {
          footRows.push(totalRow(i18n.i18nNet, quote.net?.display, 'cart-table__net'));
          footRows.push(totalRow(`${tax.label || ''} ${tax.percent}%`, quote.tax?.display, 'cart-table__tax'));
        }
        footRows.push(totalRow(i18n.i18nTotal, quote.gross?.display, 'cart-table__total'));
      } else {
        // Not known until the server has priced the cart.
        const text = answer.state === 'pending' ? i18n.i18nTotalPending : i18n.i18nTotalUnknown;
        footRows.push(totalRow(i18n.i18nTotal, text, 'cart-table__total cart-table__total--pending', true));
      }

      const head = [i18n.i18nColDomain, i18n.i18nColType, i18n.i18nColPeriod, i18n.i18nColPrice];
      const table = h('table', { class: 'cart-table', attrs: { 'data-state': answer.state } }, [
        h('caption', { text: i18n.i18nCaption }),
        h('thead', {}, [h('tr', {}, [
          ...head.map((text, i) => h('th', { class: i === 3 ? 'num' : '', attrs: { scope: 'col' }, text })),
          editable ? h('th', { class: 'num', attrs: { scope: 'col' } }, [h('span', { class: 'visually-hidden', text: i18n.i18nColAction })]) : null,
        ])]),
        h('tbody', {}, rows),
        h('tfoot', {}, footRows),
      ]);
      list.replaceChildren(table);
      if (focusKey) {
        const target = Array.from(list.querySelectorAll('[data-key]')).find((n) => n.dataset.key === focusKey);
        if (target) target.focus();
      }
    }

    if (codeForm) {
      codeInput.value = readCode();
      codeForm.addEventListener('submit', (ev) => {
        ev.preventDefault();
        writeCode(codeInput.value.trim());
        requote();
      });
    }

    if (loading) loading.hidden = false;
    pricesFor(box)
      .then((data) => {
        prices = data;
        requote();
      })
      .catch(() => {
        if (loading) loading.hidden = true;
        list.replaceChildren(h('p', { class: 'results__message results__message--error', text: i18n.i18nPricesError }));
      });

    document.addEventListener('storefront:cart', () => {
      if (prices) requote();
    });
    document.addEventListener('storefront:estimate', () => {
      waiting = false;
      if (prices) requote();
    });
    window.addEventListener('storage', (ev) => {
      if ((ev.key === CART_KEY || ev.key === CODE_KEY) && prices) {
        if (codeInput && ev.key === CODE_KEY) codeInput.value = readCode();
        requote();
      }
    });
  }

  // ---------- Session: who is signed in, for the API-backed pages ----------

  /** undefined: not known yet; null: signed out; else the account (`GET /api/accounts/me`). */
  let session;

  function announce(profile) {
    session = profile;
    document.dispatchEvent(new CustomEvent('storefront:session', { detail: profile }));
  }

  // ---------- Account: sign-up, confirmation, sign-in, password reset ----------

  function initAccount() {
    const root = document.getElementById('account');
    if (!root?.dataset.api) return;
    const api = root.dataset.api;
    const t = root.dataset;
    const notice = root.querySelector('[data-account-notice]');
    const params = new URLSearchParams(location.search);
    const show = (text) => {
      if (!notice) return;
      notice.textContent = text || '';
      notice.hidden = !text;
    };
    // The server asks state-changing requests for JSON and checks their
    // Origin; fetch sends it, so nothing else is needed here.
    const call = async (path, method, body) => {
      const res = await fetch(`${api}/${path}`, {
        method,
        credentials: 'same-origin',
        headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      let data = null;
      try { data = await res.json(); } catch { data = null; }
      return { status: res.status, data };
    };

    const me = root.querySelector('#account-me');
    const signinCard = root.querySelector('#account-signin');
    const signupCard = root.querySelector('#account-signup');
    const resetCard = root.querySelector('#account-reset');
    const dashboard = document.getElementById('account-dashboard');

    const signedIn = (p) => {
      announce(p);
      me.querySelector('[data-me-name]').textContent = p.name || p.email;
      me.querySelector('[data-me-email]').textContent = fill(t.i18nSignedIn, { email: p.email });
      me.querySelector('[data-me-unverified]').hidden = !!p.verified;
      // The postal address invoices print, one line each.
      const address = me.querySelector('textarea[name="address"]');
      if (address) address.value = (p.address || []).join('\n');
      // Whether they agree to receive the storefront's newsletter.
      const newsletter = me.querySelector('input[name="newsletter"]');
      if (newsletter) newsletter.checked = !!p.newsletter;
      me.hidden = false;
      signinCard.hidden = true;
      signupCard.hidden = true;
      if (dashboard) dashboard.hidden = false;
    };
    const signedOut = () => {
      announce(null);
      me.hidden = true;
      signinCard.hidden = false;
      signupCard.hidden = false;
      if (dashboard) dashboard.hidden = true;
    };

    const refresh = async () => {
      try {
        const r = await call('me', 'GET');
        if (r.status === 200 && r.data) signedIn(r.data); else signedOut();
      } catch { signedOut(); }
    };

    const fieldsOf = (form) => {
      const body = {};
      for (const el of form.elements) {
        if (!el.name || (el.type === 'radio' && !el.checked)) continue;
        if (el.closest('[hidden]')) continue;
        const path = el.name.split('.');
        let o = body;
        while (path.length > 1) { const k = path.shift(); o = o[k] = o[k] || {}; }
        // A checkbox is a yes or no, ticked or not.
        o[path[0]] = el.type === 'checkbox' ? el.checked : el.value;
      }
      return body;
    };

    for (const form of root.querySelectorAll('form[data-account-form]')) {
      const action = form.dataset.accountForm;
      const status = form.querySelector('[data-form-status]');
      if (action === 'signup') {
        const toggle = () => {
          const company = form.querySelector('input[name="kind"][value="company"]').checked;
          for (const el of form.querySelectorAll('[data-company]')) el.hidden = !company;
        };
        for (const r of form.querySelectorAll('input[name="kind"]')) r.addEventListener('change', toggle);
        toggle();
      }
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        for (const e of form.querySelectorAll('[data-error-for]')) e.textContent = '';
        status.textContent = '';
        const body = fieldsOf(form);
        if (action === 'password/reset') body.token = params.get('reset') || '';
        // The account's own details: the address as its lines.
        if (action === 'me' && 'address' in body) body.address = String(body.address || '').split(/\r?\n/);
        let r;
        try {
          r = await call(action, action === 'me' ? 'PATCH' : 'POST', body);
        } catch {
          status.textContent = t.i18nError;
          return;
        }
        if (r.status >= 200 && r.status < 300) {
          if (action === 'me') { signedIn(r.data); status.textContent = form.dataset.saved || t.i18nAddressSaved; return; }
          form.reset();
          if (action === 'signin') { show(''); await refresh(); }
          else if (action === 'signup') show(t.i18nSignupDone);
          else if (action === 'password/forgot') status.textContent = t.i18nForgotDone;
          else if (action === 'password/reset') { resetCard.hidden = true; show(t.i18nResetDone); history.replaceState(null, '', location.pathname); }
          return;
        }
        const msg = (r.data && typeof r.data.message === 'string') ? r.data.message : t.i18nError;
        const slot = r.data?.field ? form.querySelector(`[data-error-for="${CSS.escape(r.data.field)}"]`) : null;
        if (slot) slot.textContent = msg; else status.textContent = msg;
      });
    }

    const signout = root.querySelector('[data-signout]');
    if (signout) signout.addEventListener('click', async () => {
      try { await call('signout', 'POST', {}); } catch { /* signed out locally anyway */ }
      signedOut();
    });

    (async () => {
      const verify = params.get('verify');
      if (verify) {
        history.replaceState(null, '', location.pathname);
        try {
          const r = await call('verify', 'POST', { token: verify });
          show(r.status === 200 ? t.i18nVerified : (r.data?.message || t.i18nVerifyFailed));
        } catch { show(t.i18nVerifyFailed); }
      }
      if (params.get('reset') && resetCard) resetCard.hidden = false;
      await refresh();
    })();
  }

  // ---------- Copy buttons (widget page) ----------

  function initCopy() {
    for (const btn of document.querySelectorAll('button[data-copy]')) {
      const source = document.getElementById(btn.dataset.copy);
      if (!source || !navigator.clipboard || !window.isSecureContext) continue;
      const status = btn.parentElement?.querySelector('[data-copy-status]');
      btn.hidden = false;
      btn.addEventListener('click', () => {
        navigator.clipboard.writeText(source.textContent).then(() => {
          if (status) status.textContent = btn.dataset.i18nCopied || '';
        }, () => {
          const range = document.createRange();
          range.selectNodeContents(source);
          const sel = window.getSelection();
          sel.removeAllRanges();
          sel.addRange(range);
        });
      });
    }
  }

  function start() {
    window.addEventListener('storage', (ev) => {
      if (ev.key === CART_KEY || ev.key === null) updateCartCount();
    });
    const steps = [() => updateCartCount(), initSearchForms, initSearch, initCart, initAccount, initCopy];
    for (const step of steps) {
      try {
        step();
      } catch (e) {
        if (window.console) console.error('storefront:', e);
      }
    }
  }

  // Exposed for tests and for the money pages below (and scripts that come later).
  window.Storefront = Object.freeze({
    normalise, splitName, readCart, writeCart, readCode, writeCode, shownName, listedPrice,
    h, fill, yearsText, pricesFor, periodsFor, session: () => session,
  });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();

// ===================================================================
// The pages that move money — checkout, and the account's wallet,
// top-ups, orders, domains and invoices — built on the helpers above
// (window.Storefront). Each finds its part by data-shop="checkout|account";
// on other pages it does nothing. The reseller's own money (top-ups to
// decide, orders to mark paid or refund) is the back office's, under panel/.
// Every value from the API is inserted as text (textContent, text
// nodes), never as HTML. Text comes from #shop-strings (data-i18n-*
// attributes rendered from the string table); amounts arrive formatted
// by the API in the page's language (`?lang=` on every request).
// ===================================================================
(() => {
  'use strict';

  const S = window.Storefront;
  if (!S) return;
  const { h, fill } = S;
  const LANG = document.documentElement.lang || undefined;
  const MAX_PROOF_BYTES = 5 * 1024 * 1024;

  // ---------- Strings ----------

  const stringsNode = document.getElementById('shop-strings');
  const strings = stringsNode ? stringsNode.dataset : {};

  /** `shop_<key>` in the page's language, placeholders filled; the key itself when missing. */
  function T(key, values) {
    const name = `i18nShop${key.replace(/(?:^|_)([a-z])/g, (_m, c) => c.toUpperCase())}`;
    const text = strings[name];
    if (text === undefined) return key;
    return values ? fill(text, values) : text;
  }

  /** The name of a state, kind or payment the API answers with a code. */
  function label(prefix, code) {
    const text = T(`${prefix}_${String(code || '').replace(/-/g, '_')}`);
    return text === `${prefix}_${String(code || '').replace(/-/g, '_')}` ? String(code || '') : text;
  }

  const actionText = (a) => ({ register: strings.i18nActionRegister, transfer: strings.i18nActionTransfer, renew: strings.i18nActionRenew }[a] || String(a || ''));
  const yearsText = (n) => S.yearsText(strings, Number(n));
  /** What a quoted line asks of its registrant's documents, as the server decided it. */
  const documentTerms = (d) =>
    fill(strings[d.registered_first ? 'i18nDocumentsTermsFirst' : 'i18nDocumentsTermsWait'] || '', {
      days: S.yearsText(strings, Number(d.days), 'Days'),
    });

  // ---------- Formatting ----------

  /** `{amount, display}` from the API: the display as the API formatted it. */
  function shown(m) {
    if (m && typeof m === 'object') return typeof m.display === 'string' ? m.display : String(m.amount === undefined ? '' : m.amount);
    return m === undefined || m === null ? '' : String(m);
  }

  /** A date (YYYY-MM-DD) or a moment (RFC 3339) in the page's language. */
  function when(value) {
    if (!value) return '';
    const s = String(value);
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(s);
    const d = new Date(dateOnly ? `${s}T00:00:00` : s);
    if (Number.isNaN(d.getTime())) return s;
    try {
      return new Intl.DateTimeFormat(LANG, dateOnly ? { dateStyle: 'medium' } : { dateStyle: 'medium', timeStyle: 'short' }).format(d);
    } catch {
      return d.toISOString().slice(0, dateOnly ? 10 : 16).replace('T', ' ');
    }
  }

  function badge(prefix, code) {
    return h('span', { class: `state state--${String(code || '').replace(/[^a-z_-]/g, '')}`, text: label(prefix, code) });
  }

  // ---------- The API ----------

  /**
   * A caller of the API under `root.dataset.api`, in the page's language.
   * `opts`: method, json (a body sent as JSON), file (a raw body), headers.
   * Answers {ok, status, data, headers}; throws only when the network fails.
   * State-changing requests are same-origin JSON: fetch sends the Origin.
   */
  function client(root) {
    const api = root.dataset.api;
    const lang = root.dataset.lang || document.documentElement.lang || '';
    const call = async (path, opts = {}) => {
      const url = `${api}/${path}${path.includes('?') ? '&' : '?'}lang=${encodeURIComponent(lang)}`;
      const headers = { Accept: 'application/json' };
      let body;
      if (opts.json !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(opts.json);
      } else if (opts.file) {
        headers['Content-Type'] = opts.file.type || 'application/octet-stream';
        body = opts.file;
      }
      Object.assign(headers, opts.headers || {});
      const res = await fetch(url, {
        method: opts.method || (body === undefined ? 'GET' : 'POST'),
        credentials: 'same-origin',
        headers,
        body,
      });
      let data = null;
      if ((res.headers.get('content-type') || '').includes('json')) {
        try { data = await res.json(); } catch { data = null; }
      }
      return { ok: res.ok, status: res.status, data, headers: res.headers };
    };
    call.link = (path, query) => `${api}/${path}?lang=${encodeURIComponent(lang)}${query ? `&${query}` : ''}`;
    return call;
  }

  const enc = encodeURIComponent;

  /** A list from the API, or [] (and the error shown in `box`) when it failed. */
  async function list(call, path, box) {
    try {
      const r = await call(path);
      if (r.ok && Array.isArray(r.data)) return r.data;
      if (box) box.replaceChildren(h('p', { class: 'field__error', text: messageOf(r) }));
    } catch {
      if (box) box.replaceChildren(h('p', { class: 'field__error', text: T('error') }));
    }
    return null;
  }

  /**
   * A page of a list from the API: its items and the query of the next page
   * (from the `Link: <?…>; rel="next"` header), or null when it failed.
   */
  async function page(call, path, box) {
    try {
      const r = await call(path);
      if (r.ok && Array.isArray(r.data)) {
        const m = /<\?([^>]*)>;\s*rel="next"/.exec(r.headers.get('link') || '');
        return { items: r.data, next: m ? m[1] : '' };
      }
      if (box) box.replaceChildren(h('p', { class: 'field__error', text: messageOf(r) }));
    } catch {
      if (box) box.replaceChildren(h('p', { class: 'field__error', text: T('error') }));
    }
    return null;
  }

  function messageOf(r) {
    return r?.data && typeof r.data.message === 'string' && r.data.message ? r.data.message : T('error');
  }

  // ---------- Forms ----------

  function clearErrors(form) {
    for (const slot of form.querySelectorAll('[data-error-for]')) slot.textContent = '';
    for (const el of form.querySelectorAll('[aria-invalid]')) el.removeAttribute('aria-invalid');
    const status = form.querySelector('[data-form-status]');
    if (status) status.textContent = '';
  }

  /** The message of a failed answer next to the field it names (focused), else in `status`. */
  function showError(form, status, r) {
    const msg = messageOf(r);
    const field = r?.data && typeof r.data.field === 'string' ? r.data.field : null;
    const slot = field && form ? form.querySelector(`[data-error-for="${CSS.escape(field)}"]`) : null;
    if (slot) {
      slot.textContent = msg;
      // The field's own control; for a checkout line as a whole, its remove button.
      const own = slot.closest('.field');
      const line = slot.closest('.checkout-line');
      const input = own ? own.querySelector('input:not([type=hidden]), select, textarea')
        : line ? line.querySelector('[data-remove]') : null;
      if (input) {
        if (own) input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    } else if (status) {
      status.textContent = msg;
    }
    return msg;
  }

  /** A labelled field; `control` is an input or select built by the caller (with an id). */
  function field(labelText, control, errorFor, hint) {
    const errorId = `${control.id}-error`;
    const hintId = hint ? `${control.id}-hint` : null;
    control.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
    return h('div', { class: 'field' }, [
      h('label', { class: 'field__label', text: labelText, attrs: { for: control.id } }),
      control,
      hint ? h('p', { class: 'field__hint', text: hint, attrs: { id: hintId } }) : null,
      h('p', { class: 'field__error', attrs: { id: errorId, 'data-error-for': errorFor, 'aria-live': 'polite' } }),
    ]);
  }

  /** Facts of a record as a definition list; empty values are left out. */
  function facts(pairs) {
    return h('dl', { class: 'record__facts' }, pairs
      .filter((p) => p && p[1] !== null && p[1] !== undefined && p[1] !== '')
      .map(([k, v]) => h('div', {}, [h('dt', { text: k }), h('dd', {}, [v])])));
  }

  function records(items, render, empty) {
    if (!items.length) return h('p', { class: 'empty-note', text: empty || T('empty') });
    return h('ul', { class: 'records' }, items.map(render));
  }



  /** A fresh idempotency key: one per checkout attempt. */
  function newKey() {
    if (window.crypto && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const x = Array.from(b, (v) => v.toString(16).padStart(2, '0')).join('');
    return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
  }

  function bankList(accounts) {
    return accounts.map((b) => h('li', { class: 'bank' }, [h('dl', { class: 'bank__facts' }, [
      h('div', {}, [h('dt', { text: T('bank') }), h('dd', { class: 'bank__name', text: b.bank })]),
      h('div', {}, [h('dt', { text: T('bank_number') }), h('dd', { class: 'bank__number', text: b.number })]),
      h('div', {}, [h('dt', { text: T('bank_holder') }), h('dd', { text: b.holder })]),
    ])]));
  }

  // ---------- Wallet (the customer's, on the account page) ----------

  function wallet(box, call) {
    const base = box.dataset.wallet;
    const proofs = box.hasAttribute('data-proofs');
    const form = box.querySelector('[data-topup-form]');
    const select = form.querySelector('select[name="bank_account"]');
    const status = form.querySelector('[data-form-status]');
    const banks = box.querySelector('[data-wallet-banks]');
    const unavailable = box.querySelector('[data-topup-unavailable]');
    const topupsBox = box.querySelector('[data-wallet-topups]');
    const entriesBox = box.querySelector('[data-wallet-entries]');
    let accounts = [];

    function renderWallet(w) {
      for (const dd of box.querySelectorAll('[data-balance]')) dd.textContent = shown(w[dd.dataset.balance]);
      const limit = box.querySelector('[data-balance="credit_limit"]');
      if (limit) limit.parentElement.hidden = !(w.credit_limit && Number(w.credit_limit.amount) > 0);
      accounts = w.bank_accounts || [];
      if (banks) banks.replaceChildren(...bankList(accounts));
      const chosen = select.value;
      select.replaceChildren(...accounts.map((b) => h('option', {
        text: `${b.bank} ${b.number} (${b.holder})`,
        attrs: { value: b.id, selected: b.id === chosen },
      })));
      form.hidden = accounts.length === 0;
      if (unavailable) unavailable.hidden = accounts.length > 0;

      const entries = Array.isArray(w.entries) ? w.entries : [];
      if (!entries.length) {
        entriesBox.replaceChildren(h('p', { class: 'empty-note', text: T('empty') }));
        return;
      }
      const sign = { top_up: '+', refund: '+', capture: '−' };
      entriesBox.replaceChildren(h('table', { class: 'data-table' }, [
        h('caption', { class: 'visually-hidden', text: T('entries_caption') }),
        h('thead', {}, [h('tr', {}, [
          h('th', { text: T('col_date'), attrs: { scope: 'col' } }),
          h('th', { text: T('col_what'), attrs: { scope: 'col' } }),
          h('th', { class: 'num', text: T('col_amount'), attrs: { scope: 'col' } }),
        ])]),
        h('tbody', {}, entries.map((e) => h('tr', { class: `entry entry--${String(e.kind || '').replace(/[^a-z_]/g, '')}` }, [
          h('td', { text: when(e.at) }),
          h('td', {}, [h('span', { class: 'entry__kind', text: label('entry', e.kind) }), e.reason ? h('span', { class: 'entry__reason', text: e.reason }) : null]),
          h('td', { class: 'num', text: (sign[e.kind] || '') + shown(e.amount) }),
        ]))),
      ]));
    }

    function bankName(id) {
      const b = accounts.find((a) => a.id === id);
      return b ? `${b.bank} ${b.number}` : id;
    }

    function renderTopups(items) {
      topupsBox.replaceChildren(records(items, (t) => {
        const attach = proofs && t.state === 'pending' && !t.proof ? proofForm(t) : null;
        return h('li', { class: 'record', attrs: { 'data-topup': t.id } }, [
          h('p', { class: 'record__head' }, [h('span', { class: 'record__title', text: t.amount_display || String(t.amount) }), ' ', badge('state', t.state)]),
          facts([
            [T('col_date'), when(t.requested_at)],
            [T('col_bank'), bankName(t.bank_account)],
            [T('col_reference'), t.transfer_reference],
            [T('col_proof'), t.proof ? T('proof_attached') : ''],
            [T('col_reason'), t.state === 'rejected' ? t.reason || '' : ''],
          ]),
          attach,
        ]);
      }, T('no_topups')));
    }

    /** Attach a proof to a pending top-up sent without one. */
    function proofForm(t) {
      const input = h('input', { class: 'field__input', attrs: { type: 'file', id: `proof-${t.id}`, name: 'proof', accept: 'application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg' } });
      const mini = h('form', { class: 'form inline-form', attrs: { novalidate: true } }, [
        field(T('attach_label', { amount: t.amount_display || '' }), input, 'proof'),
        h('button', { class: 'button button--ghost button--small', text: T('attach'), attrs: { type: 'submit' } }),
        h('p', { class: 'form__status', attrs: { role: 'status', 'data-form-status': true } }),
      ]);
      mini.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        clearErrors(mini);
        const file = input.files?.[0];
        const r = await sendProof(t.id, file, mini);
        if (r) await load();
      });
      return mini;
    }

    /** PUT the file as the top-up's proof; shows problems in `form`. True when attached. */
    async function sendProof(id, file, form) {
      const slot = form.querySelector('[data-error-for="proof"]');
      const say = (text) => { if (slot) slot.textContent = text; };
      if (!file) { say(T('proof_missing')); return false; }
      if (file.size > MAX_PROOF_BYTES) { say(T('proof_too_large')); return false; }
      try {
        const r = await call(`${base}/topups/${enc(id)}/proof`, { method: 'PUT', file });
        if (r.ok) return true;
        say(messageOf(r));
      } catch {
        say(T('error'));
      }
      return false;
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      const body = {
        amount: form.elements.amount.value,
        bank_account: select.value,
        transfer_reference: form.elements.transfer_reference.value,
      };
      const proofInput = proofs ? form.elements.proof : null;
      const file = proofInput?.files?.[0];
      if (file && file.size > MAX_PROOF_BYTES) {
        form.querySelector('[data-error-for="proof"]').textContent = T('proof_too_large');
        proofInput.setAttribute('aria-invalid', 'true');
        proofInput.focus();
        return;
      }
      const button = form.querySelector('button[type="submit"]');
      button.disabled = true;
      try {
        const r = await call(`${base}/topups`, { json: body });
        if (r.status !== 201 || !r.data) {
          showError(form, status, r);
          return;
        }
        let done = T('topup_done');
        if (file && !(await sendProof(r.data.id, file, form))) done = T('topup_done_no_proof');
        form.reset();
        status.textContent = done;
        await load();
      } catch {
        status.textContent = T('error');
      } finally {
        button.disabled = false;
      }
    });

    async function load() {
      const [w, t] = await Promise.all([
        call(base).catch(() => null),
        list(call, `${base}/topups`, topupsBox),
      ]);
      if (w?.ok && w.data) renderWallet(w.data);
      else entriesBox.replaceChildren(h('p', { class: 'field__error', text: messageOf(w) }));
      if (t) renderTopups(t);
      return w?.ok ? w.data : null;
    }

    function clear() {
      for (const dd of box.querySelectorAll('[data-balance]')) dd.textContent = '…';
      topupsBox.replaceChildren();
      entriesBox.replaceChildren();
      form.reset();
      clearErrors(form);
    }

    return { load, clear };
  }

  // ---------- Orders ----------

  function lineRecords(order) {
    const lines = Array.isArray(order.lines) ? order.lines : [];
    return h('ul', { class: 'order-lines' }, lines.map((l) => h('li', { class: 'order-line' }, [
      h('p', { class: 'record__head' }, [h('span', { class: 'record__title', text: l.display || l.domain }), ' ', badge('state', l.status)]),
      facts([
        [T('col_type'), actionText(l.action)],
        [T('col_period'), l.years ? yearsText(l.years) : ''],
        [T('col_total'), shown(l.gross)],
        [T('col_expires'), l.expires ? when(l.expires) : ''],
        [T('col_reason'), l.reason || ''],
      ]),
      l.status === 'awaiting_documents' ? h('p', { class: 'order-line__note', text: T('documents_needed') }) : null,
    ])));
  }

  // ---------- Documents (what an order's lines ask of their registrant) ----------

  /** The states in which a line may ask for documents: paid, not settled against them. */
  const DOCUMENT_STATES = ['awaiting_documents', 'paid', 'provisioning', 'active'];
  const ACCEPT = { pdf: '.pdf,application/pdf', jpg: '.jpg,.jpeg,image/jpeg', jpeg: '.jpg,.jpeg,image/jpeg', png: '.png,image/png' };

  /** A size in kilobytes as a person reads it ("2 MB", "500 kB"), in the page's language. */
  function sizeText(kb) {
    const mb = kb >= 1024 && kb % 1024 === 0;
    try {
      return new Intl.NumberFormat(LANG, { style: 'unit', unit: mb ? 'megabyte' : 'kilobyte', maximumFractionDigits: 0 }).format(mb ? kb / 1024 : kb);
    } catch {
      return mb ? `${kb / 1024} MB` : `${kb} kB`;
    }
  }

  /** Each line's documents in `box`: every item with its state, what was sent and a form until approved. */
  async function documents(call, orderId, box) {
    const sets = await list(call, `orders/${enc(orderId)}/documents`, box);
    if (sets) box.replaceChildren(...sets.map((set) => documentSet(call, set)));
  }

  function documentSet(call, set) {
    const intro = h('p', { class: 'field__hint' });
    const items = h('ul', { class: 'records' });
    /** Send a new version of an item (a file by `upload`); the answer, once kept, is drawn. */
    const send = async (id, opts) => {
      const path = `orders/${enc(set.order)}/documents/${enc(set.line)}/${enc(id)}`;
      const r = await (opts.file ? upload(call, path, opts.file) : call(path, opts));
      if (r.ok && r.data && Array.isArray(r.data.items)) update(r.data, id);
      return r;
    };
    /** The line's documents as the server answered; the item just sent is redrawn, the others keep what is typed. */
    const update = (s, sent) => {
      intro.textContent = s.complete ? T('documents_done') : T('documents_intro');
      for (const item of s.items || []) {
        const old = items.querySelector(`[data-item="${CSS.escape(item.id)}"]`);
        if (old && item.id !== sent) continue;
        const node = documentItem(item, s, send);
        if (old) old.replaceWith(node);
        else items.append(node);
        if (item.id === sent) {
          node.querySelector('[data-sent]').textContent = T('document_sent_status');
          node.focus();
        }
      }
    };
    update(set, null);
    // Deleted after the domain ended: the server says what and when.
    if (set.deleted) intro.textContent = set.deleted;
    const section = h('section', { class: 'documents', attrs: { 'data-documents': set.line } }, [
      h('h3', { class: 'subsection-title', text: T('documents_heading', { domain: set.domain }) }),
      intro,
      reuseOffers(call, set, (s) => section.replaceWith(documentSet(call, s))),
      items,
    ]);
    return section;
  }

  /** Documents approved for another of the customer's names that this line may use instead (the server decides which). */
  function reuseOffers(call, set, done) {
    const offers = set.complete ? [] : set.reuse || [];
    if (!offers.length) return null;
    const status = h('p', { class: 'form__status', attrs: { role: 'status' } });
    const use = async (offer, button) => {
      button.disabled = true;
      status.textContent = '';
      try {
        const r = await call(`orders/${enc(set.order)}/documents/${enc(set.line)}/reuse`, { method: 'POST', json: { order: offer.order, line: offer.line } });
        if (r.ok && r.data) return done(r.data);
        status.textContent = messageOf(r);
      } catch {
        status.textContent = T('error');
      }
      button.disabled = false;
    };
    return h('div', { class: 'documents-reuse', attrs: { 'data-reuse': set.line } }, [
      h('p', { class: 'field__hint', text: T('documents_reuse_hint') }),
      ...offers.map((o) => {
        const button = h('button', { class: 'button button--small', text: T('documents_reuse', { domain: o.domain, date: when(o.approved_at) }), attrs: { type: 'button' } });
        button.addEventListener('click', () => use(o, button));
        return button;
      }),
      status,
    ]);
  }

  /**
   * A document file: asks the API how to send it, then PUTs it to the API
   * or POSTs it straight to storage (the ticket's fields, then the file) and
   * asks the API to take it. Either way the server judges the bytes.
   */
  async function upload(call, path, file) {
    const t = await call(`${path}/uploads`, { method: 'POST', json: { content_type: file.type } });
    if (!t.ok) return t;
    if (t.data?.method !== 'POST') return call(`${path}?name=${enc(file.name)}`, { method: 'PUT', file });
    const form = new FormData();
    for (const [k, v] of Object.entries(t.data.fields || {})) form.append(k, v);
    form.append('file', file);
    // Storage refuses what its policy does not allow; the completion then says so.
    await fetch(t.data.url, { method: 'POST', body: form }).catch(() => null);
    return call(`${path}/uploads/${enc(t.data.upload)}/complete`, { method: 'POST', json: { name: file.name } });
  }

  function documentItem(item, set, send) {
    const holds = item.holds || {};
    let sent = holds.file ? `${holds.file} (${sizeText(Math.max(1, Math.round((holds.size || 0) / 1024)))})` : holds.text ?? holds.choice ?? '';
    // A file opens through the short-lived link the server made with this view.
    if (holds.file && item.link) sent = h('a', { text: sent, attrs: { href: item.link, download: holds.file } });
    return h('li', { class: 'record document', attrs: { 'data-item': item.id, tabindex: -1 } }, [
      h('p', { class: 'record__head' }, [h('span', { class: 'record__title', text: item.label }), ' ', badge('state', item.state)]),
      facts([
        [T('document_sent'), sent],
        [T('document_version'), item.version || ''],
        [T('col_date'), when(item.sent_at)],
        [T('col_reason'), item.state === 'rejected' ? item.reason || '' : ''],
        [T('document_reused'), item.reused ? item.reused.domain : ''],
      ]),
      item.state === 'approved' ? null : documentForm(item, set, send),
      h('p', { class: 'form__status', attrs: { role: 'status', 'data-sent': true } }),
    ]);
  }

  /** The form that sends an item: a file (its bytes), a text or one of the options. */
  function documentForm(item, set, send) {
    const id = `document-${set.order}-${set.line}-${item.id}`;
    const attrs = { id, name: item.id, required: true };
    let control;
    let hint = item.help || '';
    if (item.kind === 'file') {
      const accept = item.accept || [];
      attrs.type = 'file';
      attrs.accept = accept.map((a) => ACCEPT[a] || `.${a}`).join(',');
      if (item.max_size_kb) hint = `${hint} ${T('document_file_hint', { types: accept.join(', ').toUpperCase(), size: sizeText(item.max_size_kb) })}`.trim();
      control = h('input', { class: 'field__input', attrs });
    } else if (item.kind === 'choice') {
      const options = item.options || [];
      control = h('select', { class: 'field__input', attrs }, [
        h('option', { text: T('document_choose'), attrs: { value: '' } }),
        ...options.map((o, i) => h('option', { text: o, attrs: { value: i, selected: o === item.holds?.choice } })),
      ]);
    } else {
      Object.assign(attrs, { maxlength: item.max_length, autocomplete: 'off', value: item.holds?.text || '' });
      control = h('input', { class: 'field__input', attrs });
    }
    const button = h('button', { class: 'button button--primary button--small', text: T(item.version ? 'document_resend' : 'document_send'), attrs: { type: 'submit' } });
    const status = h('p', { class: 'form__status', attrs: { role: 'status', 'data-form-status': true } });
    const form = h('form', { class: 'form inline-form', attrs: { novalidate: true, 'aria-label': item.label } }, [
      field(T(`document_${item.kind}_label`), control, item.id, hint || null),
      button,
      status,
    ]);
    const refuse = (text) => showError(form, status, { data: { message: text, field: item.id } });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      let opts;
      if (item.kind === 'file') {
        const file = control.files?.[0];
        if (!file) return refuse(T('document_missing'));
        // The server decides; this only spares a long upload it would refuse.
        if (item.max_size_kb && file.size > item.max_size_kb * 1024) return refuse(T('document_too_large', { size: sizeText(item.max_size_kb) }));
        opts = { method: 'PUT', file };
      } else {
        opts = { method: 'PUT', json: item.kind === 'choice' ? { choice: control.value } : { text: control.value } };
      }
      button.disabled = true;
      try {
        const r = await send(item.id, opts);
        if (!r.ok) showError(form, status, r);
      } catch {
        status.textContent = T('error');
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }

  /** The customer's orders; one awaiting payment can be cancelled. */
  function orders(box, call) {
    const base = 'orders';

    function invoiceLink(number, text) {
      if (!number) return '';
      return h('a', { text: text || number, attrs: { href: call.link(`invoices/${enc(number)}`) } });
    }

    async function details(id, holder, head) {
      holder.replaceChildren(h('p', { class: 'empty-note', text: T('loading') }));
      let r;
      try {
        r = await call(`${base}/${enc(id)}`);
      } catch {
        holder.replaceChildren(h('p', { class: 'field__error', text: T('error') }));
        return;
      }
      if (!r.ok || !r.data) {
        holder.replaceChildren(h('p', { class: 'field__error', text: messageOf(r) }));
        return;
      }
      const o = r.data;
      if (head) head.replaceChildren(badge('state', o.state));
      const status = h('p', { class: 'form__status', attrs: { role: 'status', 'data-form-status': true } });
      const kids = [
        facts([
          [T('col_payment'), label('payment', o.payment)],
          [T('col_due'), o.state === 'awaiting_payment' && o.due ? when(o.due) : ''],
          [T('col_proforma'), invoiceLink(o.proforma)],
          [T('col_invoice'), invoiceLink(o.invoice)],
          [T('col_net'), shown(o.net)],
          [T('col_tax'), shown(o.tax)],
          [T('col_total'), shown(o.gross)],
        ]),
        lineRecords(o),
      ];
      if ((o.lines || []).some((l) => DOCUMENT_STATES.includes(l.status) && l.action !== 'renew')) {
        const docs = h('div', { class: 'documents-box' }, [h('p', { class: 'empty-note', text: T('loading') })]);
        kids.push(docs);
        documents(call, o.id, docs);
      }
      const cancel = async () => {
        status.textContent = '';
        try {
          const res = await call(`${base}/${enc(o.id)}/cancel`, { json: {} });
          if (res.ok) {
            await details(o.id, holder, head);
            holder.querySelector('[data-form-status]').textContent = T('saved');
          } else {
            showError(null, status, res);
          }
        } catch {
          status.textContent = T('error');
        }
      };
      if (o.state === 'awaiting_payment') {
        kids.push(h('p', {}, [h('button', {
          class: 'button button--ghost button--small', text: T('cancel_order'),
          attrs: { type: 'button', 'aria-label': T('cancel_order_label', { id: o.id }) },
          on: { click: cancel },
        })]));
      }
      kids.push(status);
      holder.replaceChildren(...kids);
    }

    async function load() {
      const first = await page(call, base, box);
      if (!first) return;
      const row = (o, i) => {
        const head = h('span', { class: 'record__state' }, [badge('state', o.state)]);
        const holder = h('div', { class: 'record__details' });
        const domains = Array.isArray(o.domains) ? o.domains.join(', ') : '';
        const meta = [when(o.created_at), domains, o.gross_display || String(o.gross)];
        if (o.renewal) meta.push(T('renewal'));
        const summary = h('summary', { class: 'record__summary' }, [
          h('span', { class: 'record__title', text: T('order_title', { id: o.id }) }), ' ', head,
          h('span', { class: 'record__meta', text: meta.filter(Boolean).join(' · ') }),
        ]);
        const more = h('details', { class: 'record__more' }, [summary, holder]);
        let loaded = false;
        const open = () => {
          if (loaded) return;
          loaded = true;
          details(o.id, holder, head);
        };
        more.addEventListener('toggle', () => { if (more.open) open(); });
        // The newest order is open, and those in progress (which may wait
        // for documents): what was just bought shows its lines.
        if (i === 0 || o.state === 'provisioning') {
          more.open = true;
          open();
        }
        return h('li', { class: 'record', attrs: { 'data-order': o.id } }, [more]);
      };
      box.replaceChildren(records(first.items, row, T('no_orders')));
      // Fifty a page: older orders on request, the next page the API linked.
      let next = first.next;
      const older = h('button', { class: 'button button--ghost button--small', text: T('older_orders'), attrs: { type: 'button' } });
      const status = h('p', { class: 'form__status', attrs: { role: 'status' } });
      older.addEventListener('click', async () => {
        older.disabled = true;
        status.textContent = '';
        const more = await page(call, `${base}?${next}`, null);
        older.disabled = false;
        if (!more) {
          status.textContent = T('error');
          return;
        }
        const ul = box.querySelector('.records');
        for (const o of more.items) ul.append(row(o, -1));
        next = more.next;
        older.hidden = !next;
      });
      older.hidden = !next;
      box.append(h('p', {}, [older]), status);
    }
    return { load };
  }

  // ---------- Domains ----------

  function domains(box, call, { cartUrl }) {
    const base = 'domains';

    function autoRenew(d) {
      const id = `auto-renew-${d.name}`;
      const input = h('input', { attrs: { type: 'checkbox', id, checked: !!d.auto_renew } });
      const status = h('span', { class: 'inline-status', attrs: { role: 'status' } });
      input.addEventListener('change', async () => {
        const want = input.checked;
        input.disabled = true;
        status.textContent = '';
        try {
          const r = await call(`${base}/${enc(d.name)}`, { method: 'PATCH', json: { auto_renew: want } });
          if (r.ok) status.textContent = T('saved');
          else {
            input.checked = !want;
            status.textContent = messageOf(r);
          }
        } catch {
          input.checked = !want;
          status.textContent = T('error');
        } finally {
          input.disabled = false;
        }
      });
      return h('span', { class: 'check' }, [input, ' ', h('label', { text: T('auto_renew'), attrs: { for: id } }), ' ', status]);
    }

    function renewButton(d) {
      if (!cartUrl || !['active', 'expired'].includes(d.status)) return null;
      const ext = String(d.name).split('.').slice(1).join('.');
      const btn = h('button', {
        class: 'button button--ghost button--small', text: T('renew'),
        attrs: { type: 'button', 'aria-label': T('renew_label', { domain: d.display || d.name }) },
      });
      btn.addEventListener('click', () => {
        const items = S.readCart().filter((it) => it.domain !== d.name);
        items.push({ domain: d.name, display: d.display || d.name, ext, years: 1, action: 'renew' });
        S.writeCart(items);
        window.location.href = cartUrl;
      });
      return btn;
    }

    // A paid order line waiting for its documents has no domain yet: it
    // names its order, and nothing can be renewed.
    const row = (d) => h('li', { class: 'record', attrs: { 'data-domain': d.name } }, [
      h('p', { class: 'record__head' }, [h('span', { class: 'record__title', text: d.display || d.name }), ' ', badge('state', d.status)]),
      d.order ? facts([[T('domain_order'), d.order]]) : facts([[T('col_expires'), when(d.expires)]]),
      d.order ? null : h('div', { class: 'record__actions' }, [autoRenew(d), renewButton(d)]),
    ]);

    // The four lists (as the API decided each domain's), each with its
    // count; `shown` is the one on screen.
    const LISTS = ['active', 'expired', 'awaiting_documents', 'deleted'];
    function show(items, counts, shown) {
      const tabs = h('div', { class: 'filter-tabs', attrs: { role: 'group', 'aria-label': T('domain_filters') } }, LISTS.map((s) => h('button', {
        class: 'filter-tabs__tab', text: `${label('state', s)} (${Number(counts[s]) || 0})`,
        attrs: { type: 'button', 'data-status': s, 'aria-pressed': String(s === shown) },
        on: { click: () => { show(items, counts, s); box.querySelector(`[data-status="${s}"]`).focus(); } },
      })));
      const here = items.filter((d) => d.status === shown);
      box.replaceChildren(tabs, records(here, row, T(items.length ? 'no_domains_here' : 'no_domains')));
    }

    async function load() {
      try {
        const r = await call(base);
        if (!r.ok || !r.data || !Array.isArray(r.data.domains)) {
          box.replaceChildren(h('p', { class: 'field__error', text: messageOf(r) }));
          return;
        }
        const counts = r.data.counts || {};
        show(r.data.domains, counts, LISTS.find((s) => counts[s] > 0) || 'active');
      } catch {
        box.replaceChildren(h('p', { class: 'field__error', text: T('error') }));
      }
    }
    return { load };
  }

  // ---------- Invoices ----------

  function invoices(box, call) {
    const base = 'invoices';
    async function load() {
      const items = await list(call, base, box);
      if (!items) return;
      box.replaceChildren(records(items, (inv) => h('li', { class: 'record' }, [
        h('p', { class: 'record__head' }, [h('span', { class: 'record__title', text: inv.number }), ' ', h('span', { class: 'state', text: label('invoice', inv.kind) })]),
        facts([
          [T('col_date'), when(inv.issued)],
          [T('col_total'), inv.gross_display || String(inv.gross)],
        ]),
        h('p', { class: 'record__actions' }, [
          h('a', { class: 'button button--ghost button--small', text: T('invoice_view'), attrs: { href: call.link(`${base}/${enc(inv.number)}`), 'aria-label': T('invoice_view_label', { number: inv.number }) } }),
          ' ',
          h('a', { class: 'button button--ghost button--small', text: T('invoice_pdf'), attrs: { href: call.link(`${base}/${enc(inv.number)}`, 'format=pdf'), 'aria-label': T('invoice_pdf_label', { number: inv.number }) } }),
        ]),
      ]), T('no_invoices')));
    }
    return { load };
  }

  // ---------- The account page ----------

  function initAccount(root) {
    const call = client(root);
    const walletBox = root.querySelector('[data-wallet]');
    const panelLink = root.querySelector('[data-panel-link]');
    const parts = {
      wallet: walletBox ? wallet(walletBox, call) : null,
      domains: domains(root.querySelector('[data-account-domains]'), call, { cartUrl: root.dataset.cartUrl }),
      orders: orders(root.querySelector('[data-account-orders]'), call),
      invoices: invoices(root.querySelector('[data-account-invoices]'), call),
    };
    let shownFor = null;

    async function show(profile) {
      if (!profile) {
        shownFor = null;
        if (panelLink) panelLink.hidden = true;
        if (parts.wallet) parts.wallet.clear();
        for (const sel of ['[data-account-domains]', '[data-account-orders]', '[data-account-invoices]']) {
          root.querySelector(sel).replaceChildren(h('p', { class: 'empty-note', text: T('empty') }));
        }
        return;
      }
      if (shownFor === profile.id) return;
      shownFor = profile.id;
      if (panelLink) panelLink.hidden = !(profile.role === 'owner' || profile.role === 'admin');
      await Promise.all([
        parts.wallet ? parts.wallet.load() : null,
        parts.domains.load(),
        parts.orders.load(),
        parts.invoices.load(),
      ]);
      root.setAttribute('data-loaded', '');
      // A link such as account/#account-wallet lands on its part once it is shown.
      const target = window.location.hash && document.getElementById(window.location.hash.slice(1));
      if (target && root.contains(target)) target.scrollIntoView();
    }

    document.addEventListener('storefront:session', (ev) => { show(ev.detail); });
    if (S.session() !== undefined) show(S.session());
  }

  // ---------- Checkout ----------

  function initCheckout(root) {
    const call = client(root);
    const form = root.querySelector('[data-checkout-form]');
    const estimate = root.querySelector('[data-checkout-estimate]');
    const cartBox = root.querySelector('[data-cart]');
    const signin = document.getElementById('checkout-signin');
    const linesBox = form.querySelector('[data-checkout-lines]');
    const quoteButton = form.querySelector('[data-quote]');
    const quoteAction = form.querySelector('[data-quote-action]');
    const quoteBox = form.querySelector('[data-quote-box]');
    const quoteTable = form.querySelector('[data-quote-table]');
    const changed = form.querySelector('[data-price-changed]');
    const expires = form.querySelector('[data-quote-expires]');
    const payment = form.querySelector('[data-payment]');
    const balanceNote = form.querySelector('[data-wallet-balance]');
    const topupLink = form.querySelector('[data-topup-link]');
    const place = form.querySelector('[data-place]');
    const status = form.querySelector('[data-form-status]');
    const codeInput = form.querySelector('input[name="code"]');
    const codeApply = form.querySelector('[data-code-apply]');
    const done = root.querySelector('[data-checkout-done]');
    const back = root.querySelector('[data-back-to-cart]');

    let prices = null;
    let quote = null; // the quote on screen
    let attempt = null; // {key, quote, payment}: one checkout attempt, one Idempotency-Key
    let spendable = null;
    let busy = false;
    const codes = new Map(); // transfer codes by domain: kept in memory only, never stored

    const chosenPayment = () => {
      const r = form.querySelector('input[name="payment"]:checked');
      return r ? r.value : 'wallet';
    };

    /** The quote on screen no longer matches the order: ask for a new one. */
    function invalidate() {
      quote = null;
      attempt = null;
      quoteBox.hidden = true;
      payment.hidden = true;
      place.hidden = true;
      changed.hidden = true;
      quoteAction.hidden = false;
    }

    function renderLines() {
      const items = S.readCart();
      if (!items.length) {
        form.hidden = true;
        estimate.hidden = false;
        return false;
      }
      estimate.hidden = true;
      form.hidden = false;
      linesBox.replaceChildren(...items.map((item, i) => {
        const name = S.shownName(item);
        const e = prices?.extensions ? prices.extensions[item.ext] : null;
        const choices = e ? S.periodsFor(e, item.action) : [];
        let period;
        if (choices.length > 1) {
          const select = h('select', { class: 'select', attrs: { id: `line-${i}-years`, name: 'years' } },
            choices.map((y) => h('option', { text: yearsText(y), attrs: { value: y, selected: y === item.years } })));
          select.addEventListener('change', () => {
            const next = S.readCart();
            const target = next.find((it) => it.domain === item.domain && it.action === item.action);
            if (target) target.years = Number(select.value);
            S.writeCart(next);
            invalidate();
            getQuote();
          });
          period = field(T('period_label', { domain: name }), select, `items.${i}.years`);
        } else {
          period = h('div', { class: 'field' }, [
            h('p', { class: 'checkout-line__period', text: yearsText(item.years) }),
            h('p', { class: 'field__error', attrs: { 'data-error-for': `items.${i}.years`, 'aria-live': 'polite' } }),
          ]);
        }
        let code = null;
        if (item.action === 'transfer') {
          const input = h('input', {
            class: 'field__input',
            attrs: { id: `line-${i}-auth`, name: 'auth_code', autocomplete: 'off', autocapitalize: 'none', spellcheck: 'false', maxlength: 64, required: true, value: codes.get(item.domain) || '' },
          });
          input.addEventListener('change', () => {
            codes.set(item.domain, input.value.trim());
            invalidate();
            if (ready()) getQuote();
          });
          code = field(T('auth_code_label', { domain: name }), input, `items.${i}.auth_code`, T('auth_code_hint'));
        }
        const remove = h('button', {
          class: 'button button--ghost button--small checkout-line__remove', text: T('remove'),
          attrs: { type: 'button', 'aria-label': T('remove_label', { domain: name }), 'data-remove': '' },
        });
        remove.addEventListener('click', () => {
          S.writeCart(S.readCart().filter((it) => !(it.domain === item.domain && it.action === item.action)));
          codes.delete(item.domain);
          invalidate();
          if (renderLines()) {
            const next = linesBox.querySelectorAll('[data-remove]')[Math.min(i, linesBox.children.length - 1)];
            if (next) next.focus();
            if (ready()) getQuote();
          }
        });
        return h('li', { class: 'checkout-line' }, [
          h('p', { class: 'checkout-line__name' }, [h('strong', { text: name }), ' ', h('span', { class: 'checkout-line__action', text: actionText(item.action) }), remove]),
          h('p', { class: 'field__error', attrs: { 'data-error-for': `items.${i}.domain`, 'aria-live': 'polite' } }),
          h('p', { class: 'field__error', attrs: { 'data-error-for': `items.${i}.action`, 'aria-live': 'polite' } }),
          period,
          code,
        ]);
      }));
      return true;
    }

    /** Every transfer has its code: a quote can be asked for without a click. */
    const ready = () => S.readCart().every((it) => it.action !== 'transfer' || codes.get(it.domain));

    function showQuote(q, pricesChanged) {
      quote = q;
      const lines = Array.isArray(q.lines) ? q.lines : [];
      const totalRow = (text, value, cls) => h('tr', { class: cls || '' }, [
        h('th', { attrs: { scope: 'row', colspan: 5 }, text }),
        h('td', { class: 'num', text: shown(value) }),
      ]);
      quoteTable.replaceChildren(h('table', { class: 'cart-table quote-table' }, [
        h('caption', { text: T('quote_caption') }),
        h('thead', {}, [h('tr', {}, [T('col_domain'), T('col_type'), T('col_period'), T('col_net'), T('col_tax'), T('col_total')]
          .map((text, i) => h('th', { class: i >= 3 ? 'num' : '', text, attrs: { scope: 'col' } })))]),
        h('tbody', {}, lines.flatMap((l) => [h('tr', {}, [
          h('th', { attrs: { scope: 'row' } }, [
            l.display || l.domain,
            l.premium ? h('span', { class: 'badge', text: T('premium') }) : null,
            l.promotion ? h('span', { class: 'badge badge--promo', text: typeof l.promotion === 'string' ? l.promotion : T('promotion') }) : null,
          ]),
          h('td', { text: actionText(l.action), attrs: { 'data-label': T('col_type') } }),
          h('td', { text: yearsText(l.years), attrs: { 'data-label': T('col_period') } }),
          h('td', { class: 'num', text: shown(l.net), attrs: { 'data-label': T('col_net') } }),
          h('td', { class: 'num', text: shown(l.tax), attrs: { 'data-label': T('col_tax') } }),
          h('td', { class: 'num', text: shown(l.gross), attrs: { 'data-label': T('col_total') } }),
        ]), l.documents ? h('tr', { class: 'cart-table__note', attrs: { 'data-documents': l.domain } }, [
          h('td', { attrs: { colspan: 6 } }, [h('p', { class: 'doc-terms', text: documentTerms(l.documents) })]),
        ]) : null].filter(Boolean))),
        h('tfoot', {}, [
          totalRow(T('col_net'), q.net),
          totalRow(T('col_tax'), q.tax),
          totalRow(T('col_total'), q.gross, 'cart-table__total'),
        ]),
      ]));
      expires.textContent = q.expires_at ? T('quote_expires', { time: when(q.expires_at) }) : '';
      quoteBox.hidden = false;
      payment.hidden = false;
      place.hidden = false;
      quoteAction.hidden = true;
      changed.hidden = !pricesChanged;
      place.textContent = pricesChanged ? T('confirm_place') : T('place');
      updateBalance();
    }

    function updateBalance() {
      if (!balanceNote) return;
      if (!spendable) {
        balanceNote.textContent = '';
        return;
      }
      balanceNote.textContent = T('wallet_can_spend', { amount: shown(spendable) });
      // A comparison of two amounts the server gave, not a price.
      const short = !!quote?.gross && Number(spendable.amount) < Number(quote.gross.amount);
      topupLink.hidden = !short;
      if (short) balanceNote.textContent += ` ${T('wallet_short')}`;
    }

    async function loadBalance() {
      try {
        const r = await call('wallet');
        if (r.ok && r.data) spendable = r.data.spendable || null;
      } catch {
        spendable = null;
      }
      updateBalance();
    }

    async function getQuote() {
      if (busy) return;
      busy = true;
      clearErrors(form);
      status.textContent = T('quoting');
      quoteButton.disabled = true;
      const items = S.readCart().map((it) => {
        const line = { domain: it.domain, action: it.action, years: it.years };
        if (it.action === 'transfer') line.auth_code = codes.get(it.domain) || '';
        return line;
      });
      const body = { items };
      const code = S.readCode();
      if (code) body.code = code;
      let r = null;
      try {
        r = await call('orders/quote', { json: body });
      } catch {
        r = null;
      }
      busy = false;
      quoteButton.disabled = false;
      status.textContent = '';
      if (r && r.status === 200 && r.data?.id) {
        showQuote(r.data, false);
        return;
      }
      if (r && r.status === 401) {
        signedOut();
        return;
      }
      if (r?.data?.error === 'not_taking_orders') {
        stopped(r);
        return;
      }
      if (!r) status.textContent = T('error');
      else showError(form, status, r);
    }

    /** The storefront takes no new orders for now: its notice, and nothing to order. */
    function stopped(r) {
      invalidate();
      quoteAction.hidden = true;
      status.textContent = messageOf(r);
    }

    /** Nobody is signed in: the cart's list, priced by a quote for visitors, and the sign-in card. */
    function signedOut() {
      form.hidden = true;
      estimate.hidden = false;
      if (signin) signin.hidden = false;
      document.dispatchEvent(new CustomEvent('storefront:estimate'));
    }

    function finished(order, paid) {
      const ordered = new Set((order.lines || []).map((l) => l.domain));
      S.writeCart(S.readCart().filter((it) => !ordered.has(it.domain)));
      form.hidden = true;
      estimate.hidden = true;
      if (back) back.hidden = true;
      done.querySelector('[data-done-text]').textContent = T('done_text', { id: order.id, state: label('state', order.state) });
      const bank = done.querySelector('[data-done-bank]');
      if (paid === 'bank_transfer') {
        bank.textContent = T('done_bank', { amount: shown(order.gross), date: when(order.due), id: order.id });
        bank.hidden = false;
      }
      done.querySelector('[data-done-order]').replaceChildren(lineRecords(order));
      done.hidden = false;
      done.setAttribute('data-order', order.id);
      done.focus();
    }

    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (busy || !quote) return;
      const pay = chosenPayment();
      // A new attempt (and key) for a new quote or payment; the same one when
      // the last answer never came, so sending again cannot order twice.
      if (!attempt || attempt.quote !== quote.id || attempt.payment !== pay) {
        attempt = { key: newKey(), quote: quote.id, payment: pay };
      }
      busy = true;
      place.disabled = true;
      clearErrors(form);
      status.textContent = T('placing');
      let r;
      try {
        r = await call('orders', { json: { quote: quote.id, payment: pay }, headers: { 'Idempotency-Key': attempt.key } });
      } catch {
        busy = false;
        place.disabled = false;
        status.textContent = T('error');
        return;
      }
      busy = false;
      place.disabled = false;
      status.textContent = '';
      if ((r.status === 201 || r.status === 200) && r.data && r.data.id) {
        finished(r.data, pay);
        return;
      }
      const code = r.data?.error;
      attempt = null;
      if (r.status === 401) {
        signedOut();
        return;
      }
      if (code === 'price_changed' && r.data.quote) {
        showQuote(r.data.quote, true);
        changed.textContent = `${messageOf(r)} ${T('price_changed')}`;
        changed.focus();
        return;
      }
      if (code === 'not_taking_orders') {
        stopped(r);
        return;
      }
      if (code === 'quote_expired') {
        invalidate();
        await getQuote();
        status.textContent = messageOf(r);
        return;
      }
      if (code === 'insufficient_balance' || code === 'seller_unavailable') {
        // The order was kept, unpaid: cancel it, so trying again does not leave two.
        const left = r.headers.get('x-order-id');
        if (left) call(`orders/${enc(left)}/cancel`, { json: {} }).catch(() => {});
        if (code === 'insufficient_balance') {
          form.querySelector('[data-error-for="payment"]').textContent = messageOf(r);
          topupLink.hidden = false;
          const radio = form.querySelector('input[name="payment"]:checked');
          if (radio) radio.focus();
          loadBalance();
        } else {
          status.textContent = messageOf(r);
        }
        return;
      }
      const named = r.data && typeof r.data.field === 'string' && r.data.field.startsWith('items');
      if (named) invalidate();
      showError(form, status, r);
    });

    quoteButton.addEventListener('click', () => getQuote());
    if (codeInput) {
      codeInput.value = S.readCode();
      const apply = () => {
        S.writeCode(codeInput.value.trim());
        invalidate();
        if (ready()) getQuote();
      };
      // Enter in the code field applies the code; it never places the order.
      codeInput.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter') {
          ev.preventDefault();
          apply();
        }
      });
      codeInput.addEventListener('change', () => {
        if (codeInput.value.trim() !== S.readCode()) apply();
      });
      if (codeApply) codeApply.addEventListener('click', () => { if (!quote || codeInput.value.trim() !== S.readCode()) apply(); });
    }
    for (const radio of form.querySelectorAll('input[name="payment"]')) {
      radio.addEventListener('change', () => {
        form.querySelector('[data-error-for="payment"]').textContent = '';
        updateBalance();
      });
    }

    (async () => {
      let me = null;
      try {
        me = await call('accounts/me');
      } catch {
        me = null;
      }
      if (me?.status !== 200) {
        signedOut();
        return;
      }
      if (signin) signin.hidden = true;
      try {
        prices = await S.pricesFor(cartBox);
      } catch {
        prices = null;
      }
      if (!renderLines()) return;
      loadBalance();
      if (ready()) await getQuote();
      root.setAttribute('data-ready', '');
    })();

    // Another tab changed the cart: the quote on screen is for another order.
    window.addEventListener('storage', (ev) => {
      if (ev.key?.startsWith('storefront-cart') && !form.hidden) {
        invalidate();
        renderLines();
      }
    });
  }

  function start() {
    const inits = { checkout: initCheckout, account: initAccount };
    for (const root of document.querySelectorAll('[data-shop]')) {
      const init = inits[root.dataset.shop];
      if (!init || !root.dataset.api) continue;
      try {
        init(root);
      } catch (e) {
        if (window.console) console.error('storefront shop:', e);
      }
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
