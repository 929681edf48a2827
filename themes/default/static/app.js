/*
 * Storefront default theme: behaviour for every page.
 * Plain ES2020, no dependencies, loaded with `defer`. Every feature looks for
 * its own elements first and does nothing when they are missing.
 * All text comes from data-i18n-* attributes rendered from the string table.
 */
(() => {
  'use strict';

  const CART_KEY = 'storefront-cart';
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

  /** Replaces {name} placeholders; values are plain text. */
  function fill(template, values) {
    return String(template || '').replace(/\{([a-z_]+)\}/g, (m, k) =>
      Object.prototype.hasOwnProperty.call(values, k) ? String(values[k]) : m);
  }

  /** Plural form (the Polish rule, which also covers English and Indonesian). */
  function pluralForm(n) {
    if (n === 1) return 'one';
    const r10 = n % 10;
    const r100 = n % 100;
    if (r10 >= 2 && r10 <= 4 && (r100 < 12 || r100 > 14)) return 'few';
    return 'many';
  }

  function yearsText(i18n, n) {
    const form = pluralForm(n);
    const key = form === 'one' ? 'i18nYearsOne' : form === 'few' ? 'i18nYearsFew' : 'i18nYearsMany';
    return fill(i18n[key] || '{n}', { n });
  }

  // ---------- Punycode (RFC 3492), for showing IDNs in their own script ----------

  function punyDecode(input) {
    const base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700;
    const out = [];
    let n = 128, i = 0, bias = 72;
    const basic = input.lastIndexOf('-');
    for (let j = 0; j < Math.max(basic, 0); j += 1) out.push(input.charCodeAt(j));
    const adapt = (delta, numPoints, first) => {
      let k = 0;
      delta = first ? Math.floor(delta / damp) : delta >> 1;
      delta += Math.floor(delta / numPoints);
      while (delta > ((base - tMin) * tMax) >> 1) {
        delta = Math.floor(delta / (base - tMin));
        k += base;
      }
      return k + Math.floor(((base - tMin + 1) * delta) / (delta + skew));
    };
    for (let idx = basic > 0 ? basic + 1 : 0; idx < input.length;) {
      const oldi = i;
      for (let w = 1, k = base; ; k += base) {
        if (idx >= input.length) throw new Error('bad punycode');
        const c = input.charCodeAt(idx++);
        const digit = c - 48 < 10 ? c - 22 : c - 65 < 26 ? c - 65 : c - 97 < 26 ? c - 97 : base;
        if (digit >= base) throw new Error('bad punycode');
        i += digit * w;
        const t = k <= bias ? tMin : k >= bias + tMax ? tMax : k - bias;
        if (digit < t) break;
        w *= base - t;
      }
      bias = adapt(i - oldi, out.length + 1, oldi === 0);
      n += Math.floor(i / (out.length + 1));
      i %= out.length + 1;
      out.splice(i, 0, n);
      i += 1;
    }
    return String.fromCodePoint(...out);
  }

  /** `xn--bcher-kva.id` -> `bücher.id`; anything odd is returned as it is. */
  function toUnicode(domain) {
    try {
      return domain.split('.').map((l) => (l.startsWith('xn--') ? punyDecode(l.slice(4)) : l)).join('.');
    } catch (e) {
      return domain;
    }
  }

  // ---------- Query normalisation ----------

  const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

  /**
   * Turns what a person typed into an ASCII host name, the way they meant it:
   * " HTTPS://www.Toko Buku.co.id/path " -> "tokobuku.co.id".
   * Returns {ascii, unicode} or {error: 'empty' | 'invalid'}.
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
    if (/[^\x00-\x7f]/.test(s)) {
      try {
        ascii = new URL('http://' + s).hostname;
      } catch (e) {
        return { error: 'invalid' };
      }
    }
    ascii = ascii.replace(/\.$/, '');
    if (!ascii || ascii.length > 253) return { error: 'invalid' };
    if (!ascii.split('.').every((l) => LABEL.test(l))) return { error: 'invalid' };
    return { ascii, unicode: toUnicode(ascii) };
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
      if (Object.prototype.hasOwnProperty.call(known, ext)) return { label: labels[i - 1], ext, unknownExt: null };
    }
    if (labels.length === 1) return { label: labels[0], ext: null, unknownExt: null };
    return { label: labels[0], ext: null, unknownExt: labels.slice(1).join('.') };
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
          if (!res.ok) throw new Error('prices: HTTP ' + res.status);
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

  /** "150000.5" -> 15000050n (hundredths); null when not a number. */
  function toCents(value) {
    const m = /^(-?)(\d+)(?:\.(\d+))?$/.exec(String(value === undefined || value === null ? '' : value).trim());
    if (!m) return null;
    const frac = (m[3] || '').padEnd(3, '0');
    let cents = BigInt(m[2]) * 100n + BigInt(frac.slice(0, 2));
    if (Number(frac[2]) >= 5) cents += 1n;
    return m[1] ? -cents : cents;
  }

  function moneyFormatter(prices) {
    const currency = prices.currency || 'IDR';
    const digits = ['IDR', 'JPY', 'KRW', 'VND'].includes(currency) ? 0 : 2;
    let nf = null;
    try {
      nf = new Intl.NumberFormat(prices.lang || document.documentElement.lang || undefined, {
        style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits,
      });
    } catch (e) {
      nf = null;
    }
    return (cents) => {
      const n = Number(cents) / 100;
      return nf ? nf.format(n) : currency + ' ' + n.toFixed(digits);
    };
  }

  /** The promotion of an extension, unless it has ended (when `until` is a date). */
  function activePromo(extPrices, action) {
    const promo = extPrices && extPrices.promo;
    if (!promo || typeof promo !== 'object' || (promo.action && promo.action !== action)) return null;
    const now = new Date();
    if (promo.until && /^\d{4}-\d{2}-\d{2}$/.test(promo.until)) {
      const end = new Date(promo.until + 'T23:59:59');
      if (!Number.isNaN(end.getTime()) && end < now) return null;
    }
    if (promo.from && /^\d{4}-\d{2}-\d{2}$/.test(promo.from)) {
      const start = new Date(promo.from + 'T00:00:00');
      if (!Number.isNaN(start.getTime()) && start > now) return null;
    }
    return promo;
  }

  /** Periods (years) one can pick for an action, from the price table. */
  function periodsFor(extPrices, action) {
    const table = (extPrices && extPrices[action]) || {};
    const min = (extPrices && extPrices.years && extPrices.years.min) || 1;
    const max = (extPrices && extPrices.years && extPrices.years.max) || 10;
    return Object.keys(table).map(Number)
      .filter((y) => Number.isInteger(y) && (action !== 'register' || (y >= min && y <= max)))
      .sort((a, b) => a - b);
  }

  /** First-year (or shortest-period) register price of an extension. */
  function firstPrice(extPrices) {
    const years = periodsFor(extPrices, 'register');
    if (!years.length) return null;
    const entry = extPrices.register[String(years[0])];
    const promo = years[0] === 1 ? activePromo(extPrices, 'register') : null;
    return { years: years[0], entry, promo };
  }

  /**
   * Price of one cart line: {display, net, gross, promo} or null.
   * A register promotion replaces the first year's price; a longer period
   * keeps the regular price of the other years.
   */
  function linePrice(prices, item, format) {
    const e = prices.extensions[item.ext];
    const table = e && e[item.action];
    const entry = table && table[String(item.years)];
    if (!entry) return null;
    const promo = activePromo(e, item.action);
    if (promo && item.action === 'register') {
      if (item.years === 1) {
        return { display: promo.display, net: toCents(promo.net), gross: toCents(promo.gross), promo: true };
      }
      const first = table['1'];
      const parts = [entry.net, entry.gross, first && first.net, first && first.gross, promo.net, promo.gross].map(toCents);
      if (first && parts.every((p) => p !== null)) {
        const net = parts[0] - parts[2] + parts[4];
        const gross = parts[1] - parts[3] + parts[5];
        return { display: format(gross), net, gross, promo: true };
      }
    }
    return { display: entry.display, net: toCents(entry.net), gross: toCents(entry.gross), promo: false };
  }

  // ---------- Cart storage ----------

  function validItem(it) {
    return it && typeof it.domain === 'string' && it.domain && typeof it.ext === 'string' && it.ext &&
      Number.isInteger(it.years) && it.years >= 1 && it.years <= 10 && ACTIONS.includes(it.action);
  }

  function readCart() {
    try {
      const items = JSON.parse(window.localStorage.getItem(CART_KEY) || '[]');
      return Array.isArray(items) ? items.filter(validItem) : [];
    } catch (e) {
      return [];
    }
  }

  function writeCart(items) {
    try {
      window.localStorage.setItem(CART_KEY, JSON.stringify(items));
    } catch (e) {
      /* private mode or full storage: the cart lives for this page only */
    }
    updateCartCount(items);
    document.dispatchEvent(new CustomEvent('storefront:cart', { detail: items }));
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
          input.value = input.value.trim() + '.' + ext;
        }
      });
    }
  }

  // ---------- Search page ----------

  function initSearch() {
    const box = document.getElementById('results');
    if (!box || !box.dataset.prices) return;
    const i18n = box.dataset;
    const input = document.getElementById('q');
    const form = input && input.form;
    let seq = 0;

    const setMessage = (text, kind) => {
      box.removeAttribute('aria-busy');
      box.replaceChildren(h('p', { class: 'results__message' + (kind ? ' results__message--' + kind : ''), text }));
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
      } catch (e) {
        if (mine === seq) setMessage(i18n.i18nPricesError, 'error');
        return;
      }
      if (mine !== seq) return;

      const known = prices.extensions;
      const { label, ext, unknownExt } = splitName(query.ascii, known);
      const groups = prices.groups.filter((g) => g && Array.isArray(g.extensions));
      const group = ext ? groups.find((g) => g.extensions.includes(ext)) : groups[0];
      let list = group ? group.extensions.slice() : Object.keys(known);
      if (ext) list = [ext, ...list.filter((x) => x !== ext)];
      list = list.filter((x) => Object.prototype.hasOwnProperty.call(known, x));
      const unicodeLabel = toUnicode(label);

      const rows = list.map((x) => renderRow(prices, label, unicodeLabel, x, x === ext));
      const heading = h('h3', { class: 'results__title', text: fill(i18n.i18nResultsFor, { query: ext ? unicodeLabel + '.' + ext : toUnicode(query.ascii) }) });
      const note = h('p', { class: 'results__message results__message--info', attrs: { hidden: true } });
      const children = [heading, note];
      if (unknownExt) children.push(h('p', { class: 'results__message', text: fill(i18n.i18nUnsupported, { ext: '.' + unknownExt }) }));
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
        row.setStatus(r.available === true ? 'available' : r.available === false ? 'taken' : 'unknown', r.price);
      };
      let reached = false;
      if (api) {
        const ctrl = typeof AbortController === 'function' ? new AbortController() : null;
        const timer = ctrl ? setTimeout(() => ctrl.abort(), API_TIMEOUT_MS) : null;
        try {
          // The page's language, not the browser's: prices and messages match the page.
          const lang = document.documentElement.lang || '';
          const res = await fetch(api + '?q=' + encodeURIComponent(query.ascii) + '&lang=' + encodeURIComponent(lang), {
            headers: { Accept: 'application/x-ndjson, application/json;q=0.9' }, credentials: 'same-origin', signal: ctrl ? ctrl.signal : undefined,
          });
          const type = res.headers.get('content-type') || '';
          if (res.status === 400 && type.includes('json')) {
            const err = await res.json();
            if (mine === seq && err && typeof err.message === 'string') setMessage(err.message, 'error');
            return;
          }
          if (res.status === 200 && type.includes('ndjson') && res.body && res.body.getReader) {
            reached = true;
            const reader = res.body.getReader();
            const decoder = new TextDecoder();
            let buf = '';
            for (;;) {
              const { done, value } = await reader.read();
              if (done) break;
              if (mine !== seq) { reader.cancel(); return; }
              buf += decoder.decode(value, { stream: true });
              let nl;
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl).trim();
                buf = buf.slice(nl + 1);
                if (!line) continue;
                try {
                  const msg = JSON.parse(line);
                  if (msg && msg.type === 'result') mark(msg);
                } catch (e) { /* a broken line marks nothing */ }
              }
            }
          } else if (res.status === 200) {
            const data = await res.json();
            if (data && Array.isArray(data.results)) {
              reached = true;
              data.results.forEach(mark);
            }
          }
        } catch (e) {
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

    function renderRow(prices, label, unicodeLabel, ext, typed) {
      const domain = label + '.' + ext;
      const unicode = unicodeLabel + '.' + ext;
      const e = prices.extensions[ext];
      const first = firstPrice(e);

      const status = h('span', { class: 'status status--checking', text: i18n.i18nLoading });
      const priceBox = h('div', { class: 'result__price' });
      const showPrice = (display, regular) => {
        const kids = [];
        if (regular) {
          kids.push(h('span', { class: 'badge badge--promo', text: (first.promo && first.promo.label) || i18n.i18nPromo }));
          kids.push(h('span', { class: 'price price--promo' }, [h('span', { class: 'visually-hidden', text: i18n.i18nPromoPrice + ': ' }), display]));
          kids.push(h('del', { class: 'price price--regular' }, [h('span', { class: 'visually-hidden', text: i18n.i18nPromoRegular + ': ' }), regular]));
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
      const addButton = (kind) => {
        const cart = readCart();
        const already = inCart(cart, domain);
        const text = already ? i18n.i18nInCart : kind === 'transfer' ? i18n.i18nTransfer : i18n.i18nAddToCart;
        const btn = h('button', {
          class: 'button button--small ' + (already ? 'button--done' : kind === 'transfer' ? 'button--ghost' : 'button--primary'),
          text,
          attrs: { type: 'button', 'aria-disabled': already ? 'true' : null, 'aria-label': already ? null : text + ': ' + unicode },
        });
        btn.addEventListener('click', () => {
          const items = readCart();
          if (inCart(items, domain)) return;
          const years = kind === 'transfer' ? 1 : (first ? first.years : 1);
          items.push({ domain, ext, years, action: kind });
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

      const node = h('li', { class: 'result' + (typed ? ' result--first' : ''), attrs: { 'data-domain': domain } }, [
        h('p', { class: 'result__name' }, [h('span', { class: 'result__label', text: unicodeLabel }), h('span', { class: 'result__ext', text: '.' + ext })]),
        h('div', { class: 'result__status' }, [status]),
        priceBox,
        action,
      ]);

      const setStatus = (state, apiPrice) => {
        const texts = {
          available: i18n.i18nAvailable, taken: i18n.i18nTaken, unknown: i18n.i18nUnknown, checkout: i18n.i18nCheckedAtCheckout,
        };
        status.className = 'status status--' + state;
        status.textContent = texts[state];
        status.hidden = state === 'checkout';
        node.classList.toggle('result--taken', state === 'taken');
        if (state === 'taken') {
          // A registered name can still be transferred in.
          if (e && e.transfer && e.transfer['1']) {
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

      return { node, domain, unicode, setStatus };
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
        } catch (e) {
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

  function initCart() {
    const box = document.querySelector('[data-cart]');
    if (!box || !box.dataset.prices) return;
    const i18n = box.dataset;
    const editable = box.hasAttribute('data-editable');
    const loading = box.querySelector('[data-cart-loading]');
    const empty = box.querySelector('[data-cart-empty]');
    const list = box.querySelector('[data-cart-items]');
    const actions = document.querySelector('[data-cart-actions]');
    if (!list) return;
    let prices = null;

    function render(focusKey) {
      const items = readCart();
      if (loading) loading.hidden = true;
      if (empty) empty.hidden = items.length > 0;
      if (actions) actions.hidden = items.length === 0;
      list.hidden = items.length === 0;
      if (!items.length) {
        list.replaceChildren();
        return;
      }
      const format = moneyFormatter(prices);
      let net = 0n;
      let gross = 0n;
      let complete = true;

      const rows = items.map((item, index) => {
        const e = prices.extensions[item.ext];
        const price = linePrice(prices, item, format);
        if (price && price.net !== null && price.gross !== null) {
          net += price.net;
          gross += price.gross;
        } else {
          complete = false;
        }
        const shown = toUnicode(item.domain);
        const key = item.domain + '|' + item.action;

        let period;
        const choices = periodsFor(e, item.action);
        if (editable && item.action === 'register' && choices.length > 1) {
          const select = h('select', {
            class: 'select',
            attrs: { 'aria-label': fill(i18n.i18nPeriodLabel, { domain: shown }), 'data-key': key + '|years' },
            on: {
              change: (ev) => {
                const next = readCart();
                const target = next.find((it) => it.domain === item.domain && it.action === item.action);
                if (target) target.years = Number(ev.target.value);
                writeCart(next);
                render(key + '|years');
              },
            },
          }, choices.map((y) => h('option', { text: yearsText(i18n, y), attrs: { value: y, selected: y === item.years } })));
          period = select;
        } else {
          period = yearsText(i18n, item.years);
        }

        const actionText = { register: i18n.i18nActionRegister, transfer: i18n.i18nActionTransfer, renew: i18n.i18nActionRenew }[item.action];
        const priceCell = price
          ? [h('span', { class: 'price' + (price.promo ? ' price--promo' : ''), text: price.display }), price.promo ? ' ' : null, price.promo ? h('span', { class: 'badge badge--promo', text: i18n.i18nPromo }) : null]
          : [h('span', { class: 'note', text: i18n.i18nPriceMissing })];

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
            attrs: { type: 'button', 'aria-label': fill(i18n.i18nRemoveLabel, { domain: shown }), 'data-key': key + '|remove' },
            on: {
              click: () => {
                const next = readCart().filter((it) => !(it.domain === item.domain && it.action === item.action));
                writeCart(next);
                // Keep keyboard users in the list: focus the next remove button.
                const after = next[Math.min(index, next.length - 1)];
                render(after ? after.domain + '|' + after.action + '|remove' : null);
              },
            },
          })]));
        }
        return h('tr', {}, cells);
      });

      const footRows = [];
      const tax = prices.tax;
      const taxPercent = tax ? Number(tax.percent) : 0;
      const totalRow = (label, value, cls) => h('tr', { class: cls || '' }, [
        h('th', { attrs: { scope: 'row', colspan: 3 }, text: label }),
        h('td', { class: 'num', text: value }),
        editable ? h('td') : null,
      ]);
      if (complete) {
        if (tax && !tax.inclusive && taxPercent > 0) {
          footRows.push(totalRow(i18n.i18nNet, format(net)));
          footRows.push(totalRow((tax.label || '') + ' ' + tax.percent + '%', format(gross - net)));
        }
        footRows.push(totalRow(i18n.i18nTotal, format(gross), 'cart-table__total'));
      } else {
        footRows.push(totalRow(i18n.i18nTotal, i18n.i18nPriceMissing, 'cart-table__total'));
      }

      const head = [i18n.i18nColDomain, i18n.i18nColType, i18n.i18nColPeriod, i18n.i18nColPrice];
      const table = h('table', { class: 'cart-table' }, [
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
        else if (empty && !empty.hidden) {
          const link = empty.querySelector('a');
          if (link) link.focus();
        }
      }
    }

    if (loading) loading.hidden = false;
    pricesFor(box)
      .then((data) => {
        prices = data;
        render(null);
      })
      .catch(() => {
        if (loading) loading.hidden = true;
        list.replaceChildren(h('p', { class: 'results__message results__message--error', text: i18n.i18nPricesError }));
      });

    window.addEventListener('storage', (ev) => {
      if (ev.key === CART_KEY && prices) render(null);
    });
  }

  // ---------- Account: sign-up, confirmation, sign-in, password reset ----------

  function initAccount() {
    const root = document.getElementById('account');
    if (!root || !root.dataset.api) return;
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
      const res = await fetch(api + '/' + path, {
        method,
        credentials: 'same-origin',
        headers: body ? { 'Content-Type': 'application/json', Accept: 'application/json' } : { Accept: 'application/json' },
        body: body ? JSON.stringify(body) : undefined,
      });
      let data = null;
      try { data = await res.json(); } catch (e) { data = null; }
      return { status: res.status, data };
    };

    const me = root.querySelector('#account-me');
    const signinCard = root.querySelector('#account-signin');
    const signupCard = root.querySelector('#account-signup');
    const resetCard = root.querySelector('#account-reset');
    const dashboard = document.getElementById('account-dashboard');

    const signedIn = (p) => {
      me.querySelector('[data-me-name]').textContent = p.name || p.email;
      me.querySelector('[data-me-email]').textContent = fill(t.i18nSignedIn, { email: p.email });
      me.querySelector('[data-me-unverified]').hidden = !!p.verified;
      me.hidden = false;
      signinCard.hidden = true;
      signupCard.hidden = true;
      if (dashboard) dashboard.hidden = false;
    };
    const signedOut = () => {
      me.hidden = true;
      signinCard.hidden = false;
      signupCard.hidden = false;
      if (dashboard) dashboard.hidden = true;
    };

    const refresh = async () => {
      try {
        const r = await call('me', 'GET');
        if (r.status === 200 && r.data) signedIn(r.data); else signedOut();
      } catch (e) { signedOut(); }
    };

    const fieldsOf = (form) => {
      const body = {};
      for (const el of form.elements) {
        if (!el.name || (el.type === 'radio' && !el.checked)) continue;
        if (el.closest('[hidden]')) continue;
        const path = el.name.split('.');
        let o = body;
        while (path.length > 1) { const k = path.shift(); o = o[k] = o[k] || {}; }
        o[path[0]] = el.value;
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
        let r;
        try {
          r = await call(action, 'POST', body);
        } catch (e) {
          status.textContent = t.i18nError;
          return;
        }
        if (r.status >= 200 && r.status < 300) {
          form.reset();
          if (action === 'signin') { show(''); await refresh(); }
          else if (action === 'signup') show(t.i18nSignupDone);
          else if (action === 'password/forgot') status.textContent = t.i18nForgotDone;
          else if (action === 'password/reset') { resetCard.hidden = true; show(t.i18nResetDone); history.replaceState(null, '', location.pathname); }
          return;
        }
        const msg = (r.data && typeof r.data.message === 'string') ? r.data.message : t.i18nError;
        const slot = r.data && r.data.field ? form.querySelector('[data-error-for="' + CSS.escape(r.data.field) + '"]') : null;
        if (slot) slot.textContent = msg; else status.textContent = msg;
      });
    }

    const signout = root.querySelector('[data-signout]');
    if (signout) signout.addEventListener('click', async () => {
      try { await call('signout', 'POST', {}); } catch (e) { /* signed out locally anyway */ }
      signedOut();
    });

    (async () => {
      const verify = params.get('verify');
      if (verify) {
        history.replaceState(null, '', location.pathname);
        try {
          const r = await call('verify', 'POST', { token: verify });
          show(r.status === 200 ? t.i18nVerified : ((r.data && r.data.message) || t.i18nVerifyFailed));
        } catch (e) { show(t.i18nVerifyFailed); }
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
      const status = btn.parentElement && btn.parentElement.querySelector('[data-copy-status]');
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

  // Exposed for tests and for scripts that come later (the API-backed pages).
  window.Storefront = Object.freeze({ normalise, splitName, toUnicode, readCart, writeCart, linePrice, toCents });

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
